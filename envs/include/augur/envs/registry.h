// The env registry: every reference simulator by its Gymnasium (or NeoRL-2) id.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "augur/envs/env.h"

namespace augur::envs {

// A new env for a registered id: classic control ("Pendulum-v1", "CartPole-v1", "MountainCar-v0",
// "MountainCarContinuous-v0", "Acrobot-v1"), MuJoCo locomotion ("HalfCheetah-v4", "Hopper-v4",
// "Walker2d-v4"), NeoRL-2 ("DMSD") and the
// stochastic SlipperyGrid-v0, each with its default options. Throws NotFoundError listing the
// valid ids.
std::unique_ptr<Env> Make(std::string_view id);

// The registered ids, sorted.
std::vector<std::string> RegisteredEnvs();

}  // namespace augur::envs
