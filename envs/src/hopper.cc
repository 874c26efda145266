// Facts (reward terms and weights, healthy ranges, termination, reset noise, observation layout with the
// velocity clip, frame skip) from Gymnasium's gymnasium/envs/mujoco/hopper_v4.py; time limit and reward
// threshold from gymnasium/envs/__init__.py (Hopper-v4: max_episode_steps=1000, reward_threshold=3800.0).
// Model: envs/assets/hopper.xml.
#include "augur/envs/hopper.h"

#include <mujoco/mujoco.h>

#include <algorithm>
#include <cmath>

#include "augur/core/error.h"

namespace augur::envs {
namespace {

EnvSpec HopperSpec() {
  constexpr float kInf = std::numeric_limits<float>::infinity();
  EnvSpec spec;
  spec.id = "Hopper-v4";
  spec.observation = Box::Uniform(11, -kInf, kInf);
  spec.action = Box::Uniform(3, -1.f, 1.f);  // the actuators' ctrlrange
  spec.max_steps = 1000;
  spec.dt = HopperEnv::kTimestep * HopperEnv::kFrameSkip;
  spec.reward_threshold = 3800.0;
  return spec;
}

// hopper_v4.py: velocity = np.clip(self.data.qvel.flat.copy(), -10, 10).
constexpr double kVelocityClip = 10.0;

}  // namespace

void HopperOptions::Validate() const {
  CheckOptionNonNegative("Hopper-v4", "forward_reward_weight", forward_reward_weight);
  CheckOptionNonNegative("Hopper-v4", "ctrl_cost_weight", ctrl_cost_weight);
  CheckOptionNonNegative("Hopper-v4", "healthy_reward", healthy_reward);
  CheckOptionNonNegative("Hopper-v4", "reset_noise_scale", reset_noise_scale);
  CheckOptionRange("Hopper-v4", "healthy_state_range", healthy_state_low, healthy_state_high);
  CheckOptionRange("Hopper-v4", "healthy_z_range", healthy_z_low, healthy_z_high);
  CheckOptionRange("Hopper-v4", "healthy_angle_range", healthy_angle_low, healthy_angle_high);
}

HopperEnv::HopperEnv(const HopperOptions& options)
    : MujocoEnv(HopperSpec(), "hopper.xml", kFrameSkip), options_(options) {
  options_.Validate();
}

void HopperEnv::DoReset(Rng& rng) {
  // qpos = init_qpos + uniform(-s, s, nq); qvel = init_qvel + uniform(-s, s, nv).
  ResetWithNoise(rng, options_.reset_noise_scale, /*normal_velocity=*/false);
}

bool HopperEnv::IsHealthy() const {
  if (!has_state()) throw StateError("Hopper-v4: IsHealthy() before any start state; call Reset(seed) first");
  return Healthy();
}

bool HopperEnv::Healthy() const {
  const mjData* d = data();
  const HopperOptions& o = options_;
  const auto inside = [](double v, double low, double high) { return low < v && v < high; };
  // state_vector()[2:]: qpos[2:] then all of qvel.
  for (int i = 2; i < nq(); ++i) {
    if (!inside(d->qpos[i], o.healthy_state_low, o.healthy_state_high)) return false;
  }
  for (int i = 0; i < nv(); ++i) {
    if (!inside(d->qvel[i], o.healthy_state_low, o.healthy_state_high)) return false;
  }
  return inside(d->qpos[1], o.healthy_z_low, o.healthy_z_high) &&
         inside(d->qpos[2], o.healthy_angle_low, o.healthy_angle_high);
}

StepInfo HopperEnv::DoStep(std::span<const float> action, std::span<float> observation) {
  const double x_before = data()->qpos[0];
  Simulate(action);
  const double x_velocity = (data()->qpos[0] - x_before) / spec().dt;
  float sum_sq = 0.f;  // np.sum(np.square(action)) over the float32 action as given
  for (float a : action) sum_sq += a * a;
  const bool healthy = Healthy();
  const double healthy_reward = (healthy || options_.terminate_when_unhealthy) ? options_.healthy_reward : 0.0;
  const double reward =
      options_.forward_reward_weight * x_velocity + healthy_reward - options_.ctrl_cost_weight * sum_sq;
  DoObservation(observation);
  return {reward, options_.terminate_when_unhealthy && !healthy, false};
}

void HopperEnv::DoObservation(std::span<float> observation) const {
  WriteObservation(observation, kVelocityClip);
}

}  // namespace augur::envs
