// EnvModel: a reference simulator as a WorldModel must reproduce the simulator's own steps exactly.
#include "augur/envs/env_model.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "augur/core/error.h"
#include "augur/envs/registry.h"

namespace augur::envs {
namespace {

TEST(EnvModelTest, MatchesTheSimulatorStepForStep) {
  auto env = Make("Pendulum-v1");
  EnvModel model(*env);
  EXPECT_EQ(model.spec().state_dim, 3);
  EXPECT_EQ(model.spec().action_dim, 1);
  EXPECT_TRUE(model.spec().predicts_done);
  std::vector<float> obs = env->Reset(3);
  at::Tensor state = at::tensor(obs).view({1, 3});
  StepContext ctx;
  for (float u : {1.5f, -2.0f, 0.3f, 7.0f /* clipped to 2 by the env */}) {
    const StepResult expected = env->Step(std::vector<float>{u});
    const Transition t = model.Step(state, at::full({1, 1}, u), ctx);
    for (int i = 0; i < 3; ++i) EXPECT_NEAR(t.next_state[0][i].item<float>(), expected.observation[i], 1e-6);
    EXPECT_NEAR(t.reward[0].item<float>(), expected.reward, 1e-5);
    EXPECT_FALSE(t.done[0].item<bool>());
    state = t.next_state;
  }
}

TEST(EnvModelTest, ReportsTerminationAndBatchesRows) {
  auto env = Make("CartPole-v1");
  EnvModel model(*env);
  // Row 0 upright and still; row 1 tilted past 12 degrees' threshold after one step.
  at::Tensor state = at::tensor({0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.25f, 2.f}).view({2, 4});
  at::Tensor action = at::tensor({1.f, 1.f}).view({2, 1});
  StepContext ctx;
  const Transition t = model.Step(state, action, ctx);
  EXPECT_FALSE(t.done[0].item<bool>());
  EXPECT_TRUE(t.done[1].item<bool>());
  EXPECT_FLOAT_EQ(t.reward[0].item<float>(), 1.f);
}

TEST(EnvModelTest, TensorAndCpuPathsAgree) {
  auto env = Make("Acrobot-v1");
  EnvModel model(*env);
  at::Tensor state = at::zeros({5, 6});
  state.select(1, 0).fill_(1.f);  // cos(theta1) = 1
  state.select(1, 2).fill_(1.f);  // cos(theta2) = 1
  state.select(1, 4).copy_(at::linspace(-1, 1, 5));
  at::Tensor action = at::tensor({0.f, 1.f, 2.f, 1.f, 0.f}).view({5, 1});
  StepContext ctx;
  const Transition t = model.Step(state, action, ctx);
  std::vector<float> next(30), reward(5), done(5);
  model.StepCpu({.rows = 5, .state = state.data_ptr<float>(), .action = action.data_ptr<float>(),
                 .next_state = next.data(), .reward = reward.data(), .done = done.data()});
  for (int i = 0; i < 30; ++i) EXPECT_EQ(next[i], t.next_state.view({-1})[i].item<float>());
  for (int i = 0; i < 5; ++i) EXPECT_EQ(reward[i], t.reward[i].item<float>());
}

TEST(EnvModelTest, BadShapesAreErrors) {
  auto env = Make("Pendulum-v1");
  EnvModel model(*env);
  StepContext ctx;
  EXPECT_THROW(model.Step(at::zeros({2, 4}), at::zeros({2, 1}), ctx), ShapeError);
  EXPECT_THROW(model.Step(at::zeros({2, 3}), at::zeros({3, 1}), ctx), ShapeError);
  EXPECT_THROW(model.Step(at::zeros({2, 3}, at::kDouble), at::zeros({2, 1}), ctx), ShapeError);
  EXPECT_THROW(model.Encode(at::zeros({3})), ShapeError);
}

}  // namespace
}  // namespace augur::envs
