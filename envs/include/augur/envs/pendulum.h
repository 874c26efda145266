// Pendulum-v1, Gymnasium-exact (gymnasium/envs/classic_control/pendulum.py, Gymnasium 1.x).
#pragma once

#include <memory>

#include "augur/envs/env.h"

namespace augur::envs {

// Torque-limited pendulum swing-up. Observation [cos(theta), sin(theta), theta_dot] (float32),
// action [torque] in [-2, 2] N m (clipped), reward -(angle_normalize(theta)^2 + 0.1 theta_dot^2 + 0.001 u^2),
// never terminates, truncated after 200 steps. SimState: [theta, theta_dot, elapsed].
class PendulumEnv : public Env {
 public:
  // Gravity in m/s^2; Gymnasium's default is 10.0.
  explicit PendulumEnv(double gravity = 10.0);

  bool CanSetFromObservation() const override { return true; }
  std::unique_ptr<Env> Clone() const override { return std::make_unique<PendulumEnv>(*this); }

  // Constants of pendulum.py.
  static constexpr double kMaxSpeed = 8.0;   // rad/s, theta_dot is clipped to +-kMaxSpeed
  static constexpr double kMaxTorque = 2.0;  // N m
  static constexpr double kDt = 0.05;        // s
  static constexpr double kMass = 1.0;       // kg
  static constexpr double kLength = 1.0;     // m

 protected:
  void DoReset(Rng& rng) override;
  StepInfo DoStep(std::span<const float> action, std::span<float> observation) override;
  void DoObservation(std::span<float> observation) const override;
  SimState DoGetState() const override { return {theta_, theta_dot_}; }
  void DoSetState(std::span<const double> state) override;
  int64_t physics_state_size() const override { return 2; }
  void DoSetFromObservation(std::span<const float> observation) override;

 private:
  double gravity_;
  double theta_ = 0.0;
  double theta_dot_ = 0.0;
};

// pendulum.py's angle_normalize: ((x + pi) mod 2 pi) - pi with Python's floored modulo.
double AngleNormalize(double x);

}  // namespace augur::envs
