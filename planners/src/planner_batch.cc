#include "augur/planners/planner_batch.h"

#include <cmath>

#include "augur/core/error.h"
#include "augur/core/rng.h"

namespace augur {

PlannerBatch::PlannerBatch(int64_t robots, const MakeOne& make, Executor& executor, uint64_t seed)
    : executor_(executor) {
  if (robots < 1) throw ConfigError(StrCat("planner batch: robots = ", robots, " must be >= 1"));
  planners_.reserve(robots);
  for (int64_t i = 0; i < robots; ++i) {
    planners_.push_back(make(i));
    if (!planners_.back()) throw ConfigError(StrCat("planner batch: no planner was built for robot ", i));
    if (planners_.back()->obs_dim() != planners_[0]->obs_dim() ||
        planners_.back()->action_dim() != planners_[0]->action_dim()) {
      throw ConfigError(StrCat("planner batch: robot ", i, "'s planner has different dimensions from robot 0's"));
    }
  }
  Reset(seed);
}

void PlannerBatch::Reset(uint64_t seed) {
  for (int64_t i = 0; i < size(); ++i) planners_[i]->Reset(StreamId({seed, static_cast<uint64_t>(i)}));
}

void PlannerBatch::PlanBatch(std::span<const float> obs, const Budget& budget, std::vector<PlanResult>& out) {
  const int64_t n = size(), o = obs_dim();
  if (static_cast<int64_t>(obs.size()) != n * o) {
    throw ShapeError(StrCat("planner batch: observations have ", obs.size(), " values but ", n, " robots x ", o, " = ",
                            n * o, " are expected ([N, O] row-major)"));
  }
  for (int64_t i = 0; i < n * o; ++i) {
    if (!std::isfinite(obs[i])) {
      throw ConfigError(StrCat("planner batch: robot ", i / o, "'s observation[", i % o, "] = ", obs[i],
                               " is not finite; pass finite observations"));
    }
  }
  budget.Validate();
  out.resize(n);
  // One pointer captured, so the std::function holds the lambda without allocating.
  struct Call {
    PlannerBatch* self;
    std::span<const float> obs;
    const Budget* budget;
    std::vector<PlanResult>* out;
  } call{this, obs, &budget, &out};
  executor_.ParallelFor(n, 1, [&call](int64_t begin, int64_t end, int64_t) {
    const int64_t o = call.self->obs_dim();
    for (int64_t i = begin; i < end; ++i) {
      call.self->planners_[i]->Plan(call.obs.subspan(i * o, o), *call.budget, (*call.out)[i]);
    }
  });
}

std::vector<PlanResult> PlannerBatch::PlanBatch(std::span<const float> obs, const Budget& budget) {
  std::vector<PlanResult> out;
  PlanBatch(obs, budget, out);
  return out;
}

}  // namespace augur
