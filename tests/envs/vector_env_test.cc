#include "augur/envs/vector_env.h"

#include <gtest/gtest.h>

#include <cmath>

#include "augur/core/error.h"
#include "augur/envs/registry.h"

namespace augur::envs {
namespace {

TEST(VectorEnvTest, MatchesSingleEnvsStepByStep) {
  constexpr int kN = 5;
  VectorEnv venv("Pendulum-v1", kN);
  const std::vector<uint64_t> seeds = {1, 2, 3, 4, 5};
  const std::vector<float>& obs = venv.Reset(seeds);
  ASSERT_EQ(obs.size(), kN * 3u);
  std::vector<std::unique_ptr<Env>> singles;
  for (int i = 0; i < kN; ++i) {
    singles.push_back(Make("Pendulum-v1"));
    const auto o = singles.back()->Reset(seeds[i]);
    for (int k = 0; k < 3; ++k) EXPECT_EQ(obs[i * 3 + k], o[k]);
  }
  for (int t = 0; t < 20; ++t) {
    std::vector<float> actions(kN);
    for (int i = 0; i < kN; ++i) actions[i] = -2.f + 0.8f * i + 0.01f * t;
    const VectorStepResult& r = venv.Step(actions);
    for (int i = 0; i < kN; ++i) {
      const StepResult s = singles[i]->Step(std::span<const float>(&actions[i], 1));
      for (int k = 0; k < 3; ++k) ASSERT_EQ(r.observations[i * 3 + k], s.observation[k]);
      ASSERT_EQ(r.rewards[i], s.reward);
      ASSERT_EQ(r.terminated[i], s.terminated);
    }
  }
}

TEST(VectorEnvTest, ParallelEqualsSerial) {
  VectorEnvOptions serial{.auto_reset = true, .parallel_threshold = 0};
  VectorEnvOptions parallel{.auto_reset = true, .parallel_threshold = 1};
  VectorEnv a("CartPole-v1", 300, serial), b("CartPole-v1", 300, parallel);
  EXPECT_EQ(a.Reset(9), b.Reset(9));
  for (int t = 0; t < 60; ++t) {
    std::vector<float> actions(300);
    for (int i = 0; i < 300; ++i) actions[i] = static_cast<float>((i + t) % 2);
    const VectorStepResult& ra = a.Step(actions);
    const VectorStepResult& rb = b.Step(actions);
    ASSERT_EQ(ra.observations, rb.observations);
    ASSERT_EQ(ra.rewards, rb.rewards);
    ASSERT_EQ(ra.terminated, rb.terminated);
  }
}

TEST(VectorEnvTest, AutoResetKeepsFinalObservation) {
  VectorEnv venv("CartPole-v1", 2, {.auto_reset = true});
  venv.Reset(0);
  // Always pushing right ends the episode within ~10-30 steps.
  const std::vector<float> actions = {1.f, 1.f};
  bool saw_end = false;
  for (int t = 0; t < 100 && !saw_end; ++t) {
    const VectorStepResult& r = venv.Step(actions);
    if (r.terminated[0]) {
      saw_end = true;
      EXPECT_GT(std::fabs(r.final_observations[2]), 0.2f);  // the pole had fallen
      EXPECT_LE(std::fabs(r.observations[2]), 0.05f);       // a fresh start state
      EXPECT_EQ(venv.env(0).elapsed_steps(), 0);
    }
  }
  EXPECT_TRUE(saw_end);
}

TEST(VectorEnvTest, TruncationWithoutAutoReset) {
  VectorEnv venv("MountainCar-v0", 3);
  venv.Reset(1);
  std::vector<float> actions = {1.f, 1.f, 1.f};
  for (int t = 0; t < 199; ++t) ASSERT_EQ(venv.Step(actions).truncated[0], 0);
  const VectorStepResult& r = venv.Step(actions);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(r.truncated[i], 1);
}

TEST(VectorEnvTest, BadShapesThrow) {
  EXPECT_THROW(VectorEnv("Pendulum-v1", 0), ConfigError);
  EXPECT_THROW(VectorEnv("Nope-v0", 2), NotFoundError);
  VectorEnv venv("Acrobot-v1", 4);
  EXPECT_THROW(venv.Reset(std::vector<uint64_t>{1, 2}), ShapeError);
  venv.Reset(0);
  EXPECT_THROW(venv.Step(std::vector<float>(3, 0.f)), ShapeError);
  try {
    venv.Step(std::vector<float>{0, 1, 5, 2});
    FAIL();
  } catch (const RangeError& e) {
    EXPECT_NE(std::string(e.what()).find("env 2"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace augur::envs
