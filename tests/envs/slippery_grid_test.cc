// SlipperyGrid-v0 and ChanceEnvModel: transition probabilities worked out by hand on the cliff map, sampled
// frequencies against them, and the true chance model's tensor and CPU paths.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <array>
#include <map>

#include "../testing/cpu_step.h"
#include "augur/core/error.h"
#include "augur/core/rng.h"
#include "augur/core/torch_rng.h"
#include "augur/envs/chance_env_model.h"
#include "augur/envs/env_model.h"
#include "augur/envs/registry.h"
#include "augur/envs/slippery_grid.h"

namespace augur::envs {
namespace {

constexpr float kLeft = 0, kDown = 1, kRight = 2, kUp = 3;

// The distribution over (next cell, reward, terminated) of one action at (x, y), from the enumerable outcomes
// with the duplicates merged.
std::map<std::array<double, 4>, double> Distribution(SlipperyGridEnv& env, int x, int y, float a) {
  std::map<std::array<double, 4>, double> dist;
  std::array<float, 3> p{};
  const std::vector<float> obs = {static_cast<float>(x), static_cast<float>(y)};
  env.SetFromObservation(obs);
  env.OutcomeProbs({&a, 1}, p);
  for (int64_t k = 0; k < 3; ++k) {
    env.SetFromObservation(obs);
    std::vector<float> next(2);
    const StepInfo info = env.StepOutcome({&a, 1}, k, next);
    dist[{next[0], next[1], info.reward, info.terminated ? 1.0 : 0.0}] += p[k];
  }
  return dist;
}

TEST(SlipperyGridTest, TransitionProbabilitiesByHand) {
  SlipperyGridEnv env;  // ...... / ...... / SHHHHG, p = 0.8
  // Right from (1, 1): intended (2, 1) 0.8; up (1, 0) 0.1; down into the hole (1, 2) 0.1 with -1, terminal.
  auto d = Distribution(env, 1, 1, kRight);
  ASSERT_EQ(d.size(), 3u);
  EXPECT_NEAR((d[{2, 1, 0, 0}]), 0.8, 1e-6);
  EXPECT_NEAR((d[{1, 0, 0, 0}]), 0.1, 1e-6);
  EXPECT_NEAR((d[{1, 2, -1, 1}]), 0.1, 1e-6);
  // Up from the start (0, 2): (0, 1) 0.8; left is off the grid: stay 0.1; right is the hole (1, 2) 0.1.
  d = Distribution(env, 0, 2, kUp);
  ASSERT_EQ(d.size(), 3u);
  EXPECT_NEAR((d[{0, 1, 0, 0}]), 0.8, 1e-6);
  EXPECT_NEAR((d[{0, 2, 0, 0}]), 0.1, 1e-6);
  EXPECT_NEAR((d[{1, 2, -1, 1}]), 0.1, 1e-6);
  // Up from the corner (0, 0): intended and left both stay (0.9 merged), right (1, 0) 0.1.
  d = Distribution(env, 0, 0, kUp);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_NEAR((d[{0, 0, 0, 0}]), 0.9, 1e-6);
  EXPECT_NEAR((d[{1, 0, 0, 0}]), 0.1, 1e-6);
  // Down from (5, 1) into the goal: 0.8 with +1; left slip (4, 1) 0.1; right slip off the grid: stay 0.1.
  d = Distribution(env, 5, 1, kDown);
  ASSERT_EQ(d.size(), 3u);
  EXPECT_NEAR((d[{5, 2, 1, 1}]), 0.8, 1e-6);
  EXPECT_NEAR((d[{4, 1, 0, 0}]), 0.1, 1e-6);
  EXPECT_NEAR((d[{5, 1, 0, 0}]), 0.1, 1e-6);
  // A terminal cell is absorbing: stay, reward 0, terminated, probability 1.
  d = Distribution(env, 3, 2, kLeft);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_NEAR((d[{3, 2, 0, 1}]), 1.0, 1e-6);
}

TEST(SlipperyGridTest, SampledStepsFollowTheProbabilities) {
  SlipperyGridEnv env;
  const std::vector<float> start = {1, 1};
  std::map<std::pair<float, float>, int> counts;
  const int n = 20000;
  env.Reset(5);
  SimState state = env.GetState();
  for (int i = 0; i < n; ++i) {
    state[0] = 1, state[1] = 1, state[4] = i;  // the cell, and draw i of the seed's stream
    env.SetState(state);
    const StepResult r = env.Step(std::vector<float>{kRight});
    ++counts[{r.observation[0], r.observation[1]}];
  }
  // Binomial standard deviation of a frequency 0.1 over 20000 draws: 0.0021; 5 sigma.
  EXPECT_NEAR((counts[{2.f, 1.f}]) / double(n), 0.8, 0.011);
  EXPECT_NEAR((counts[{1.f, 0.f}]) / double(n), 0.1, 0.011);
  EXPECT_NEAR((counts[{1.f, 2.f}]) / double(n), 0.1, 0.011);
}

TEST(SlipperyGridTest, SuccessProbabilityOneIsDeterministic) {
  SlipperyGridEnv env({.success_prob = 1.0});
  auto d = Distribution(env, 2, 0, kDown);
  EXPECT_NEAR((d[{2, 1, 0, 0}]), 1.0, 1e-6);
}

TEST(SlipperyGridTest, BadOptionsNameTheField) {
  auto message = [](const SlipperyGridOptions& o) {
    try {
      SlipperyGridEnv env(o);
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message({.success_prob = 1.5}).find("success_prob = 1.5"), std::string::npos);
  EXPECT_NE(message({.map = {"S..", "..G", "."}}).find("rectangular"), std::string::npos);
  EXPECT_NE(message({.map = {"S.X", "..G"}}).find("'X'"), std::string::npos);
  EXPECT_NE(message({.map = {"...", "..G"}}).find("0 start"), std::string::npos);
  EXPECT_NE(message({.map = {"S..", "..."}}).find("no goal"), std::string::npos);
}

TEST(SlipperyGridTest, DeterministicEnvsHaveNoOutcomes) {
  auto cartpole = Make("CartPole-v1");
  cartpole->Reset(0);
  std::array<float, 3> p{};
  EXPECT_EQ(cartpole->num_outcomes(), 0);
  EXPECT_THROW(cartpole->OutcomeProbs(std::vector<float>{0}, p), StateError);
  EXPECT_THROW(ChanceEnvModel{*cartpole}, ConfigError);
  SlipperyGridEnv grid;
  grid.Reset(0);
  EXPECT_THROW(grid.StepOutcome(std::vector<float>{0}, 3, p), RangeError);
  EXPECT_THROW(grid.OutcomeProbs(std::vector<float>{0}, std::span<float>(p.data(), 2)), ShapeError);
}

TEST(ChanceEnvModelTest, TensorAndCpuPathsAgreeWithTheEnv) {
  const ChanceEnvModel model(*Make("SlipperyGrid-v0"));
  EXPECT_EQ(model.num_outcomes(), 3);
  EXPECT_TRUE(std::holds_alternative<Discrete>(model.spec().action_space));
  const at::Tensor state = at::tensor({1.f, 1.f, 0.f, 2.f, 3.f, 2.f}).view({3, 2});
  const at::Tensor action = at::tensor({kRight, kUp, kLeft}).view({3, 1});
  const at::Tensor probs = model.OutcomeProbs(state, action);
  EXPECT_TRUE(at::allclose(probs, at::tensor({0.8f, 0.1f, 0.1f, 0.8f, 0.1f, 0.1f, 1.f, 0.f, 0.f}).view({3, 3})));
  CheckOutcomeProbs({probs.data_ptr<float>(), 9}, 3, 3, "true model");
  // Outcome 1 of "right" (2) is direction (2 + 3) % 4 = down: from (1, 1) the slip into the hole.
  const Transition t = model.StepOutcome(state, action, at::tensor({1, 0, 1}, at::kLong));
  EXPECT_TRUE(at::equal(t.next_state, at::tensor({1.f, 2.f, 0.f, 1.f, 3.f, 2.f}).view({3, 2})));
  EXPECT_TRUE(at::equal(t.reward, at::tensor({-1.f, 0.f, 0.f})));
  EXPECT_TRUE(at::equal(t.done, at::tensor({1, 0, 1}).to(at::kBool)));
  // The mean-free step is the intended move.
  StepContext ctx;
  const Transition mean = model.Step(state, action, ctx);
  EXPECT_TRUE(at::equal(mean.next_state, at::tensor({2.f, 1.f, 0.f, 1.f, 3.f, 2.f}).view({3, 2})));
  // Sampling with a generator: frequencies of the hole outcome over many rows.
  const int64_t rows = 4000;
  StepContext sample{.generator = MakeCpuGenerator(7)};
  const Transition s = model.Step(at::tensor({1.f, 1.f}).repeat({rows, 1}), at::full({rows, 1}, kRight), sample);
  EXPECT_NEAR(s.done.to(at::kFloat).mean().item<float>(), 0.1f, 0.025f);
}

TEST(ChanceEnvModelTest, CpuSampledStepIsSeeded) {
  const ChanceEnvModel model(*Make("SlipperyGrid-v0"));
  auto run = [&](uint64_t seed) { return testing::SampledNextStates(model, {1.f, 1.f}, kRight, 64, seed); };
  EXPECT_EQ(run(1), run(1));
  EXPECT_NE(run(1), run(2));
}

}  // namespace
}  // namespace augur::envs
