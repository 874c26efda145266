// Facts (reward terms and weights, healthy ranges, termination, reset noise, observation layout with the
// velocity clip, frame skip) from Gymnasium's gymnasium/envs/mujoco/walker2d_v4.py; time limit from
// gymnasium/envs/__init__.py (Walker2d-v4: max_episode_steps=1000, no reward threshold).
// Model: envs/assets/walker2d.xml.
#include "augur/envs/walker2d.h"

#include <mujoco/mujoco.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "augur/core/error.h"

namespace augur::envs {
namespace {

EnvSpec Walker2dSpec() {
  constexpr float kInf = std::numeric_limits<float>::infinity();
  EnvSpec spec;
  spec.id = "Walker2d-v4";
  spec.observation = Box::Uniform(17, -kInf, kInf);
  spec.action = Box::Uniform(6, -1.f, 1.f);  // the actuators' ctrlrange
  spec.max_steps = 1000;
  spec.dt = Walker2dEnv::kTimestep * Walker2dEnv::kFrameSkip;
  return spec;
}

// walker2d_v4.py: velocity = np.clip(self.data.qvel.flat.copy(), -10, 10).
constexpr double kVelocityClip = 10.0;

}  // namespace

void Walker2dOptions::Validate() const {
  CheckOptionNonNegative("Walker2d-v4", "forward_reward_weight", forward_reward_weight);
  CheckOptionNonNegative("Walker2d-v4", "ctrl_cost_weight", ctrl_cost_weight);
  CheckOptionNonNegative("Walker2d-v4", "healthy_reward", healthy_reward);
  CheckOptionNonNegative("Walker2d-v4", "reset_noise_scale", reset_noise_scale);
  CheckOptionRange("Walker2d-v4", "healthy_z_range", healthy_z_low, healthy_z_high);
  CheckOptionRange("Walker2d-v4", "healthy_angle_range", healthy_angle_low, healthy_angle_high);
}

Walker2dEnv::Walker2dEnv(const Walker2dOptions& options)
    : MujocoEnv(Walker2dSpec(), "walker2d.xml", kFrameSkip), options_(options) {
  options_.Validate();
}

void Walker2dEnv::DoReset(Rng& rng) {
  // qpos = init_qpos + uniform(-s, s, nq); qvel = init_qvel + uniform(-s, s, nv).
  ResetWithNoise(rng, options_.reset_noise_scale, /*normal_velocity=*/false);
}

bool Walker2dEnv::IsHealthy() const {
  if (!has_state()) throw StateError("Walker2d-v4: IsHealthy() before any start state; call Reset(seed) first");
  return Healthy();
}

bool Walker2dEnv::Healthy() const {
  const double z = data()->qpos[1], angle = data()->qpos[2];
  const Walker2dOptions& o = options_;
  return o.healthy_z_low < z && z < o.healthy_z_high && o.healthy_angle_low < angle && angle < o.healthy_angle_high;
}

StepInfo Walker2dEnv::DoStep(std::span<const float> action, std::span<float> observation) {
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

void Walker2dEnv::DoObservation(std::span<float> observation) const {
  WriteObservation(observation, kVelocityClip);
}

}  // namespace augur::envs
