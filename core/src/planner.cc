#include "augur/core/planner.h"

#include <chrono>
#include <cmath>

#include "augur/core/error.h"

namespace augur {

PlanResult Planner::Plan(std::span<const float> obs, const Budget& budget) {
  if (static_cast<int64_t>(obs.size()) != obs_dim()) {
    throw ShapeError(StrCat("planner '", name(), "': observation has ", obs.size(), " values but the model expects ",
                            obs_dim()));
  }
  for (size_t i = 0; i < obs.size(); ++i) {
    if (!std::isfinite(obs[i])) {
      throw ConfigError(StrCat("planner '", name(), "': observation[", i, "] = ", obs[i],
                               " is not finite; pass a finite observation"));
    }
  }
  budget.Validate();
  const auto start = Clock::now();
  PlanResult result = DoPlan(obs, budget);
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  AUGUR_CHECK_EQ(static_cast<int64_t>(result.action.size()), action_dim());
  return result;
}

}  // namespace augur
