// Facts (reward terms and weights, healthy ranges, termination, reset noise, observation layout with the
// velocity clip) from Gymnasium's gymnasium/envs/mujoco/hopper_v4.py and walker2d_v4.py.
#include "augur/envs/planar_walker.h"

#include <mujoco/mujoco.h>

#include <limits>
#include <utility>

#include "augur/core/error.h"

namespace augur::envs {
namespace {

// hopper_v4.py / walker2d_v4.py: velocity = np.clip(self.data.qvel.flat.copy(), -10, 10).
constexpr double kVelocityClip = 10.0;

bool Inside(double v, double low, double high) { return low < v && v < high; }

}  // namespace

PlanarWalkerEnv::PlanarWalkerEnv(EnvSpec spec, const char* model_file, int frame_skip,
                                 const PlanarWalkerOptions& options)
    : MujocoEnv(std::move(spec), model_file, frame_skip), options_(options) {
  const std::string_view id = this->spec().id;
  const PlanarWalkerOptions& o = options_;
  CheckOptionNonNegative(id, "forward_reward_weight", o.forward_reward_weight);
  CheckOptionNonNegative(id, "ctrl_cost_weight", o.ctrl_cost_weight);
  CheckOptionNonNegative(id, "healthy_reward", o.healthy_reward);
  CheckOptionNonNegative(id, "reset_noise_scale", o.reset_noise_scale);
  CheckOptionRange(id, "healthy_state_range", o.healthy_state_low, o.healthy_state_high);
  CheckOptionRange(id, "healthy_z_range", o.healthy_z_low, o.healthy_z_high);
  CheckOptionRange(id, "healthy_angle_range", o.healthy_angle_low, o.healthy_angle_high);
}

void PlanarWalkerEnv::DoReset(Rng& rng) {
  // qpos = init_qpos + uniform(-s, s, nq); qvel = init_qvel + uniform(-s, s, nv).
  ResetWithNoise(rng, options_.reset_noise_scale, /*normal_velocity=*/false);
}

bool PlanarWalkerEnv::IsHealthy() const {
  if (!has_state()) {
    throw StateError(StrCat(spec().id, ": IsHealthy() before any start state; call Reset(seed) first"));
  }
  return Healthy();
}

bool PlanarWalkerEnv::Healthy() const {
  const mjData* d = data();
  const PlanarWalkerOptions& o = options_;
  // hopper_v4.py checks state_vector()[2:] (qpos[2:] then all of qvel); walker2d_v4.py has no such range.
  if (o.healthy_state_low > -std::numeric_limits<double>::infinity() ||
      o.healthy_state_high < std::numeric_limits<double>::infinity()) {
    for (int i = 2; i < nq(); ++i) {
      if (!Inside(d->qpos[i], o.healthy_state_low, o.healthy_state_high)) return false;
    }
    for (int i = 0; i < nv(); ++i) {
      if (!Inside(d->qvel[i], o.healthy_state_low, o.healthy_state_high)) return false;
    }
  }
  return Inside(d->qpos[1], o.healthy_z_low, o.healthy_z_high) &&
         Inside(d->qpos[2], o.healthy_angle_low, o.healthy_angle_high);
}

StepInfo PlanarWalkerEnv::DoStep(std::span<const float> action, std::span<float> observation) {
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

void PlanarWalkerEnv::DoObservation(std::span<float> observation) const {
  WriteObservation(observation, kVelocityClip);
}

}  // namespace augur::envs
