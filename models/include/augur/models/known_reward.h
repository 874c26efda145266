// Known rewards: for envs whose reward is a closed-form function of (observation, action, next observation),
// a planner or an offline RL agent can score a learned model's predicted transitions with that function
// instead of the model's learned reward head (the PETS papers plan with the known reward where one exists;
// MBPO-family methods, and NeoRL-2's baselines, learn it). KnownRewardModel wraps any observation-space
// WorldModel and replaces its reward; next state, done and uncertainty stay the inner model's.
//
//   auto model = std::make_shared<KnownRewardModel>(learned, "DMSD");   // reward = DMSD's get_reward(next obs)
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "augur/core/world_model.h"
#include "augur/models/model_wrapper.h"

namespace augur::models {

class RewardFn {
 public:
  virtual ~RewardFn() = default;
  virtual std::string name() const = 0;
  virtual int64_t obs_dim() const = 0;
  virtual int64_t action_dim() const = 0;
  // Rows row-major: obs [rows, O], action [rows, A], next_obs [rows, O] -> reward [rows].
  virtual void RewardCpu(int64_t rows, const float* obs, const float* action, const float* next_obs,
                         float* reward) const = 0;
};

// The env's reward function, or null when augur knows none for `env_id`. Known: "DMSD" (NeoRL-2
// dmsd_reward.py on the next observation), "Pendulum-v1" (Gymnasium's cost on the observation and action).
std::unique_ptr<RewardFn> MakeKnownReward(std::string_view env_id);
bool HasKnownReward(std::string_view env_id);
// The env ids with a known reward, for error messages.
std::vector<std::string> KnownRewardEnvs();

class KnownRewardModel final : public ObservationModelWrapper {
 public:
  // Throws NotFoundError (listing the known envs) when `env_id` has no known reward, ConfigError when the
  // inner model's state is not the observation, ShapeError when its dims differ from the env's.
  KnownRewardModel(std::shared_ptr<const WorldModel> inner, std::string_view env_id);

  Transition Step(const at::Tensor& state, const at::Tensor& action, StepContext& ctx) const override;
  void StepCpu(const CpuStep& step) const override;

 private:
  std::unique_ptr<RewardFn> reward_;
};

}  // namespace augur::models
