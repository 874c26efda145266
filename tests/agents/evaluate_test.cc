#include "augur/agents/evaluate.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "augur/agents/agent.h"
#include "augur/core/error.h"
#include "augur/envs/policies.h"
#include "augur/envs/registry.h"

namespace augur::agents {
namespace {

TEST(EvaluateTest, ExpertBalancesCartPoleForTheWholeTimeLimit) {
  auto env = envs::Make("CartPole-v1");
  PolicyAgent agent(envs::MakePolicy("expert", env->spec()));
  const EvaluationReport report = Evaluate(*env, agent, {.episodes = 3, .seed = 1});
  ASSERT_EQ(report.episodes.size(), 3u);
  for (const auto& e : report.episodes) {
    EXPECT_EQ(e.steps, 500);
    EXPECT_DOUBLE_EQ(e.ret, 500.0);  // reward 1 per step, truncated at 500
    EXPECT_FALSE(e.terminated);
  }
  EXPECT_DOUBLE_EQ(report.std_return, 0.0);
  ASSERT_TRUE(report.normalized_mean.has_value());
  EXPECT_NEAR(*report.normalized_mean, 100.0, 1e-9);
  EXPECT_EQ(report.rewards.size(), 500u);
  EXPECT_EQ(report.observations.size(), 500u * 4);
}

TEST(EvaluateTest, NormalizedScoreKnownAnswers) {
  const ReferenceReturns ref{-1000.0, -200.0, "test"};
  EXPECT_DOUBLE_EQ(NormalizedScore(-1000.0, ref), 0.0);
  EXPECT_DOUBLE_EQ(NormalizedScore(-200.0, ref), 100.0);
  EXPECT_DOUBLE_EQ(NormalizedScore(-600.0, ref), 50.0);
  EXPECT_FALSE(ReferenceFor("NoSuchEnv-v0").has_value());
  EXPECT_TRUE(ReferenceFor("Pendulum-v1").has_value());
  // D4RL's hopper and NeoRL-2's DMSD constants: 0 at the random return, 100 at the expert return.
  ASSERT_TRUE(ReferenceFor("Hopper-v4").has_value());
  EXPECT_DOUBLE_EQ(NormalizedScore(3234.3, *ReferenceFor("Hopper-v4")), 100.0);
  ASSERT_TRUE(ReferenceFor("DMSD").has_value());
  EXPECT_NEAR(NormalizedScore(494.45271875, *ReferenceFor("DMSD")), 56.642698068163774, 1e-9);  // task_score.csv
}

TEST(EvaluateTest, SameSeedSameReturnsDifferentSeedDifferent) {
  auto env = envs::Make("Pendulum-v1");
  PolicyAgent agent(envs::MakePolicy("random", env->spec()));
  const auto a = Evaluate(*env, agent, {.episodes = 2, .seed = 5, .max_steps = 50});
  const auto b = Evaluate(*env, agent, {.episodes = 2, .seed = 5, .max_steps = 50});
  const auto c = Evaluate(*env, agent, {.episodes = 2, .seed = 6, .max_steps = 50});
  EXPECT_EQ(a.episodes[0].ret, b.episodes[0].ret);
  EXPECT_EQ(a.episodes[1].ret, b.episodes[1].ret);
  EXPECT_NE(a.episodes[0].ret, c.episodes[0].ret);
  EXPECT_EQ(a.episodes[0].steps, 50);
  const auto j = ToJson(a);
  EXPECT_EQ(j["per_episode"].size(), 2u);
  EXPECT_EQ(j["env"], "Pendulum-v1");
}

TEST(EvaluateTest, BadOptionsAreRejected) {
  auto env = envs::Make("Pendulum-v1");
  PolicyAgent agent(envs::MakePolicy("random", env->spec()));
  EXPECT_THROW(Evaluate(*env, agent, {.episodes = 0}), ConfigError);
  EXPECT_THROW(Evaluate(*env, agent, {.episodes = 1, .max_steps = -1}), ConfigError);
  EXPECT_THROW(MpcAgent(nullptr, {.iterations = 1}), ConfigError);
}

}  // namespace
}  // namespace augur::agents
