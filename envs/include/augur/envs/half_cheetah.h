// HalfCheetah-v4 on MuJoCo (gymnasium/envs/mujoco/half_cheetah_v4.py with envs/assets/half_cheetah.xml).
#pragma once

#include <memory>

#include "augur/envs/mujoco_env.h"

namespace augur::envs {

// The options of half_cheetah_v4.py's constructor, with its defaults.
struct HalfCheetahOptions {
  // Reward per m/s of forward velocity of the root, (x_after - x_before) / dt. Default 1.0.
  double forward_reward_weight = 1.0;
  // Cost per unit of sum(action^2), on the action as given (before MuJoCo clamps it). Default 0.1.
  double ctrl_cost_weight = 0.1;
  // Reset: qpos = qpos0 + U(-s, s) per coordinate, qvel = s * N(0, 1) per coordinate. Default 0.1.
  double reset_noise_scale = 0.1;
  // Throws ConfigError for a negative or non-finite value.
  void Validate() const;
};

// A planar cheetah running along x: 9 coordinates (rootx, rootz, rooty, 6 hinges), 6 torque motors.
// Observation (17, float32): qpos[1:9] (rootz, rooty, the 6 joint angles) then qvel[0:9]; the x position
// is omitted. Action: 6 values in [-1, 1] (clamped by MuJoCo). dt = 0.01 s x frame skip 5 = 0.05 s.
// Reward: forward_reward_weight * x_velocity - ctrl_cost_weight * sum(action^2). Never terminates;
// truncated after 1000 steps. SimState: see MujocoEnv (nq = nv = 9).
class HalfCheetahEnv : public MujocoEnv {
 public:
  explicit HalfCheetahEnv(const HalfCheetahOptions& options = {});

  std::unique_ptr<Env> Clone() const override { return std::make_unique<HalfCheetahEnv>(*this); }
  const HalfCheetahOptions& options() const { return options_; }

  // half_cheetah_v4.py: MujocoEnv.__init__(self, "half_cheetah.xml", 5, ...).
  static constexpr int kFrameSkip = 5;
  // half_cheetah.xml: <option timestep="0.01"/>.
  static constexpr double kTimestep = 0.01;

 protected:
  void DoReset(Rng& rng) override;
  StepInfo DoStep(std::span<const float> action, std::span<float> observation) override;
  void DoObservation(std::span<float> observation) const override;

 private:
  HalfCheetahOptions options_;
};

}  // namespace augur::envs
