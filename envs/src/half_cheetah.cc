// Facts (reward terms and weights, reset noise, observation layout, frame skip) from Gymnasium's
// gymnasium/envs/mujoco/half_cheetah_v4.py; time limit and reward threshold from gymnasium/envs/__init__.py
// (HalfCheetah-v4: max_episode_steps=1000, reward_threshold=4800.0). Model: envs/assets/half_cheetah.xml.
#include "augur/envs/half_cheetah.h"

#include <mujoco/mujoco.h>

#include <cmath>
#include <limits>

#include "augur/core/error.h"

namespace augur::envs {
namespace {

EnvSpec HalfCheetahSpec() {
  constexpr float kInf = std::numeric_limits<float>::infinity();
  EnvSpec spec;
  spec.id = "HalfCheetah-v4";
  spec.observation = Box::Uniform(17, -kInf, kInf);
  spec.action = Box::Uniform(6, -1.f, 1.f);  // the actuators' ctrlrange
  spec.max_steps = 1000;
  spec.dt = HalfCheetahEnv::kTimestep * HalfCheetahEnv::kFrameSkip;
  spec.reward_threshold = 4800.0;
  return spec;
}

}  // namespace

void HalfCheetahOptions::Validate() const {
  CheckOptionNonNegative("HalfCheetah-v4", "forward_reward_weight", forward_reward_weight);
  CheckOptionNonNegative("HalfCheetah-v4", "ctrl_cost_weight", ctrl_cost_weight);
  CheckOptionNonNegative("HalfCheetah-v4", "reset_noise_scale", reset_noise_scale);
}

HalfCheetahEnv::HalfCheetahEnv(const HalfCheetahOptions& options)
    : MujocoEnv(HalfCheetahSpec(), "half_cheetah.xml", kFrameSkip), options_(options) {
  options_.Validate();
}

void HalfCheetahEnv::DoReset(Rng& rng) {
  // qpos = init_qpos + uniform(-s, s, nq); qvel = init_qvel + s * standard_normal(nv).
  ResetWithNoise(rng, options_.reset_noise_scale, /*normal_velocity=*/true);
}

StepInfo HalfCheetahEnv::DoStep(std::span<const float> action, std::span<float> observation) {
  const double x_before = data()->qpos[0];
  Simulate(action);
  const double x_velocity = (data()->qpos[0] - x_before) / spec().dt;
  // np.sum(np.square(action)) over the float32 action as given.
  float sum_sq = 0.f;
  for (float a : action) sum_sq += a * a;
  const double reward = options_.forward_reward_weight * x_velocity - options_.ctrl_cost_weight * sum_sq;
  DoObservation(observation);
  return {reward, false, false};
}

void HalfCheetahEnv::DoObservation(std::span<float> observation) const {
  // qpos[1:] and qvel, velocities not clipped.
  WriteObservation(observation, std::numeric_limits<double>::infinity());
}

}  // namespace augur::envs
