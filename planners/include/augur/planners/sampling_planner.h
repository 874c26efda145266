// SamplingPlanner: what random shooting, CEM, iCEM and MPPI share.
//
// Lifecycle (as in MuJoCo MPC): the constructor reads the evaluator (dimensions, action bounds); the first
// Plan sizes every buffer (Allocate); Reset(seed) forgets the warm start; each Plan
//  1. sets the evaluator's start, shifts the warm start (the previous plan's mean) by one step, filling the
//     last step with the centre of the action box (0 for symmetric bounds), and makes it the plan to return
//     should nothing finish;
//  2. runs iterations until the Budget or the planner's own `iters` ends: the Budget's iteration count when
//     it gives one, else `iters` (0: until the deadline). The deadline is checked between iterations and, by
//     the evaluator, between its chunks; an iteration cut short is discarded, the best complete plan so far
//     (at least the shifted warm start) is returned with cut_short = true. cut_short is also set when the
//     deadline ends planning before a finite iteration target;
//  3. fills PlanResult (reused: no allocation in the steady state with an allocation-free evaluator).
// Randomness: iteration i of the k-th Plan since Reset(seed) samples from Rng(seed, StreamId({k, i})) on the
// calling thread and evaluates with seed StreamId({seed, k}), iteration i; the evaluator's chunking is fixed,
// so plans are identical for a seed whatever the Executor's thread count.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "augur/core/executor.h"
#include "augur/core/planner.h"
#include "augur/core/rng.h"

namespace augur {

struct SamplingOptions {
  int64_t horizon = 30;        // steps planned (>= 1)
  int64_t iters = 5;           // iterations per Plan when the Budget gives none (>= 0; 0: until the deadline)
  uint64_t seed = 0;           // initial seed (Reset(seed) replaces it)
  bool predict_states = true;  // fill PlanResult::predicted_states (one extra rollout of the plan per Plan)

  // Throws ConfigError naming the field (`who` names the planner).
  void Validate(const std::string& who) const;
};

class SamplingPlanner : public Planner {
 public:
  std::string name() const override { return name_; }
  int64_t obs_dim() const override { return evaluator_->obs_dim(); }
  int64_t action_dim() const override { return action_dim_; }
  int64_t horizon() const override { return horizon_; }
  void Reset(uint64_t seed) override;

  uint64_t seed() const { return seed_; }
  const SequenceEvaluator& evaluator() const { return *evaluator_; }
  // The current sampling mean / warm start [H * A].
  std::span<const float> mean() const { return mean_; }

 protected:
  // Throws ConfigError when evaluator is null or the options are invalid.
  SamplingPlanner(std::string name, std::shared_ptr<SequenceEvaluator> evaluator, Executor& executor,
                  const SamplingOptions& options);

  void DoPlan(std::span<const float> obs, const Budget& budget, PlanResult& out) final;

  // Sizes the planner's own buffers; called once, on the first Plan.
  virtual void Allocate() = 0;
  // Called after the warm start was shifted into mean_ (and copied into plan_), before iteration 0.
  virtual void BeginPlan() {}
  // One iteration. Returns false (and leaves plan_ as it was) when the deadline cut it short.
  virtual bool Iterate(int64_t iteration) = 0;
  // Called after the last iteration, before the result is filled (e.g. to store the warm start in mean_).
  virtual void EndPlan() {}
  // Called by Reset after the base forgot the warm start.
  virtual void OnReset() {}

  // Scores n sequences [n, H, A]; false when the deadline cut it. Counts evaluations.
  bool EvaluateSequences(std::span<const float> sequences, int64_t n, int64_t iteration, std::span<float> returns);
  // Clamps every action of sequences [.., A] into the bounds.
  void ClipToBounds(std::span<float> sequences) const;
  // Shifts `count` sequences [count, H, A] by one step, filling the last step with the box centre.
  void ShiftSequences(std::span<float> sequences, int64_t count) const;
  Rng IterationRng(int64_t iteration) const;

  std::shared_ptr<SequenceEvaluator> evaluator_;
  Executor& executor_;
  SamplingOptions options_;
  std::string name_;
  int64_t horizon_;
  int64_t action_dim_;
  std::vector<float> low_, high_;  // [A] action bounds
  std::vector<float> center_;      // [A] box centre (0 where a bound is infinite)
  std::vector<float> half_range_;  // [A] half width of the box (1 where a bound is infinite)
  std::vector<float> mean_;        // [H * A] sampling mean; the warm start between Plans
  std::vector<float> plan_;        // [H * A] the plan to execute (best complete so far)
  double plan_return_ = 0.0;       // its estimated objective (NaN: not evaluated)
  std::vector<float> obs_;         // [O] the current observation
  bool has_warm_start_ = false;
  uint64_t seed_ = 0;
  uint64_t plan_index_ = 0;         // Plans since Reset
  const Budget* budget_ = nullptr;  // the current Plan's budget
  int64_t evaluations_ = 0;

 private:
  bool allocated_ = false;
};

// Indices of the k largest returns (NaN counts as the smallest; ties broken by the lower index) into
// index[0..k), sorted best first. index must hold n entries. No allocation.
void TopK(std::span<const float> returns, int64_t n, int64_t k, std::span<int64_t> index);

}  // namespace augur
