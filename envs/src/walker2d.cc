// Facts (observation size, frame skip) from Gymnasium's gymnasium/envs/mujoco/walker2d_v4.py; time limit
// from gymnasium/envs/__init__.py (Walker2d-v4: max_episode_steps=1000, no reward threshold).
// Model: envs/assets/walker2d.xml. Dynamics, reward and termination: planar_walker.cc.
#include "augur/envs/walker2d.h"

#include <limits>

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

}  // namespace

Walker2dEnv::Walker2dEnv(const Walker2dOptions& options)
    : PlanarWalkerEnv(Walker2dSpec(), "walker2d.xml", kFrameSkip, options) {}

}  // namespace augur::envs
