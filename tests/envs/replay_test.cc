#include "augur/envs/replay.h"

#include <gtest/gtest.h>

#include "augur/core/error.h"
#include "augur/envs/policies.h"
#include "augur/envs/registry.h"

namespace augur::envs {
namespace {

// Columns of a recorded dataset.
struct Recorded {
  std::vector<float> obs, actions, next_obs, rewards, terminals;
  int64_t rows = 0;
};

// Records `episodes` episodes of the epsilon-expert policy (resetting on terminated or truncated).
Recorded Record(const std::string& id, int episodes) {
  auto env = Make(id);
  auto policy = MakePolicy("epsilon:eps=0.3", env->spec());
  Rng rng(5);
  Recorded d;
  for (int e = 0; e < episodes; ++e) {
    std::vector<float> obs = env->Reset(100 + e);
    policy->BeginEpisode(rng);
    while (true) {
      const std::vector<float> action = policy->Act(obs, rng);
      const StepResult r = env->Step(action);
      d.obs.insert(d.obs.end(), obs.begin(), obs.end());
      d.actions.insert(d.actions.end(), action.begin(), action.end());
      d.next_obs.insert(d.next_obs.end(), r.observation.begin(), r.observation.end());
      d.rewards.push_back(static_cast<float>(r.reward));
      d.terminals.push_back(r.terminated ? 1.f : 0.f);
      ++d.rows;
      obs = r.observation;
      if (r.terminated || r.truncated) break;
    }
  }
  return d;
}

class ReplayTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ReplayTest, CleanRecordingMatchesFully) {
  const Recorded d = Record(GetParam(), 2);
  ASSERT_GT(d.rows, 10);
  const ReplayReport report = Replay(GetParam(), d.obs, d.actions, d.next_obs, d.rewards, d.terminals, d.rows);
  EXPECT_EQ(report.rows, d.rows);
  EXPECT_EQ(report.all_match, 1.0) << report.ToString();
  EXPECT_EQ(report.obs_match, 1.0);
  EXPECT_EQ(report.reward_match, 1.0);
  EXPECT_EQ(report.done_match, 1.0);
  EXPECT_EQ(report.mismatched_rows, 0);
  EXPECT_LE(report.max_obs_error, 1e-5);
}

// The envs whose observation is the whole state. Not the MuJoCo envs (the observation omits x, so they
// cannot be set from it) nor DMSD (a target switch at step 50 is not in the observation; its replay of
// NeoRL-2's real data is in dmsd_test.cc).
std::vector<std::string> FullyObservedEnvs() {
  return {"Acrobot-v1", "CartPole-v1", "MountainCar-v0", "MountainCarContinuous-v0", "Pendulum-v1"};
}

INSTANTIATE_TEST_SUITE_P(Envs, ReplayTest, ::testing::ValuesIn(FullyObservedEnvs()), [](const auto& info) {
  std::string name = info.param;
  for (char& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return name;
});

TEST(ReplayTest, CorruptedRowsAreTheWorst) {
  Recorded d = Record("Pendulum-v1", 1);
  d.next_obs[17 * 3 + 2] += 0.5f;  // row 17: next theta_dot off by 0.5
  d.rewards[42] -= 0.01f;          // row 42: reward off by 0.01
  d.terminals[99] = 1.f;           // row 99: a terminal flag Pendulum never sets
  ReplayOptions options;
  options.worst_rows = 3;
  const ReplayReport report =
      Replay("Pendulum-v1", d.obs, d.actions, d.next_obs, d.rewards, d.terminals, d.rows, options);
  EXPECT_EQ(report.mismatched_rows, 3);
  EXPECT_NEAR(report.all_match, (d.rows - 3.0) / d.rows, 1e-12);
  EXPECT_NEAR(report.obs_match, (d.rows - 1.0) / d.rows, 1e-12);
  EXPECT_NEAR(report.reward_match, (d.rows - 1.0) / d.rows, 1e-12);
  EXPECT_NEAR(report.done_match, (d.rows - 1.0) / d.rows, 1e-12);
  ASSERT_EQ(report.worst.size(), 3u);
  EXPECT_EQ(report.worst[0].row, 99);
  EXPECT_EQ(report.worst[0].field, "terminal");
  EXPECT_EQ(report.worst[1].row, 17);
  EXPECT_EQ(report.worst[1].field, "next_obs[2]");
  EXPECT_NEAR(report.worst[1].error, 0.5, 1e-5);
  EXPECT_EQ(report.worst[2].row, 42);
  EXPECT_EQ(report.worst[2].field, "reward");
  EXPECT_FALSE(report.worst[2].matched);
  EXPECT_NE(report.ToString().find("row 17"), std::string::npos) << report.ToString();
}

TEST(ReplayTest, ToleranceIsAnOption) {
  Recorded d = Record("MountainCar-v0", 1);
  d.next_obs[5 * 2] += 1e-4f;
  EXPECT_EQ(Replay("MountainCar-v0", d.obs, d.actions, d.next_obs, d.rewards, d.terminals, d.rows).mismatched_rows, 1);
  ReplayOptions loose;
  loose.atol = 1e-3;
  EXPECT_EQ(
      Replay("MountainCar-v0", d.obs, d.actions, d.next_obs, d.rewards, d.terminals, d.rows, loose).mismatched_rows, 0);
}

TEST(ReplayTest, BadShapesThrow) {
  const Recorded d = Record("CartPole-v1", 1);
  std::vector<float> short_obs(d.obs.begin(), d.obs.end() - 1);
  EXPECT_THROW(Replay("CartPole-v1", short_obs, d.actions, d.next_obs, d.rewards, d.terminals, d.rows), ShapeError);
  EXPECT_THROW(Replay("CartPole-v1", d.obs, d.actions, d.next_obs, d.rewards, d.terminals, d.rows + 1), ShapeError);
  ReplayOptions bad;
  bad.atol = -1;
  EXPECT_THROW(Replay("CartPole-v1", d.obs, d.actions, d.next_obs, d.rewards, d.terminals, d.rows, bad), ConfigError);
  std::vector<float> bad_actions = d.actions;
  bad_actions[3] = 4.f;
  try {
    Replay("CartPole-v1", d.obs, bad_actions, d.next_obs, d.rewards, d.terminals, d.rows);
    FAIL();
  } catch (const RangeError& e) {
    EXPECT_NE(std::string(e.what()).find("row 3"), std::string::npos) << e.what();
  }
  const ReplayReport empty = Replay("CartPole-v1", {}, {}, {}, {}, {}, 0);
  EXPECT_EQ(empty.rows, 0);
}

}  // namespace
}  // namespace augur::envs
