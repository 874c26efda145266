// MountainCar-v0, Gymnasium-exact (gymnasium/envs/classic_control/mountain_car.py, Gymnasium 1.x).
#pragma once

#include <memory>

#include "augur/envs/env.h"

namespace augur::envs {

// Under-powered car in a valley. Observation [position, velocity] (float32), Discrete(3) action
// (0 accelerate left, 1 none, 2 right), reward -1 per step, terminated when position >= 0.5 and
// velocity >= 0, truncated after 200 steps. The state is kept in float64 like Gymnasium.
// SimState: [position, velocity, elapsed].
class MountainCarEnv : public Env {
 public:
  MountainCarEnv();

  bool CanSetFromObservation() const override { return true; }
  std::unique_ptr<Env> Clone() const override { return std::make_unique<MountainCarEnv>(*this); }

  // Constants of mountain_car.py.
  static constexpr double kMinPosition = -1.2;
  static constexpr double kMaxPosition = 0.6;
  static constexpr double kMaxSpeed = 0.07;
  static constexpr double kGoalPosition = 0.5;
  static constexpr double kGoalVelocity = 0.0;
  static constexpr double kForce = 0.001;
  static constexpr double kGravity = 0.0025;

 protected:
  void DoReset(Rng& rng) override;
  StepInfo DoStep(std::span<const float> action, std::span<float> observation) override;
  void DoObservation(std::span<float> observation) const override;
  SimState DoGetState() const override { return {position_, velocity_}; }
  void DoSetState(std::span<const double> state) override;
  int64_t physics_state_size() const override { return 2; }
  void DoSetFromObservation(std::span<const float> observation) override;

 private:
  double position_ = 0.0;
  double velocity_ = 0.0;
};

}  // namespace augur::envs
