// Facts (dynamics matrix, force scaling, reset ranges, target schedule, observation layout, reward, horizon,
// normalization constants) from polixir/NeoRL2 (commit b50d91d): neorl2/envs/dmsd.py
// (DoubleMassSpringDamperEnv), neorl2/envs/reward/dmsd_reward.py (get_reward), neorl2/envs/__init__.py
// (register(id='DMSD', kwargs=dict(mode='train'), max_episode_steps=100)) and neorl2/envs/info.py.
#include "augur/envs/dmsd.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "augur/core/error.h"

namespace augur::envs {
namespace {

EnvSpec DmsdSpec() {
  constexpr float kInf = std::numeric_limits<float>::infinity();
  EnvSpec spec;
  spec.id = "DMSD";
  spec.observation = Box::Uniform(6, -kInf, kInf);
  spec.action = Box::Uniform(2, -1.f, 1.f);
  spec.max_steps = 100;
  spec.dt = DmsdEnv::kDt;
  return spec;
}

}  // namespace

double DmsdEnv::NormalizedScore(double episode_return) {
  return 100.0 * (episode_return - kMinScore) / (kMaxScore - kMinScore);
}

DmsdEnv::DmsdEnv(double mass) : Env(DmsdSpec()), mass_(mass) {
  if (!(mass > 0) || !std::isfinite(mass)) throw ConfigError(StrCat("DMSD: mass = ", mass, " must be finite and > 0"));
}

void DmsdEnv::DoReset(Rng& rng) {
  const auto uniform = [&rng](double bound) { return -bound + 2 * bound * rng.UniformDouble(); };
  // sample_targets: per mass, randint(1, max_targets_per_ep + 1) targets, each uniform in target_bounds.
  for (auto& t : targets_) {
    const bool two = rng.UniformInt(2) == 1;
    t[0] = uniform(kTargetBound);
    t[1] = two ? uniform(kTargetBound) : t[0];
  }
  // sample_starts: positions then velocities.
  for (double& x : x_) x = uniform(kStartPosBound);
  for (double& v : v_) v = uniform(kStartVelBound);
}

StepInfo DmsdEnv::DoStep(std::span<const float> action, std::span<float> observation) {
  const double k = kStiffness, d = kDamping, m = mass_, dt = kDt;
  // action = (clip(a, -1, 1) + 1) / 2 * (30 - (-30)) + (-30), in float32 like NumPy on a float32 action.
  std::array<float, 2> force;
  for (int i = 0; i < 2; ++i) {
    const float a = std::clamp(action[i], -1.f, 1.f);
    force[i] = (a + 1.f) / 2.f * (2 * kMaxForce) + (-kMaxForce);
  }
  // state = dynamics_mat @ state (k1 = k2 = k3 = k, d1 = d2 = d3 = d, m1 = m2 = m), then
  // state[2:] += dt * [1 / m1, 1 / m2] * action.
  const double x1 = x_[0], x2 = x_[1], v1 = v_[0], v2 = v_[1];
  x_[0] = x1 + dt * v1;
  x_[1] = x2 + dt * v2;
  v_[0] = -dt * (k + k) / m * x1 + dt * k / m * x2 + (1 - dt * (d + d) / m) * v1 + dt * d / m * v2;
  v_[1] = dt * k / m * x1 - dt * (k + k) / m * x2 + dt * d / m * v1 + (1 - dt * (d + d) / m) * v2;
  v_[0] += dt * (1 / m) * force[0];
  v_[1] += dt * (1 / m) * force[1];
  DoObservation(observation);  // Env increments elapsed_steps() after DoStep: the next target is t + 1's
  const int t = elapsed_steps() + 1;
  observation[4] = static_cast<float>(Target(0, t));
  observation[5] = static_cast<float>(Target(1, t));
  // get_reward on the float32 next observation: sum(-log(|position - target| + 0.01)), in float32.
  float reward = 0.f;
  for (int i = 0; i < 2; ++i) reward += -std::log(std::fabs(observation[i] - observation[4 + i]) + 0.01f);
  return {reward, false, false};
}

void DmsdEnv::DoObservation(std::span<float> observation) const {
  const int t = elapsed_steps();
  observation[0] = static_cast<float>(x_[0]);
  observation[1] = static_cast<float>(x_[1]);
  observation[2] = static_cast<float>(v_[0]);
  observation[3] = static_cast<float>(v_[1]);
  observation[4] = static_cast<float>(Target(0, t));
  observation[5] = static_cast<float>(Target(1, t));
}

SimState DmsdEnv::DoGetState() const {
  return {x_[0], x_[1], v_[0], v_[1], targets_[0][0], targets_[0][1], targets_[1][0], targets_[1][1]};
}

void DmsdEnv::DoSetState(std::span<const double> state) {
  x_ = {state[0], state[1]};
  v_ = {state[2], state[3]};
  targets_[0] = {state[4], state[5]};
  targets_[1] = {state[6], state[7]};
}

void DmsdEnv::DoSetFromObservation(std::span<const float> observation) {
  // set_obs(state, target): the whole target schedule becomes the observed target.
  x_ = {observation[0], observation[1]};
  v_ = {observation[2], observation[3]};
  targets_[0] = {observation[4], observation[4]};
  targets_[1] = {observation[5], observation[5]};
}

}  // namespace augur::envs
