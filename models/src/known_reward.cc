// Facts: DMSD's reward from polixir/NeoRL2 (commit b50d91d) neorl2/envs/reward/dmsd_reward.py (get_reward:
// sum over the two masses of -log(|position - target| + 0.01) on next_obs); Pendulum-v1's from Gymnasium
// (gymnasium/envs/classic_control/pendulum.py: -(angle_normalize(th)^2 + 0.1 thdot^2 + 0.001 u^2), u clipped
// to [-2, 2], on the state before the step).
#include "augur/models/known_reward.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>

#include "augur/core/error.h"

namespace augur::models {
namespace {

class DmsdReward final : public RewardFn {
 public:
  std::string name() const override { return "DMSD"; }
  int64_t obs_dim() const override { return 6; }
  int64_t action_dim() const override { return 2; }
  // next_obs = [x1, x2, v1, v2, target1, target2]; float32 arithmetic like the env (envs/src/dmsd.cc).
  void RewardCpu(int64_t rows, const float*, const float*, const float* next, float* reward) const override {
    for (int64_t r = 0; r < rows; ++r) {
      const float* o = next + r * 6;
      reward[r] = -std::log(std::fabs(o[0] - o[4]) + 0.01f) - std::log(std::fabs(o[1] - o[5]) + 0.01f);
    }
  }
};

class PendulumReward final : public RewardFn {
 public:
  std::string name() const override { return "Pendulum-v1"; }
  int64_t obs_dim() const override { return 3; }
  int64_t action_dim() const override { return 1; }
  // obs = [cos th, sin th, thdot]: atan2 gives th already normalized to [-pi, pi].
  void RewardCpu(int64_t rows, const float* obs, const float* action, const float*, float* reward) const override {
    for (int64_t r = 0; r < rows; ++r) {
      const float* o = obs + r * 3;
      const double th = std::atan2(static_cast<double>(o[1]), static_cast<double>(o[0]));
      const double u = std::clamp(action[r], -2.f, 2.f);
      reward[r] = static_cast<float>(-(th * th + 0.1 * o[2] * o[2] + 0.001 * u * u));
    }
  }
};

}  // namespace

std::unique_ptr<RewardFn> MakeKnownReward(std::string_view env_id) {
  if (env_id == "DMSD") return std::make_unique<DmsdReward>();
  if (env_id == "Pendulum-v1") return std::make_unique<PendulumReward>();
  return nullptr;
}

bool HasKnownReward(std::string_view env_id) { return MakeKnownReward(env_id) != nullptr; }

std::vector<std::string> KnownRewardEnvs() { return {"DMSD", "Pendulum-v1"}; }

KnownRewardModel::KnownRewardModel(std::shared_ptr<const WorldModel> inner, std::string_view env_id)
    : ObservationModelWrapper(std::move(inner), StrCat("known reward of '", env_id, "'")),
      reward_(MakeKnownReward(env_id)) {
  if (!reward_) {
    std::string valid;
    for (const auto& e : KnownRewardEnvs()) valid += (valid.empty() ? "" : ", ") + e;
    throw NotFoundError(StrCat("no known reward for env '", env_id, "'; envs with a known reward: ", valid,
                               " (use the model's learned reward instead)"));
  }
  const ModelSpec& s = inner_->spec();
  if (s.obs_dim != reward_->obs_dim() || s.action_dim != reward_->action_dim()) {
    throw ShapeError(StrCat("known reward of '", env_id, "' expects obs_dim ", reward_->obs_dim(), " and action_dim ",
                            reward_->action_dim(), " but the model has ", s.obs_dim, " and ", s.action_dim));
  }
}

ObservationModelWrapper::ObservationModelWrapper(std::shared_ptr<const WorldModel> inner, std::string_view what)
    : inner_(std::move(inner)) {
  if (!inner_) throw ConfigError(StrCat(what, ": no inner model"));
  const ModelSpec& s = inner_->spec();
  if (s.state_kind != StateKind::kObservation || s.state_dim != s.obs_dim) {
    throw ConfigError(StrCat(what, " needs a model whose state is the observation; model '", s.type,
                             "' has state_dim ", s.state_dim, " and obs_dim ", s.obs_dim));
  }
}


Transition KnownRewardModel::Step(const at::Tensor& state, const at::Tensor& action, StepContext& ctx) const {
  Transition t = inner_->Step(state, action, ctx);
  const at::Tensor s = state.detach().to(at::kCPU, at::kFloat).contiguous();
  const at::Tensor a = action.detach().to(at::kCPU, at::kFloat).contiguous();
  const at::Tensor n = t.next_state.detach().to(at::kCPU, at::kFloat).contiguous();
  at::Tensor r = at::empty({s.size(0)}, at::kFloat);
  reward_->RewardCpu(s.size(0), s.data_ptr<float>(), a.data_ptr<float>(), n.data_ptr<float>(), r.data_ptr<float>());
  t.reward = r.to(t.reward.defined() ? t.reward.options() : state.options());
  return t;
}

void KnownRewardModel::StepCpu(const CpuStep& step) const {
  inner_->StepCpu(step);
  reward_->RewardCpu(step.rows, step.state, step.action, step.next_state, step.reward);
}

}  // namespace augur::models
