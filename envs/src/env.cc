#include "augur/envs/env.h"

#include <cmath>
#include <utility>
#include <variant>

#include "augur/core/error.h"

namespace augur::envs {

Env::Env(EnvSpec spec) : spec_(std::move(spec)) { spec_.Validate(); }

std::vector<float> Env::Reset(uint64_t seed) {
  Rng rng(seed);
  DoReset(rng);
  elapsed_steps_ = 0;
  has_state_ = true;
  return Observation();
}

void Env::CheckHasState(const char* call) const {
  if (!has_state_) {
    throw StateError(StrCat(spec_.id, ": ", call, " before any start state; call Reset(seed), SetState or ",
                            "SetFromObservation first"));
  }
}

void Env::CheckAction(std::span<const float> action) const {
  const int64_t want = spec_.action_dim();
  if (static_cast<int64_t>(action.size()) != want) {
    throw ShapeError(StrCat(spec_.id, ": action has ", action.size(), " values but the action space ",
                            ToString(spec_.action), " needs ", want));
  }
  if (const auto* d = std::get_if<Discrete>(&spec_.action)) {
    const float a = action[0];
    if (!(a >= 0.f && a < static_cast<float>(d->n)) || a != std::floor(a)) {
      throw RangeError(
          StrCat(spec_.id, ": discrete action ", a, " is not an index in [0, ", d->n, "); give an integer index"));
    }
    return;
  }
  for (size_t i = 0; i < action.size(); ++i) {
    if (!std::isfinite(action[i])) {
      throw RangeError(StrCat(spec_.id, ": action[", i, "] = ", action[i], " is not finite; give finite values (",
                              "out-of-bound values are clipped like Gymnasium does)"));
    }
  }
}

StepInfo Env::StepInto(std::span<const float> action, std::span<float> observation) {
  CheckHasState("Step");
  CheckAction(action);
  AUGUR_CHECK_EQ(static_cast<int64_t>(observation.size()), spec_.obs_dim());
  return Count(DoStep(action, observation));
}

StepInfo Env::Count(StepInfo info) {
  ++elapsed_steps_;
  // Gymnasium's TimeLimit wrapper: truncated once the step count reaches max_episode_steps.
  if (spec_.max_steps > 0 && elapsed_steps_ >= spec_.max_steps) info.truncated = true;
  return info;
}

void Env::CheckEnumerable(const char* call) const {
  if (num_outcomes() <= 0) {
    throw StateError(StrCat(spec_.id, ": ", call, " needs an env with enumerable stochastic outcomes; this env's ",
                            "steps are not enumerable (num_outcomes() == 0)"));
  }
}

void Env::OutcomeProbs(std::span<const float> action, std::span<float> probs) const {
  CheckEnumerable("OutcomeProbs");
  CheckHasState("OutcomeProbs");
  CheckAction(action);
  if (static_cast<int64_t>(probs.size()) != num_outcomes()) {
    throw ShapeError(StrCat(spec_.id, ": OutcomeProbs got a buffer of ", probs.size(), " values but the env has ",
                            num_outcomes(), " outcomes"));
  }
  DoOutcomeProbs(action, probs);
}

StepInfo Env::StepOutcome(std::span<const float> action, int64_t outcome, std::span<float> observation) {
  CheckEnumerable("StepOutcome");
  CheckHasState("StepOutcome");
  CheckAction(action);
  if (outcome < 0 || outcome >= num_outcomes()) {
    throw RangeError(StrCat(spec_.id, ": outcome ", outcome, " is not in [0, ", num_outcomes(), ")"));
  }
  AUGUR_CHECK_EQ(static_cast<int64_t>(observation.size()), spec_.obs_dim());
  return Count(DoStepOutcome(action, outcome, observation));
}

void Env::DoOutcomeProbs(std::span<const float>, std::span<float>) const {
  AUGUR_CHECK(false) << spec_.id << " says num_outcomes() > 0 but does not implement DoOutcomeProbs";
}

StepInfo Env::DoStepOutcome(std::span<const float>, int64_t, std::span<float>) {
  AUGUR_CHECK(false) << spec_.id << " says num_outcomes() > 0 but does not implement DoStepOutcome";
  return {};
}

StepResult Env::Step(std::span<const float> action) {
  StepResult result;
  result.observation.resize(spec_.obs_dim());
  const StepInfo info = StepInto(action, result.observation);
  result.reward = info.reward;
  result.terminated = info.terminated;
  result.truncated = info.truncated;
  return result;
}

std::vector<float> Env::Observation() const {
  std::vector<float> obs(spec_.obs_dim());
  ObservationInto(obs);
  return obs;
}

void Env::ObservationInto(std::span<float> observation) const {
  CheckHasState("Observation");
  AUGUR_CHECK_EQ(static_cast<int64_t>(observation.size()), spec_.obs_dim());
  DoObservation(observation);
}

SimState Env::GetState() const {
  CheckHasState("GetState");
  SimState state = DoGetState();
  AUGUR_CHECK_EQ(static_cast<int64_t>(state.size()), physics_state_size());
  state.push_back(elapsed_steps_);
  return state;
}

void Env::SetState(const SimState& state) {
  const int64_t want = physics_state_size() + 1;
  if (static_cast<int64_t>(state.size()) != want) {
    throw ShapeError(StrCat(spec_.id, ": SetState got ", state.size(), " values but the state has ", want,
                            " (physics state + elapsed steps); pass a vector from GetState()"));
  }
  for (size_t i = 0; i < state.size(); ++i) {
    if (!std::isfinite(state[i])) {
      throw RangeError(StrCat(spec_.id, ": SetState value [", i, "] = ", state[i], " is not finite"));
    }
  }
  const double elapsed = state.back();
  if (elapsed < 0 || elapsed != std::floor(elapsed) || elapsed > 1e9) {
    throw RangeError(StrCat(spec_.id, ": SetState elapsed steps = ", elapsed, " must be a non-negative integer"));
  }
  DoSetState(std::span<const double>(state.data(), state.size() - 1));
  elapsed_steps_ = static_cast<int>(elapsed);
  has_state_ = true;
}

void Env::SetFromObservation(std::span<const float> observation, int elapsed_steps) {
  if (!CanSetFromObservation()) {
    throw StateError(StrCat(spec_.id, ": the observation does not determine the simulator state, so the env ",
                            "cannot be set from it; use SetState"));
  }
  if (static_cast<int64_t>(observation.size()) != spec_.obs_dim()) {
    throw ShapeError(StrCat(spec_.id, ": SetFromObservation got ", observation.size(), " values but observations have ",
                            spec_.obs_dim()));
  }
  for (size_t i = 0; i < observation.size(); ++i) {
    if (!std::isfinite(observation[i])) {
      throw RangeError(StrCat(spec_.id, ": observation[", i, "] = ", observation[i], " is not finite"));
    }
  }
  if (elapsed_steps < 0) {
    throw RangeError(StrCat(spec_.id, ": elapsed_steps = ", elapsed_steps, " must be >= 0"));
  }
  DoSetFromObservation(observation);
  elapsed_steps_ = elapsed_steps;
  has_state_ = true;
}

void Env::DoSetFromObservation(std::span<const float>) {
  AUGUR_CHECK(false) << spec_.id << " says CanSetFromObservation() but does not implement DoSetFromObservation";
}

}  // namespace augur::envs
