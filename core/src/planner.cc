#include "augur/core/planner.h"

#include <chrono>
#include <cmath>
#include <limits>

#include "augur/core/error.h"

namespace augur {

Box SequenceEvaluator::action_bounds() const {
  return Box::Uniform(action_dim(), -std::numeric_limits<float>::infinity(), std::numeric_limits<float>::infinity());
}

PlanResult Planner::Plan(std::span<const float> obs, const Budget& budget) {
  PlanResult result;
  Plan(obs, budget, result);
  return result;
}

void Planner::Plan(std::span<const float> obs, const Budget& budget, PlanResult& out) {
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
  out.predicted_return = 0.0;
  out.iterations = 0;
  out.evaluations = 0;
  out.seconds = 0.0;
  out.cut_short = false;
  DoPlan(obs, budget, out);
  out.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  AUGUR_CHECK_EQ(static_cast<int64_t>(out.action.size()), action_dim());
}

}  // namespace augur
