// What Gymnasium's Hopper-v4 and Walker2d-v4 share (gymnasium/envs/mujoco/hopper_v4.py, walker2d_v4.py):
// reward = forward velocity + healthy bonus - control cost, termination when unhealthy, uniform reset noise,
// observation qpos[1:] then clip(qvel, -10, 10).
#pragma once

#include <limits>
#include <utility>

#include "augur/envs/mujoco_env.h"

namespace augur::envs {

// The options of hopper_v4.py's and walker2d_v4.py's constructors; the template arguments are each env's
// default healthy ranges (HopperOptions, Walker2dOptions below). Ranges are open intervals (low, high).
// An aggregate, so `HopperEnv({.terminate_when_unhealthy = false})` works.
template <double kZLow, double kZHigh, double kAngleLow, double kAngleHigh, double kStateLow, double kStateHigh>
struct BasicPlanarWalkerOptions {
  // Reward per m/s of forward velocity of the root, (x_after - x_before) / dt. Default 1.0.
  double forward_reward_weight = 1.0;
  // Cost per unit of sum(action^2), on the action as given (before MuJoCo clamps it). Default 1e-3.
  double ctrl_cost_weight = 1e-3;
  // Reward per step while healthy (every step when terminate_when_unhealthy). Default 1.0.
  double healthy_reward = 1.0;
  // Whether an unhealthy state terminates the episode. Default true.
  bool terminate_when_unhealthy = true;
  // Healthy: every entry of qpos[2:] and qvel strictly inside this range (an infinite range: no check).
  double healthy_state_low = kStateLow, healthy_state_high = kStateHigh;
  // Healthy: torso height qpos[1] (m) strictly inside this range.
  double healthy_z_low = kZLow, healthy_z_high = kZHigh;
  // Healthy: torso angle qpos[2] (rad) strictly inside this range.
  double healthy_angle_low = kAngleLow, healthy_angle_high = kAngleHigh;
  // Reset: qpos = qpos0 + U(-s, s), qvel = U(-s, s) per coordinate. Default 5e-3.
  double reset_noise_scale = 5e-3;
};

inline constexpr double kUnbounded = std::numeric_limits<double>::infinity();
// hopper_v4.py defaults: healthy_state_range (-100, 100), healthy_z_range (0.7, inf),
// healthy_angle_range (-0.2, 0.2).
using HopperOptions = BasicPlanarWalkerOptions<0.7, kUnbounded, -0.2, 0.2, -100.0, 100.0>;
// walker2d_v4.py defaults: healthy_z_range (0.8, 2.0), healthy_angle_range (-1, 1); no state range.
using Walker2dOptions = BasicPlanarWalkerOptions<0.8, 2.0, -1.0, 1.0, -kUnbounded, kUnbounded>;
// What PlanarWalkerEnv keeps: every field, whichever env's defaults it came with.
using PlanarWalkerOptions = Walker2dOptions;

// A planar MuJoCo walker: root coordinates (rootx, rootz, rooty) then hinge joints, one torque motor per
// joint. Observation (float32): qpos[1:] then clip(qvel, -10, 10); the x position is omitted. Action in
// [-1, 1] (clamped by MuJoCo). Reward: forward_reward_weight * x_velocity + healthy_reward -
// ctrl_cost_weight * sum(action^2). Terminates when unhealthy (checked after the step); truncated after
// 1000 steps. SimState: see MujocoEnv.
class PlanarWalkerEnv : public MujocoEnv {
 public:
  const PlanarWalkerOptions& options() const { return options_; }
  // Whether the current state is healthy (the Gymnasium env's is_healthy). Throws StateError before any state.
  bool IsHealthy() const;

 protected:
  // Throws ConfigError naming the env and the field for a negative or non-finite weight or noise scale, or a
  // range with low >= high.
  template <class Options>
  PlanarWalkerEnv(EnvSpec spec, const char* model_file, int frame_skip, const Options& o)
      : PlanarWalkerEnv(std::move(spec), model_file, frame_skip,
                        PlanarWalkerOptions{o.forward_reward_weight, o.ctrl_cost_weight, o.healthy_reward,
                                            o.terminate_when_unhealthy, o.healthy_state_low, o.healthy_state_high,
                                            o.healthy_z_low, o.healthy_z_high, o.healthy_angle_low,
                                            o.healthy_angle_high, o.reset_noise_scale}) {}
  PlanarWalkerEnv(EnvSpec spec, const char* model_file, int frame_skip, const PlanarWalkerOptions& options);

  void DoReset(Rng& rng) override;
  StepInfo DoStep(std::span<const float> action, std::span<float> observation) override;
  void DoObservation(std::span<float> observation) const override;

 private:
  bool Healthy() const;

  PlanarWalkerOptions options_;
};

}  // namespace augur::envs
