// Batched planning for many robots (or envs) at once: N independent planning problems, each with its own
// planner state (warm start, evaluator start, buffers), planned in parallel on the Executor, one robot per
// task; each robot's planner still splits its own population into the evaluator's chunks on the same
// Executor (nested parallelism, so the cores stay busy when N is smaller than the thread count).
// Robot i is seeded with StreamId({seed, i}), so its plan depends only on (seed, i, its observations), never
// on the thread count or on the other robots.
// The simplest honest design: N planners side by side. A fused design (all robots' populations in one
// batched model call per step) would cut per-call overhead on the tensor path; the CPU path gains little.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "augur/core/executor.h"
#include "augur/core/planner.h"

namespace augur {

class PlannerBatch {
 public:
  // make(i) builds robot i's planner (each with its own evaluator). Throws ConfigError when robots < 1 or
  // the planners do not agree on their dimensions.
  using MakeOne = std::function<std::unique_ptr<Planner>(int64_t robot)>;
  PlannerBatch(int64_t robots, const MakeOne& make, Executor& executor, uint64_t seed = 0);

  int64_t size() const { return static_cast<int64_t>(planners_.size()); }
  int64_t obs_dim() const { return planners_[0]->obs_dim(); }
  int64_t action_dim() const { return planners_[0]->action_dim(); }
  Planner& planner(int64_t robot) { return *planners_.at(robot); }

  // Forgets every warm start; robot i gets seed StreamId({seed, i}).
  void Reset(uint64_t seed);
  // obs [N, O] row-major -> out[i] = robot i's plan (out is resized to N and reused between calls).
  // Non-finite observations are reported with the robot index. Allocation-free in the steady state when each planner
  // is.
  void PlanBatch(std::span<const float> obs, const Budget& budget, std::vector<PlanResult>& out);
  std::vector<PlanResult> PlanBatch(std::span<const float> obs, const Budget& budget);

 private:
  std::vector<std::unique_ptr<Planner>> planners_;
  Executor& executor_;
};

}  // namespace augur
