// Acrobot-v1, Gymnasium-exact (gymnasium/envs/classic_control/acrobot.py, Gymnasium 1.x).
#pragma once

#include <array>
#include <memory>

#include "augur/envs/env.h"

namespace augur::envs {

// Two-link pendulum actuated at the elbow, "book" dynamics (Sutton & Barto), one RK4 step of dt = 0.2 s,
// no torque noise. Observation [cos(theta1), sin(theta1), cos(theta2), sin(theta2), dtheta1, dtheta2]
// (float32), Discrete(3) action (torque -1, 0, +1), reward -1 per step and 0 on the terminating one,
// terminated when -cos(theta1) - cos(theta1 + theta2) > 1, truncated after 500 steps.
// SimState: [theta1, theta2, dtheta1, dtheta2, elapsed].
class AcrobotEnv : public Env {
 public:
  AcrobotEnv();

  bool CanSetFromObservation() const override { return true; }
  std::unique_ptr<Env> Clone() const override { return std::make_unique<AcrobotEnv>(*this); }

  // Constants of acrobot.py.
  static constexpr double kDt = 0.2;           // s
  static constexpr double kLinkLength1 = 1.0;  // m
  static constexpr double kLinkMass1 = 1.0;    // kg
  static constexpr double kLinkMass2 = 1.0;    // kg
  static constexpr double kLinkComPos1 = 0.5;  // m
  static constexpr double kLinkComPos2 = 0.5;  // m
  static constexpr double kLinkMoi = 1.0;      // moment of inertia of both links
  static double MaxVel1();                     // 4 pi rad/s
  static double MaxVel2();                     // 9 pi rad/s

  // d/dt of [theta1, theta2, dtheta1, dtheta2, torque] (acrobot.py's _dsdt, book dynamics).
  static std::array<double, 5> Derivatives(const std::array<double, 5>& s);

 protected:
  void DoReset(Rng& rng) override;
  StepInfo DoStep(std::span<const float> action, std::span<float> observation) override;
  void DoObservation(std::span<float> observation) const override;
  SimState DoGetState() const override { return {s_[0], s_[1], s_[2], s_[3]}; }
  void DoSetState(std::span<const double> state) override;
  int64_t physics_state_size() const override { return 4; }
  void DoSetFromObservation(std::span<const float> observation) override;

 private:
  std::array<double, 4> s_{};
};

}  // namespace augur::envs
