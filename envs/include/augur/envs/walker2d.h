// Walker2d-v4 on MuJoCo (gymnasium/envs/mujoco/walker2d_v4.py with envs/assets/walker2d.xml).
#pragma once

#include <memory>

#include "augur/envs/mujoco_env.h"

namespace augur::envs {

// The options of walker2d_v4.py's constructor, with its defaults. Ranges are open intervals (low, high).
struct Walker2dOptions {
  // Reward per m/s of forward velocity of the root, (x_after - x_before) / dt. Default 1.0.
  double forward_reward_weight = 1.0;
  // Cost per unit of sum(action^2), on the action as given (before MuJoCo clamps it). Default 1e-3.
  double ctrl_cost_weight = 1e-3;
  // Reward per step while healthy (every step when terminate_when_unhealthy). Default 1.0.
  double healthy_reward = 1.0;
  // Whether an unhealthy state terminates the episode. Default true.
  bool terminate_when_unhealthy = true;
  // Healthy: torso height qpos[1] (m) strictly inside this range. Default (0.8, 2.0).
  double healthy_z_low = 0.8, healthy_z_high = 2.0;
  // Healthy: torso angle qpos[2] (rad) strictly inside this range. Default (-1, 1).
  double healthy_angle_low = -1.0, healthy_angle_high = 1.0;
  // Reset: qpos = qpos0 + U(-s, s), qvel = U(-s, s) per coordinate. Default 5e-3.
  double reset_noise_scale = 5e-3;
  // Throws ConfigError for a negative or non-finite weight or noise scale, or a range with low >= high.
  void Validate() const;
};

// A planar biped: 9 coordinates (rootx, rootz, rooty, right thigh, leg, foot, left thigh, leg, foot),
// 6 torque motors. Observation (17, float32): qpos[1:9] then clip(qvel, -10, 10); the x position is
// omitted. Action: 6 values in [-1, 1] (clamped by MuJoCo). dt = 0.002 s x frame skip 4 = 0.008 s.
// Reward: forward_reward_weight * x_velocity + healthy_reward - ctrl_cost_weight * sum(action^2).
// Terminates when unhealthy (height or angle outside its range, checked after the step); truncated after
// 1000 steps. SimState: see MujocoEnv (nq = nv = 9).
class Walker2dEnv : public MujocoEnv {
 public:
  explicit Walker2dEnv(const Walker2dOptions& options = {});

  std::unique_ptr<Env> Clone() const override { return std::make_unique<Walker2dEnv>(*this); }
  const Walker2dOptions& options() const { return options_; }
  // Whether the current state is healthy (walker2d_v4.py's is_healthy). Throws StateError before any state.
  bool IsHealthy() const;

  // walker2d_v4.py: MujocoEnv.__init__(self, "walker2d.xml", 4, ...).
  static constexpr int kFrameSkip = 4;
  // walker2d.xml: <option timestep="0.002"/>.
  static constexpr double kTimestep = 0.002;

 protected:
  void DoReset(Rng& rng) override;
  StepInfo DoStep(std::span<const float> action, std::span<float> observation) override;
  void DoObservation(std::span<float> observation) const override;

 private:
  bool Healthy() const;

  Walker2dOptions options_;
};

}  // namespace augur::envs
