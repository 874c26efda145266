// The planner contract: a model (through an evaluator) and an objective in, an action out.
//
// Lifecycle (as in MuJoCo MPC): construct with everything it needs (buffers are sized there or on the first
// Plan), Reset(seed) forgets the warm start, Plan(obs, budget) returns the action to execute now plus the
// whole time-indexed plan. Plan() is the public method that checks its input and times the call; DoPlan()
// is the hook each planner implements.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "augur/core/budget.h"
#include "augur/core/spaces.h"

namespace augur {

class Executor;

struct PlanResult {
  std::vector<float> action;        // [A] the action to execute now
  std::vector<float> plan;          // [H * A] the planned sequence, time-indexed from now (plan[0..A) == action)
  std::vector<float> predicted_states;  // [(H + 1) * S] predicted trajectory of the plan (may be empty)
  double predicted_return = 0.0;    // objective value of the plan as the planner estimated it
  int64_t iterations = 0;           // complete planner iterations (or search simulations)
  int64_t evaluations = 0;          // model transitions predicted (rows x steps)
  double seconds = 0.0;             // wall time of the call
  bool cut_short = false;           // the deadline ended planning before the iteration budget
};

// Scores action sequences by rolling them through a model (rollouts/ implements it for WorldModels, envs/
// for true simulators). Planners see only this, never a concrete model.
class SequenceEvaluator {
 public:
  virtual ~SequenceEvaluator() = default;
  virtual int64_t obs_dim() const = 0;
  virtual int64_t action_dim() const = 0;
  virtual int64_t state_dim() const = 0;
  // The box planners keep actions in (clip). Default: unbounded in every dimension.
  virtual Box action_bounds() const;
  // Sets the start of the following evaluations (encodes the observation).
  virtual void SetStart(std::span<const float> obs) = 0;
  // actions [n, horizon, A] row-major -> returns [n] (objective value, mean over particles). Randomness is
  // keyed by (seed, iteration) and the evaluator's own chunking, so results do not depend on threads.
  // With a deadline, the evaluator checks it between its chunks and skips the chunks not yet started once it
  // has passed; it returns false when it skipped any (those returns are unspecified), true when all n were
  // scored. No allocation once warm (same n and horizon).
  virtual bool Evaluate(std::span<const float> actions, int64_t n, int64_t horizon, uint64_t seed,
                        uint64_t iteration, std::span<float> returns, Executor& executor,
                        std::optional<Clock::time_point> deadline) = 0;
  // Mean predicted states of one action sequence [horizon, A] from the start into states
  // [(horizon + 1) * S]. May allocate on the first call only.
  virtual void PredictStates(std::span<const float> actions, int64_t horizon, std::span<float> states) = 0;
  // Transitions predicted per sequence and step (particles), for PlanResult::evaluations.
  virtual int64_t rows_per_sequence() const { return 1; }
};

class Planner {
 public:
  virtual ~Planner() = default;

  virtual std::string name() const = 0;
  virtual int64_t obs_dim() const = 0;
  virtual int64_t action_dim() const = 0;
  virtual int64_t horizon() const = 0;

  // Forgets the warm start and reseeds.
  virtual void Reset(uint64_t seed) = 0;

  // Checks obs (size, NaN) and the budget, then plans. Throws ShapeError / ConfigError naming the problem.
  PlanResult Plan(std::span<const float> obs, const Budget& budget);
  // Same, into a PlanResult reused between calls: once its vectors have their sizes (after the first call),
  // a planner that allocates nothing in its loop makes this call allocation-free.
  void Plan(std::span<const float> obs, const Budget& budget, PlanResult& out);

 protected:
  // Fills `out` (whose scalar fields Plan() has reset; its vectors keep their previous contents and capacity).
  virtual void DoPlan(std::span<const float> obs, const Budget& budget, PlanResult& out) = 0;
};

}  // namespace augur
