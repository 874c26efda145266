// Known rewards (models/known_reward.h): on the true simulator as the inner model the known reward equals the
// env's own reward; on any model it replaces the model's reward and keeps everything else.
#include "augur/models/known_reward.h"

#include <ATen/ATen.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "augur/core/error.h"
#include "augur/core/executor.h"
#include "augur/core/rng.h"
#include "augur/envs/env_model.h"
#include "augur/envs/registry.h"

namespace augur::models {
namespace {

using ::testing::HasSubstr;

// A model that predicts next_state = state + 0.1 and reward 1000 (what a learned head far off the data might say).
class ConstantRewardModel final : public WorldModel {
 public:
  explicit ConstantRewardModel(int64_t obs_dim, int64_t action_dim) {
    spec_.type = "constant";
    spec_.obs_dim = spec_.state_dim = obs_dim;
    spec_.action_dim = action_dim;
  }
  const ModelSpec& spec() const override { return spec_; }
  at::Tensor Encode(const at::Tensor& obs) const override { return obs; }
  Transition Step(const at::Tensor& state, const at::Tensor&, StepContext&) const override {
    return {state + 0.1f, at::full({state.size(0)}, 1000.f), at::zeros({state.size(0)}, at::kBool), at::ones({state.size(0)})};
  }

 private:
  ModelSpec spec_;
};

// Rows of states visited by random actions in `id`, with the actions taken there.
void RandomRows(const std::string& id, int64_t rows, at::Tensor& states, at::Tensor& actions) {
  auto env = envs::Make(id);
  const int64_t o = env->spec().obs_dim(), a = env->spec().action_dim();
  states = at::empty({rows, o});
  actions = at::empty({rows, a});
  Rng rng(3, 1);
  std::vector<float> obs = env->Reset(0);
  for (int64_t r = 0; r < rows; ++r) {
    std::copy(obs.begin(), obs.end(), states[r].data_ptr<float>());
    std::vector<float> act(a);
    for (auto& x : act) x = static_cast<float>(-1.5 + 3 * rng.UniformDouble());  // some outside the box
    std::copy(act.begin(), act.end(), actions[r].data_ptr<float>());
    auto step = env->Step(act);
    obs = step.observation;
    if (step.terminated || step.truncated) obs = env->Reset(static_cast<uint64_t>(r));
  }
}

TEST(KnownRewardTest, EqualsTheEnvsRewardOnTheTrueModelForDmsdAndPendulum) {
  for (const std::string id : {"DMSD", "Pendulum-v1"}) {
    ASSERT_TRUE(HasKnownReward(id)) << id;
    auto env = envs::Make(id);
    auto truth = std::make_shared<envs::EnvModel>(*env);
    KnownRewardModel known(truth, id);
    at::Tensor s, a;
    RandomRows(id, 64, s, a);
    StepContext ctx;
    const Transition want = truth->Step(s, a, ctx);
    const Transition got = known.Step(s, a, ctx);
    EXPECT_TRUE(at::allclose(got.reward, want.reward.to(at::kFloat), 1e-5, 1e-5)) << id;
    EXPECT_TRUE(at::equal(got.next_state, want.next_state)) << id;
    // The fused CPU path agrees.
    ASSERT_TRUE(known.has_cpu_path());
    at::Tensor next = at::empty_like(s), reward = at::empty({s.size(0)}), done = at::empty({s.size(0)});
    Scratch scratch;
    CpuStep step;
    step.rows = s.size(0);
    step.state = s.data_ptr<float>();
    step.action = a.data_ptr<float>();
    step.scratch = &scratch;
    step.next_state = next.data_ptr<float>();
    step.reward = reward.data_ptr<float>();
    step.done = done.data_ptr<float>();
    known.StepCpu(step);
    EXPECT_TRUE(at::allclose(reward, want.reward.to(at::kFloat), 1e-5, 1e-5)) << id;
  }
}

TEST(KnownRewardTest, ReplacesTheModelsRewardAndKeepsTheRest) {
  auto inner = std::make_shared<ConstantRewardModel>(6, 2);
  KnownRewardModel known(inner, "DMSD");
  // Positions 0.4 and -0.2 after the model's +0.1, targets 0.5 and 0.3 after +0.1: -log(0.1 + 0.01) - log(0.5 + 0.01).
  const at::Tensor s = at::tensor({0.3f, -0.3f, 0.f, 0.f, 0.4f, 0.2f}).reshape({1, 6});
  StepContext ctx;
  const Transition t = known.Step(s, at::zeros({1, 2}), ctx);
  EXPECT_NEAR(t.reward.item<float>(), -std::log(0.11f) - std::log(0.51f), 1e-5);
  EXPECT_TRUE(at::allclose(t.next_state, s + 0.1f));
  EXPECT_EQ(t.uncertainty.item<float>(), 1.f);  // the inner model's uncertainty (MOPO's penalty) is kept
}

TEST(KnownRewardTest, UnknownEnvOrWrongDimsAreRefused) {
  EXPECT_FALSE(HasKnownReward("Hopper-v4"));
  try {
    KnownRewardModel(std::make_shared<ConstantRewardModel>(11, 3), "Hopper-v4");
    FAIL();
  } catch (const NotFoundError& e) {
    EXPECT_THAT(e.what(), HasSubstr("DMSD, Pendulum-v1"));
  }
  EXPECT_THROW(KnownRewardModel(std::make_shared<ConstantRewardModel>(3, 1), "DMSD"), ShapeError);
}

}  // namespace
}  // namespace augur::models
