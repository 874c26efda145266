// Facts (observation size, frame skip) from Gymnasium's gymnasium/envs/mujoco/hopper_v4.py; time limit and
// reward threshold from gymnasium/envs/__init__.py (Hopper-v4: max_episode_steps=1000,
// reward_threshold=3800.0). Model: envs/assets/hopper.xml. Dynamics, reward and termination: planar_walker.cc.
#include "augur/envs/hopper.h"

#include <limits>

namespace augur::envs {
namespace {

EnvSpec HopperSpec() {
  constexpr float kInf = std::numeric_limits<float>::infinity();
  EnvSpec spec;
  spec.id = "Hopper-v4";
  spec.observation = Box::Uniform(11, -kInf, kInf);
  spec.action = Box::Uniform(3, -1.f, 1.f);  // the actuators' ctrlrange
  spec.max_steps = 1000;
  spec.dt = HopperEnv::kTimestep * HopperEnv::kFrameSkip;
  spec.reward_threshold = 3800.0;
  return spec;
}

}  // namespace

HopperEnv::HopperEnv(const HopperOptions& options) : PlanarWalkerEnv(HopperSpec(), "hopper.xml", kFrameSkip, options) {}

}  // namespace augur::envs
