// Facts (constants, equations, thresholds, reward rule, reset ranges) from Gymnasium's
// gymnasium/envs/classic_control/cartpole.py (CartPoleEnv) and gymnasium/envs/__init__.py
// (CartPole-v1: max_episode_steps=500, reward_threshold=475.0).
#include "augur/envs/cartpole.h"

#include <cmath>
#include <numbers>

namespace augur::envs {
namespace {

EnvSpec CartPoleSpec() {
  const float theta2 = static_cast<float>(CartPoleEnv::ThetaThreshold() * 2);
  const float inf = INFINITY;
  EnvSpec spec;
  spec.id = "CartPole-v1";
  spec.observation = Box{{-4.8f, -inf, -theta2, -inf}, {4.8f, inf, theta2, inf}};
  spec.action = Discrete{2};
  spec.max_steps = 500;
  spec.dt = CartPoleEnv::kTau;
  spec.reward_threshold = 475.0;
  return spec;
}

}  // namespace

double CartPoleEnv::ThetaThreshold() { return 12 * 2 * std::numbers::pi / 360; }

CartPoleEnv::CartPoleEnv() : Env(CartPoleSpec()) {}

void CartPoleEnv::DoReset(Rng& rng) {
  // state = uniform(low=-0.05, high=0.05, size=(4,)).
  double* s[] = {&x_, &x_dot_, &theta_, &theta_dot_};
  for (double* v : s) *v = -0.05 + 0.1 * rng.UniformDouble();
  steps_beyond_terminated_ = -1;
}

StepInfo CartPoleEnv::DoStep(std::span<const float> action, std::span<float> observation) {
  constexpr double kTotalMass = kMassPole + kMassCart;
  constexpr double kPolemassLength = kMassPole * kLength;
  const double force = action[0] == 1.f ? kForceMag : -kForceMag;
  const double costheta = std::cos(theta_);
  const double sintheta = std::sin(theta_);
  const double temp = (force + kPolemassLength * (theta_dot_ * theta_dot_) * sintheta) / kTotalMass;
  const double thetaacc = (kGravity * sintheta - costheta * temp) /
                          (kLength * (4.0 / 3.0 - kMassPole * (costheta * costheta) / kTotalMass));
  const double xacc = temp - kPolemassLength * thetaacc * costheta / kTotalMass;
  // kinematics_integrator == "euler".
  x_ = x_ + kTau * x_dot_;
  x_dot_ = x_dot_ + kTau * xacc;
  theta_ = theta_ + kTau * theta_dot_;
  theta_dot_ = theta_dot_ + kTau * thetaacc;

  const double th = ThetaThreshold();
  const bool terminated = x_ < -kXThreshold || x_ > kXThreshold || theta_ < -th || theta_ > th;
  double reward;
  if (!terminated) {
    reward = 1.0;
  } else if (steps_beyond_terminated_ < 0) {
    steps_beyond_terminated_ = 0;  // the pole just fell: still reward 1
    reward = 1.0;
  } else {
    ++steps_beyond_terminated_;
    reward = 0.0;
  }
  DoObservation(observation);
  return {reward, terminated, false};
}

void CartPoleEnv::DoObservation(std::span<float> observation) const {
  observation[0] = static_cast<float>(x_);
  observation[1] = static_cast<float>(x_dot_);
  observation[2] = static_cast<float>(theta_);
  observation[3] = static_cast<float>(theta_dot_);
}

SimState CartPoleEnv::DoGetState() const {
  return {x_, x_dot_, theta_, theta_dot_, static_cast<double>(steps_beyond_terminated_)};
}

void CartPoleEnv::DoSetState(std::span<const double> state) {
  x_ = state[0];
  x_dot_ = state[1];
  theta_ = state[2];
  theta_dot_ = state[3];
  steps_beyond_terminated_ = state[4] < 0 ? -1 : static_cast<int>(state[4]);
}

void CartPoleEnv::DoSetFromObservation(std::span<const float> observation) {
  x_ = observation[0];
  x_dot_ = observation[1];
  theta_ = observation[2];
  theta_dot_ = observation[3];
  steps_beyond_terminated_ = -1;
}

}  // namespace augur::envs
