// Hopper-v4 on MuJoCo (gymnasium/envs/mujoco/hopper_v4.py with envs/assets/hopper.xml).
#pragma once

#include <limits>
#include <memory>

#include "augur/envs/mujoco_env.h"

namespace augur::envs {

// The options of hopper_v4.py's constructor, with its defaults. Ranges are open intervals (low, high).
struct HopperOptions {
  // Reward per m/s of forward velocity of the root, (x_after - x_before) / dt. Default 1.0.
  double forward_reward_weight = 1.0;
  // Cost per unit of sum(action^2), on the action as given (before MuJoCo clamps it). Default 1e-3.
  double ctrl_cost_weight = 1e-3;
  // Reward per step while healthy (every step when terminate_when_unhealthy). Default 1.0.
  double healthy_reward = 1.0;
  // Whether an unhealthy state terminates the episode. Default true.
  bool terminate_when_unhealthy = true;
  // Healthy: every entry of qpos[2:] and qvel strictly inside this range. Default (-100, 100).
  double healthy_state_low = -100.0, healthy_state_high = 100.0;
  // Healthy: torso height qpos[1] (m) strictly inside this range. Default (0.7, inf).
  double healthy_z_low = 0.7, healthy_z_high = std::numeric_limits<double>::infinity();
  // Healthy: torso angle qpos[2] (rad) strictly inside this range. Default (-0.2, 0.2).
  double healthy_angle_low = -0.2, healthy_angle_high = 0.2;
  // Reset: qpos = qpos0 + U(-s, s), qvel = U(-s, s) per coordinate. Default 5e-3.
  double reset_noise_scale = 5e-3;
  // Throws ConfigError for a negative or non-finite weight or noise scale, or a range with low >= high.
  void Validate() const;
};

// A one-legged planar hopper: 6 coordinates (rootx, rootz, rooty, thigh, leg, foot), 3 torque motors.
// Observation (11, float32): qpos[1:6] (height, angle, 3 joint angles) then clip(qvel, -10, 10); the x
// position is omitted. Action: 3 values in [-1, 1] (clamped by MuJoCo). dt = 0.002 s x frame skip 4 =
// 0.008 s. Reward: forward_reward_weight * x_velocity + healthy_reward - ctrl_cost_weight * sum(action^2).
// Terminates when unhealthy (see HopperOptions, checked after the step); truncated after 1000 steps.
// SimState: see MujocoEnv (nq = nv = 6).
class HopperEnv : public MujocoEnv {
 public:
  explicit HopperEnv(const HopperOptions& options = {});

  std::unique_ptr<Env> Clone() const override { return std::make_unique<HopperEnv>(*this); }
  const HopperOptions& options() const { return options_; }
  // Whether the current state is healthy (hopper_v4.py's is_healthy). Throws StateError before any state.
  bool IsHealthy() const;

  // hopper_v4.py: MujocoEnv.__init__(self, "hopper.xml", 4, ...).
  static constexpr int kFrameSkip = 4;
  // hopper.xml: <option timestep="0.002"/>.
  static constexpr double kTimestep = 0.002;

 protected:
  void DoReset(Rng& rng) override;
  StepInfo DoStep(std::span<const float> action, std::span<float> observation) override;
  void DoObservation(std::span<float> observation) const override;

 private:
  bool Healthy() const;

  HopperOptions options_;
};

}  // namespace augur::envs
