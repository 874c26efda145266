// Hopper-v4 on MuJoCo (gymnasium/envs/mujoco/hopper_v4.py with envs/assets/hopper.xml).
#pragma once

#include <memory>

#include "augur/envs/planar_walker.h"

namespace augur::envs {

// A one-legged planar hopper: 6 coordinates (rootx, rootz, rooty, thigh, leg, foot), 3 torque motors.
// Observation (11, float32): qpos[1:6] (height, angle, 3 joint angles) then clip(qvel, -10, 10). Action: 3
// values in [-1, 1]. dt = 0.002 s x frame skip 4 = 0.008 s. Healthy: see HopperOptions. SimState: nq = nv = 6.
class HopperEnv : public PlanarWalkerEnv {
 public:
  explicit HopperEnv(const HopperOptions& options = {});

  std::unique_ptr<Env> Clone() const override { return std::make_unique<HopperEnv>(*this); }

  // hopper_v4.py: MujocoEnv.__init__(self, "hopper.xml", 4, ...).
  static constexpr int kFrameSkip = 4;
  // hopper.xml: <option timestep="0.002"/>.
  static constexpr double kTimestep = 0.002;
};

}  // namespace augur::envs
