// CartPole-v1, Gymnasium-exact (gymnasium/envs/classic_control/cartpole.py, Gymnasium 1.x).
#pragma once

#include <memory>

#include "augur/envs/env.h"

namespace augur::envs {

// Cart-pole balancing with the Euler integrator. Observation [x, x_dot, theta, theta_dot] (float32),
// Discrete(2) action (0 pushes left, 1 right, force 10 N), reward 1 on every step including the one that
// terminates (0 on steps taken after termination, as Gymnasium), terminated when |x| > 2.4 or
// |theta| > 12 degrees, truncated after 500 steps.
// SimState: [x, x_dot, theta, theta_dot, steps_beyond_terminated (-1 = None), elapsed].
class CartPoleEnv : public Env {
 public:
  CartPoleEnv();

  bool CanSetFromObservation() const override { return true; }
  std::unique_ptr<Env> Clone() const override { return std::make_unique<CartPoleEnv>(*this); }

  // Constants of cartpole.py.
  static constexpr double kGravity = 9.8;     // m/s^2
  static constexpr double kMassCart = 1.0;    // kg
  static constexpr double kMassPole = 0.1;    // kg
  static constexpr double kLength = 0.5;      // m, half the pole's length
  static constexpr double kForceMag = 10.0;   // N
  static constexpr double kTau = 0.02;        // s between state updates
  static constexpr double kXThreshold = 2.4;  // m
  static double ThetaThreshold();             // 12 * 2 * pi / 360 rad

 protected:
  void DoReset(Rng& rng) override;
  StepInfo DoStep(std::span<const float> action, std::span<float> observation) override;
  void DoObservation(std::span<float> observation) const override;
  SimState DoGetState() const override;
  void DoSetState(std::span<const double> state) override;
  int64_t physics_state_size() const override { return 5; }
  void DoSetFromObservation(std::span<const float> observation) override;

 private:
  double x_ = 0, x_dot_ = 0, theta_ = 0, theta_dot_ = 0;
  int steps_beyond_terminated_ = -1;  // -1 stands for Gymnasium's None
};

}  // namespace augur::envs
