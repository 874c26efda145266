// Facts (constants, book dynamics, rk4, wrap/bound, terminal rule, reward, float32 reset state) from
// Gymnasium's gymnasium/envs/classic_control/acrobot.py and gymnasium/envs/__init__.py
// (Acrobot-v1: max_episode_steps=500, reward_threshold=-100.0).
#include "augur/envs/acrobot.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace augur::envs {
namespace {

constexpr double kPi = std::numbers::pi;

EnvSpec AcrobotSpec() {
  const float v1 = static_cast<float>(AcrobotEnv::MaxVel1());
  const float v2 = static_cast<float>(AcrobotEnv::MaxVel2());
  EnvSpec spec;
  spec.id = "Acrobot-v1";
  spec.observation = Box{{-1.f, -1.f, -1.f, -1.f, -v1, -v2}, {1.f, 1.f, 1.f, 1.f, v1, v2}};
  spec.action = Discrete{3};
  spec.max_steps = 500;
  spec.dt = AcrobotEnv::kDt;
  spec.reward_threshold = -100.0;
  return spec;
}

// acrobot.py's wrap(x, m, M): shifts x by (M - m) until m <= x <= M.
double Wrap(double x, double m, double M) {
  const double diff = M - m;
  while (x > M) x = x - diff;
  while (x < m) x = x + diff;
  return x;
}

// acrobot.py's bound(x, m, M) = min(max(x, m), M).
double Bound(double x, double m, double M) { return std::min(std::max(x, m), M); }

}  // namespace

double AcrobotEnv::MaxVel1() { return 4 * kPi; }
double AcrobotEnv::MaxVel2() { return 9 * kPi; }

AcrobotEnv::AcrobotEnv() : Env(AcrobotSpec()) {}

std::array<double, 5> AcrobotEnv::Derivatives(const std::array<double, 5>& sa) {
  const double m1 = kLinkMass1, m2 = kLinkMass2, l1 = kLinkLength1;
  const double lc1 = kLinkComPos1, lc2 = kLinkComPos2, I1 = kLinkMoi, I2 = kLinkMoi;
  const double g = 9.8;
  const double a = sa[4];
  const double theta1 = sa[0], theta2 = sa[1], dtheta1 = sa[2], dtheta2 = sa[3];
  const double d1 = m1 * lc1 * lc1 + m2 * (l1 * l1 + lc2 * lc2 + 2 * l1 * lc2 * std::cos(theta2)) + I1 + I2;
  const double d2 = m2 * (lc2 * lc2 + l1 * lc2 * std::cos(theta2)) + I2;
  const double phi2 = m2 * lc2 * g * std::cos(theta1 + theta2 - kPi / 2.0);
  const double phi1 = -m2 * l1 * lc2 * dtheta2 * dtheta2 * std::sin(theta2) -
                      2 * m2 * l1 * lc2 * dtheta2 * dtheta1 * std::sin(theta2) +
                      (m1 * lc1 + m2 * l1) * g * std::cos(theta1 - kPi / 2) + phi2;
  // book_or_nips == "book": consistent with the java implementation and the book.
  const double ddtheta2 = (a + d2 / d1 * phi1 - m2 * l1 * lc2 * dtheta1 * dtheta1 * std::sin(theta2) - phi2) /
                          (m2 * lc2 * lc2 + I2 - d2 * d2 / d1);
  const double ddtheta1 = -(d2 * ddtheta2 + phi1) / d1;
  return {dtheta1, dtheta2, ddtheta1, ddtheta2, 0.0};
}

void AcrobotEnv::DoReset(Rng& rng) {
  // state = uniform(low=-0.1, high=0.1, size=(4,)).astype(np.float32).
  for (double& v : s_) v = static_cast<float>(-0.1 + 0.2 * rng.UniformDouble());
}

StepInfo AcrobotEnv::DoStep(std::span<const float> action, std::span<float> observation) {
  static constexpr double kAvailTorque[3] = {-1.0, 0.0, +1.0};
  const double torque = kAvailTorque[static_cast<int>(action[0])];  // torque_noise_max = 0
  // rk4(self._dsdt, s_augmented, [0, self.dt]): a single classic Runge-Kutta step.
  const std::array<double, 5> y0 = {s_[0], s_[1], s_[2], s_[3], torque};
  const double dt = kDt - 0.0;
  const double dt2 = dt / 2.0;
  auto axpy = [](const std::array<double, 5>& y, double h, const std::array<double, 5>& k) {
    std::array<double, 5> out;
    for (int i = 0; i < 5; ++i) out[i] = y[i] + h * k[i];
    return out;
  };
  const auto k1 = Derivatives(y0);
  const auto k2 = Derivatives(axpy(y0, dt2, k1));
  const auto k3 = Derivatives(axpy(y0, dt2, k2));
  const auto k4 = Derivatives(axpy(y0, dt, k3));
  std::array<double, 4> ns;
  for (int i = 0; i < 4; ++i) ns[i] = y0[i] + dt / 6.0 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);

  s_[0] = Wrap(ns[0], -kPi, kPi);
  s_[1] = Wrap(ns[1], -kPi, kPi);
  s_[2] = Bound(ns[2], -MaxVel1(), MaxVel1());
  s_[3] = Bound(ns[3], -MaxVel2(), MaxVel2());
  const bool terminated = -std::cos(s_[0]) - std::cos(s_[1] + s_[0]) > 1.0;
  DoObservation(observation);
  return {terminated ? 0.0 : -1.0, terminated, false};
}

void AcrobotEnv::DoObservation(std::span<float> observation) const {
  observation[0] = static_cast<float>(std::cos(s_[0]));
  observation[1] = static_cast<float>(std::sin(s_[0]));
  observation[2] = static_cast<float>(std::cos(s_[1]));
  observation[3] = static_cast<float>(std::sin(s_[1]));
  observation[4] = static_cast<float>(s_[2]);
  observation[5] = static_cast<float>(s_[3]);
}

void AcrobotEnv::DoSetState(std::span<const double> state) {
  for (int i = 0; i < 4; ++i) s_[i] = state[i];
}

void AcrobotEnv::DoSetFromObservation(std::span<const float> observation) {
  s_[0] = std::atan2(static_cast<double>(observation[1]), static_cast<double>(observation[0]));
  s_[1] = std::atan2(static_cast<double>(observation[3]), static_cast<double>(observation[2]));
  s_[2] = observation[4];
  s_[3] = observation[5];
}

}  // namespace augur::envs
