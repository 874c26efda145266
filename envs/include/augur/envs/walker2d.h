// Walker2d-v4 on MuJoCo (gymnasium/envs/mujoco/walker2d_v4.py with envs/assets/walker2d.xml).
#pragma once

#include <memory>

#include "augur/envs/planar_walker.h"

namespace augur::envs {

// A planar biped: 9 coordinates (rootx, rootz, rooty, right thigh, leg, foot, left thigh, leg, foot),
// 6 torque motors. Observation (17, float32): qpos[1:9] then clip(qvel, -10, 10). Action: 6 values in
// [-1, 1]. dt = 0.002 s x frame skip 4 = 0.008 s. Healthy: see Walker2dOptions. SimState: nq = nv = 9.
class Walker2dEnv : public PlanarWalkerEnv {
 public:
  explicit Walker2dEnv(const Walker2dOptions& options = {});

  std::unique_ptr<Env> Clone() const override { return std::make_unique<Walker2dEnv>(*this); }

  // walker2d_v4.py: MujocoEnv.__init__(self, "walker2d.xml", 4, ...).
  static constexpr int kFrameSkip = 4;
  // walker2d.xml: <option timestep="0.002"/>.
  static constexpr double kTimestep = 0.002;
};

}  // namespace augur::envs
