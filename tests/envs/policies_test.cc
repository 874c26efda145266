#include "augur/envs/policies.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "augur/core/error.h"
#include "augur/envs/registry.h"

namespace augur::envs {
namespace {

struct EpisodeStats {
  double mean_return = 0;
  int reached_goal = 0;  // episodes that ended by termination (the goal for MountainCar and Acrobot)
};

EpisodeStats Evaluate(const std::string& id, const std::string& policy_spec, int episodes) {
  auto env = Make(id);
  auto policy = MakePolicy(policy_spec, env->spec());
  Rng rng(1234);
  EpisodeStats stats;
  for (int e = 0; e < episodes; ++e) {
    std::vector<float> obs = env->Reset(1000 + e);
    policy->BeginEpisode(rng);
    double ret = 0;
    while (true) {
      const StepResult r = env->Step(policy->Act(obs, rng));
      ret += r.reward;
      obs = r.observation;
      if (r.terminated) ++stats.reached_goal;
      if (r.terminated || r.truncated) break;
    }
    stats.mean_return += ret / episodes;
  }
  return stats;
}

TEST(PoliciesTest, PendulumExpertSwingsUp) {
  const EpisodeStats expert = Evaluate("Pendulum-v1", "expert", 5);
  const EpisodeStats medium = Evaluate("Pendulum-v1", "medium", 5);
  const EpisodeStats random = Evaluate("Pendulum-v1", "random", 5);
  EXPECT_GT(expert.mean_return, -250);
  EXPECT_LT(random.mean_return, -700);
  EXPECT_GT(medium.mean_return, random.mean_return);
  EXPECT_LT(medium.mean_return, expert.mean_return);
}

TEST(PoliciesTest, CartPoleExpertReaches500) {
  const EpisodeStats expert = Evaluate("CartPole-v1", "expert", 3);
  EXPECT_EQ(expert.mean_return, 500.0);
  const EpisodeStats medium = Evaluate("CartPole-v1", "medium", 3);
  const EpisodeStats random = Evaluate("CartPole-v1", "random", 3);
  EXPECT_LT(random.mean_return, 100);
  EXPECT_GT(medium.mean_return, random.mean_return);
}

TEST(PoliciesTest, MountainCarExpertReachesGoal) {
  const EpisodeStats expert = Evaluate("MountainCar-v0", "expert", 3);
  EXPECT_EQ(expert.reached_goal, 3);
  EXPECT_GT(expert.mean_return, -200);
  const EpisodeStats random = Evaluate("MountainCar-v0", "random", 3);
  EXPECT_EQ(random.reached_goal, 0);
  EXPECT_EQ(random.mean_return, -200);
}

TEST(PoliciesTest, ContinuousMountainCarExpertReachesGoal) {
  const EpisodeStats expert = Evaluate("MountainCarContinuous-v0", "expert", 3);
  EXPECT_EQ(expert.reached_goal, 3);
  EXPECT_GT(expert.mean_return, 80);
  EXPECT_LT(Evaluate("MountainCarContinuous-v0", "random", 3).mean_return, 0);
}

TEST(PoliciesTest, AcrobotExpertSwingsUp) {
  const EpisodeStats expert = Evaluate("Acrobot-v1", "expert", 3);
  EXPECT_EQ(expert.reached_goal, 3);
  EXPECT_GT(expert.mean_return, -200);
  EXPECT_LT(Evaluate("Acrobot-v1", "random", 3).mean_return, expert.mean_return - 100);
}

TEST(PoliciesTest, MixturesAndNoiseStayInTheActionSpace) {
  const std::vector<std::string> with_expert = EnvsWithExpert();
  for (const std::string& id : RegisteredEnvs()) {
    auto env = Make(id);
    const bool has_expert = std::find(with_expert.begin(), with_expert.end(), id) != with_expert.end();
    for (const char* spec : {"random", "expert", "medium", "mixed", "noisy:sigma=0.5", "epsilon:eps=0.4"}) {
      if (!has_expert && std::string(spec) != "random") {
        EXPECT_THROW(MakePolicy(spec, env->spec()), NotFoundError) << id << " " << spec;
        continue;
      }
      auto policy = MakePolicy(spec, env->spec());
      EXPECT_EQ(policy->name(), spec);
      Rng rng(3);
      policy->BeginEpisode(rng);
      std::vector<float> obs = env->Reset(1);
      for (int t = 0; t < 30; ++t) {
        const std::vector<float> a = policy->Act(obs, rng);
        if (const auto* box = std::get_if<Box>(&env->spec().action)) {
          EXPECT_TRUE(box->Contains(a)) << id << " " << spec;
        }
        const StepResult r = env->Step(a);  // throws on an invalid discrete action
        obs = r.observation;
      }
    }
  }
}

TEST(PoliciesTest, SameRngSameActions) {
  auto env = Make("Pendulum-v1");
  auto p1 = MakePolicy("noisy:sigma=0.3", env->spec()), p2 = MakePolicy("noisy:sigma=0.3", env->spec());
  Rng r1(8), r2(8);
  const std::vector<float> obs = env->Reset(0);
  for (int t = 0; t < 10; ++t) EXPECT_EQ(p1->Act(obs, r1), p2->Act(obs, r2));
}

TEST(PoliciesTest, BadSpecsThrow) {
  auto env = Make("CartPole-v1");
  try {
    MakePolicy("greedy", env->spec());
    FAIL();
  } catch (const NotFoundError& e) {
    EXPECT_NE(std::string(e.what()).find("epsilon"), std::string::npos) << e.what();
  }
  EXPECT_THROW(MakePolicy("epsilon:eps=2", env->spec()), ConfigError);
  EXPECT_THROW(MakePolicy("epsilon:eps=abc", env->spec()), ConfigError);
  EXPECT_THROW(MakePolicy("epsilon:epsilon=0.1", env->spec()), ConfigError);
  EXPECT_THROW(MakePolicy("noisy:sigma", env->spec()), ConfigError);
  auto policy = MakePolicy("expert", env->spec());
  Rng rng(0);
  EXPECT_THROW(policy->Act(std::vector<float>(3, 0.f), rng), ShapeError);
  EnvSpec other = env->spec();
  other.id = "Custom-v0";
  EXPECT_THROW(MakePolicy("expert", other), NotFoundError);
  EXPECT_NO_THROW(MakePolicy("random", other));
}

}  // namespace
}  // namespace augur::envs
