// Facts (constants, equations, reset ranges) from Gymnasium's gymnasium/envs/classic_control/pendulum.py
// and gymnasium/envs/__init__.py (max_episode_steps=200).
#include "augur/envs/pendulum.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace augur::envs {
namespace {

EnvSpec PendulumSpec() {
  EnvSpec spec;
  spec.id = "Pendulum-v1";
  spec.observation = Box{{-1.f, -1.f, -8.f}, {1.f, 1.f, 8.f}};
  spec.action = Box{{-2.f}, {2.f}};
  spec.max_steps = 200;
  spec.dt = PendulumEnv::kDt;
  return spec;
}

// Python's float modulo: the result has the sign of the divisor.
double PyMod(double x, double m) {
  double r = std::fmod(x, m);
  if (r != 0.0) {
    if ((m < 0) != (r < 0)) r += m;
  } else {
    r = std::copysign(0.0, m);
  }
  return r;
}

}  // namespace

double AngleNormalize(double x) { return PyMod(x + std::numbers::pi, 2 * std::numbers::pi) - std::numbers::pi; }

PendulumEnv::PendulumEnv(double gravity) : Env(PendulumSpec()), gravity_(gravity) {}

void PendulumEnv::DoReset(Rng& rng) {
  // state = uniform(low=-[pi, 1], high=[pi, 1]).
  theta_ = -std::numbers::pi + 2 * std::numbers::pi * rng.UniformDouble();
  theta_dot_ = -1.0 + 2.0 * rng.UniformDouble();
}

StepInfo PendulumEnv::DoStep(std::span<const float> action, std::span<float> observation) {
  // u = np.clip(u, -max_torque, max_torque)[0], a float32.
  const float u = std::clamp(action[0], static_cast<float>(-kMaxTorque), static_cast<float>(kMaxTorque));
  const double th = theta_, thdot = theta_dot_;
  // u is a float32 scalar; NumPy 1.x squares it in float64 (NumPy 2 in float32: a difference below 1e-9).
  const double ud = u;
  const double costs = AngleNormalize(th) * AngleNormalize(th) + 0.1 * thdot * thdot + 0.001 * (ud * ud);
  double new_thdot =
      thdot + (3 * gravity_ / (2 * kLength) * std::sin(th) + 3.0 / (kMass * kLength * kLength) * u) * kDt;
  new_thdot = std::clamp(new_thdot, -kMaxSpeed, kMaxSpeed);
  theta_ = th + new_thdot * kDt;
  theta_dot_ = new_thdot;
  DoObservation(observation);
  return {-costs, false, false};
}

void PendulumEnv::DoObservation(std::span<float> observation) const {
  observation[0] = static_cast<float>(std::cos(theta_));
  observation[1] = static_cast<float>(std::sin(theta_));
  observation[2] = static_cast<float>(theta_dot_);
}

void PendulumEnv::DoSetState(std::span<const double> state) {
  theta_ = state[0];
  theta_dot_ = state[1];
}

void PendulumEnv::DoSetFromObservation(std::span<const float> observation) {
  theta_ = std::atan2(static_cast<double>(observation[1]), static_cast<double>(observation[0]));
  theta_dot_ = observation[2];
}

}  // namespace augur::envs
