// MountainCarContinuous-v0, Gymnasium-exact (gymnasium/envs/classic_control/continuous_mountain_car.py).
#pragma once

#include <memory>

#include "augur/envs/env.h"

namespace augur::envs {

// Continuous mountain car. Observation [position, velocity] (float32), action [force] in [-1, 1] (the
// force is clamped, but the reward uses the unclipped action like Gymnasium), reward 100 on reaching
// position >= 0.45 with velocity >= 0, minus 0.1 action^2 every step; truncated after 999 steps.
// Gymnasium stores the state as float32 after every step; so does this env (computing in double).
// SimState: [position, velocity, elapsed].
class ContinuousMountainCarEnv : public Env {
 public:
  ContinuousMountainCarEnv();

  bool CanSetFromObservation() const override { return true; }
  std::unique_ptr<Env> Clone() const override { return std::make_unique<ContinuousMountainCarEnv>(*this); }

  // Constants of continuous_mountain_car.py.
  static constexpr double kMinAction = -1.0;
  static constexpr double kMaxAction = 1.0;
  static constexpr double kMinPosition = -1.2;
  static constexpr double kMaxPosition = 0.6;
  static constexpr double kMaxSpeed = 0.07;
  static constexpr double kGoalPosition = 0.45;
  static constexpr double kGoalVelocity = 0.0;
  static constexpr double kPower = 0.0015;

 protected:
  void DoReset(Rng& rng) override;
  StepInfo DoStep(std::span<const float> action, std::span<float> observation) override;
  void DoObservation(std::span<float> observation) const override;
  SimState DoGetState() const override { return {position_, velocity_}; }
  void DoSetState(std::span<const double> state) override;
  int64_t physics_state_size() const override { return 2; }
  void DoSetFromObservation(std::span<const float> observation) override;

 private:
  double position_ = 0.0;  // float64 right after reset, a float32 value after any step
  double velocity_ = 0.0;
};

}  // namespace augur::envs
