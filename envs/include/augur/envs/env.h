// Env: one interface for every reference simulator (reset from a seed, step, exact simulator state).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "augur/core/rng.h"
#include "augur/core/spaces.h"

namespace augur::envs {

// What one step returns. Observation layouts follow Gymnasium (float32).
struct StepResult {
  std::vector<float> observation;  // [obs_dim]
  double reward = 0.0;
  bool terminated = false;  // the MDP reached a terminal state (Gymnasium's `terminated`)
  bool truncated = false;   // the time limit spec().max_steps was reached (Gymnasium's TimeLimit)
};

// The same without the observation, for steps that write their observation into a caller's buffer.
struct StepInfo {
  double reward = 0.0;
  bool terminated = false;
  bool truncated = false;
};

// The full simulator state in double precision. Layout per env (documented in its header), always followed
// by one last entry: the number of steps taken since the last reset (the TimeLimit counter).
using SimState = std::vector<double>;

// A simulator behind one interface. Public methods check their inputs and keep the time limit; subclasses
// implement the protected hooks (Do*). An Env is not thread-safe; Clone() one per thread.
class Env {
 public:
  virtual ~Env() = default;

  const EnvSpec& spec() const { return spec_; }
  // Steps taken in this episode: 0 after Reset, the stored count after SetState, the given count after
  // SetFromObservation. Step sets truncated once it reaches spec().max_steps.
  int elapsed_steps() const { return elapsed_steps_; }
  // Whether a start state has been set (by Reset, SetState or SetFromObservation).
  bool has_state() const { return has_state_; }

  // Samples the start state from augur::Rng(seed, 0) over Gymnasium's reset ranges (not NumPy's stream, so
  // the same seed gives a different start state than Gymnasium); resets elapsed_steps(); returns the observation.
  std::vector<float> Reset(uint64_t seed);
  // Box actions: action.size() == dim; values outside the bounds are clipped where Gymnasium clips.
  // Discrete actions: action.size() == 1 and action[0] holds the index. A wrong size throws ShapeError,
  // an index outside [0, n), a non-integer index or NaN throws RangeError, a step before any start state
  // throws StateError. Stepping after termination is allowed and behaves like Gymnasium's env.
  StepResult Step(std::span<const float> action);
  // Step writing the observation into `observation` (size obs_dim): no allocation.
  StepInfo StepInto(std::span<const float> action, std::span<float> observation);
  // The current observation (throws StateError before any start state).
  std::vector<float> Observation() const;
  void ObservationInto(std::span<float> observation) const;

  // Exact state, elapsed steps included (see SimState). SetState throws ShapeError on a wrong size and
  // RangeError on a non-finite value.
  SimState GetState() const;
  void SetState(const SimState& state);

  // Whether the observation determines the simulator state, so that SetFromObservation is exact up to
  // float32 rounding. True for the classic control envs.
  virtual bool CanSetFromObservation() const { return false; }
  // Sets the simulator to the state the observation shows, with elapsed_steps() = `elapsed_steps`.
  // Throws ShapeError on a wrong size, RangeError on NaN, StateError when the env cannot do it.
  void SetFromObservation(std::span<const float> observation, int elapsed_steps = 0);

  // An independent copy with the same state (subclasses copy-construct themselves).
  virtual std::unique_ptr<Env> Clone() const = 0;

  // Envs whose step draws one of K outcomes with known probabilities (SlipperyGridEnv) return K > 0 and
  // expose the outcomes, so that search can build exact chance nodes (ChanceEnvModel). 0: not enumerable.
  virtual int64_t num_outcomes() const { return 0; }
  // At the current state: the probabilities of the K outcomes of `action` into `probs` (size K, sum 1).
  // Same checks as Step; StateError when num_outcomes() == 0; ShapeError on a wrong probs size.
  void OutcomeProbs(std::span<const float> action, std::span<float> probs) const;
  // Step with outcome `outcome` in [0, K) instead of a random draw (RangeError outside); keeps the time limit
  // as Step does.
  StepInfo StepOutcome(std::span<const float> action, int64_t outcome, std::span<float> observation);

 protected:
  explicit Env(EnvSpec spec);

  // Samples the start state.
  virtual void DoReset(Rng& rng) = 0;
  // Advances one step with a validated action (Box: size checked, finite, not clipped yet; Discrete: one
  // float holding a valid index) and writes the observation.
  virtual StepInfo DoStep(std::span<const float> action, std::span<float> observation) = 0;
  virtual void DoObservation(std::span<float> observation) const = 0;
  // Physics state without the elapsed-steps entry, and its size.
  virtual SimState DoGetState() const = 0;
  virtual void DoSetState(std::span<const double> state) = 0;
  virtual int64_t physics_state_size() const = 0;
  // Called with an observation of the right size and finite values.
  virtual void DoSetFromObservation(std::span<const float> observation);
  // Envs with num_outcomes() > 0: called with a validated action (and outcome index).
  virtual void DoOutcomeProbs(std::span<const float> action, std::span<float> probs) const;
  virtual StepInfo DoStepOutcome(std::span<const float> action, int64_t outcome, std::span<float> observation);

 private:
  void CheckAction(std::span<const float> action) const;
  void CheckHasState(const char* call) const;
  void CheckEnumerable(const char* call) const;
  // Counts the step and applies the time limit.
  StepInfo Count(StepInfo info);

  EnvSpec spec_;
  int elapsed_steps_ = 0;
  bool has_state_ = false;
};

}  // namespace augur::envs
