#include "augur/envs/registry.h"

#include <algorithm>
#include <functional>
#include <map>

#include "augur/core/error.h"
#include "augur/envs/acrobot.h"
#include "augur/envs/cartpole.h"
#include "augur/envs/continuous_mountain_car.h"
#include "augur/envs/dmsd.h"
#include "augur/envs/half_cheetah.h"
#include "augur/envs/hopper.h"
#include "augur/envs/mountain_car.h"
#include "augur/envs/pendulum.h"
#include "augur/envs/slippery_grid.h"
#include "augur/envs/walker2d.h"

namespace augur::envs {
namespace {

using Factory = std::function<std::unique_ptr<Env>()>;

// The one explicit list of envs.
const std::map<std::string, Factory, std::less<>>& Registry() {
  static const auto* registry = new std::map<std::string, Factory, std::less<>>{
      {"Acrobot-v1", [] { return std::make_unique<AcrobotEnv>(); }},
      {"CartPole-v1", [] { return std::make_unique<CartPoleEnv>(); }},
      {"DMSD", [] { return std::make_unique<DmsdEnv>(); }},
      {"HalfCheetah-v4", [] { return std::make_unique<HalfCheetahEnv>(); }},
      {"Hopper-v4", [] { return std::make_unique<HopperEnv>(); }},
      {"MountainCar-v0", [] { return std::make_unique<MountainCarEnv>(); }},
      {"MountainCarContinuous-v0", [] { return std::make_unique<ContinuousMountainCarEnv>(); }},
      {"Pendulum-v1", [] { return std::make_unique<PendulumEnv>(); }},
      {"SlipperyGrid-v0", [] { return std::make_unique<SlipperyGridEnv>(); }},
      {"Walker2d-v4", [] { return std::make_unique<Walker2dEnv>(); }},
  };
  return *registry;
}

}  // namespace

std::unique_ptr<Env> Make(std::string_view id) {
  const auto& registry = Registry();
  auto it = registry.find(id);
  if (it == registry.end()) {
    std::string valid;
    for (const auto& [name, factory] : registry) valid += (valid.empty() ? "" : ", ") + name;
    throw NotFoundError(StrCat("unknown env id '", id, "'; valid ids are: ", valid));
  }
  return it->second();
}

std::vector<std::string> RegisteredEnvs() {
  std::vector<std::string> ids;
  for (const auto& [name, factory] : Registry()) ids.push_back(name);
  return ids;
}

}  // namespace augur::envs
