// Online SAC (augur train-sac): what it writes, resuming, bad input, and its snapshots as the behaviour of
// graded datasets.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "augur/agents/graded_dataset.h"
#include "augur/agents/rl/online_sac.h"
#include "augur/agents/rl/sac.h"
#include "augur/core/error.h"
#include "augur/core/executor.h"
#include "augur/data/io.h"
#include "../testing/temp_files.h"

namespace augur::agents::rl {
namespace {
using ::testing::HasSubstr;
namespace fs = std::filesystem;

// A tiny Pendulum run: 32-wide nets, updates from step 64, an evaluation every 100 steps.
OnlineSacOptions Tiny(int64_t steps) {
  OnlineSacOptions o;
  o.env = "Pendulum-v1";
  o.steps = steps;
  o.start_steps = 100;
  o.update_after = 64;
  o.hidden = 32;
  o.batch = 32;
  o.replay_capacity = 10000;
  o.eval_every = 100;
  o.eval_episodes = 1;
  o.max_steps = 50;
  o.seed = 3;
  return o;
}

class OnlineSacTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::TempPath("online_sac", std::to_string(::getpid()) + "_" +
                                               ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string dir_;
};

TEST_F(OnlineSacTest, WritesReplaySnapshotsAndEvals) {
  Executor executor(1);
  const OnlineSacResult r = TrainOnlineSac(Tiny(230), dir_);
  EXPECT_EQ(r.start_step, 0);
  EXPECT_EQ(r.final_step, 230);
  // 50-step episodes: 4 whole ones and the 30 steps in flight at the end (kept, marked truncated).
  EXPECT_EQ(r.episodes, 5);
  ASSERT_EQ(r.evals.size(), 3u);  // steps 100, 200 and the end
  EXPECT_EQ(r.evals[0].step, 100);
  EXPECT_EQ(r.evals[1].step, 200);
  EXPECT_EQ(r.evals[2].step, 230);
  EXPECT_EQ(r.evals[2].updates, 230 - 64 + 1);  // one gradient step per env step from the 64th transition
  EXPECT_EQ(r.evals[0].episodes, 2);
  EXPECT_EQ(r.evals[1].episodes, 4);
  for (const auto& e : r.evals) {
    EXPECT_TRUE(fs::exists(e.snapshot)) << e.snapshot;
    EXPECT_TRUE(std::isfinite(e.mean_return));
    EXPECT_TRUE(std::isfinite(e.normalized));  // Pendulum-v1 has reference returns
  }
  EXPECT_TRUE(fs::exists(fs::path(dir_) / "sac.ckpt"));
  const data::Dataset replay = data::Load((fs::path(dir_) / "replay.rec").string());
  EXPECT_EQ(replay.size(), 230);
  EXPECT_EQ(replay.num_episodes(), 5);
  EXPECT_GT(replay.sim_state_dim(), 0);  // true-model rollouts can restart from it
  // The first start_steps actions are uniform in Pendulum's [-2, 2].
  EXPECT_LE(replay.actions().abs().max().item<float>(), 2.f);
  std::ifstream f(fs::path(dir_) / "evals.json");
  const nlohmann::json j = nlohmann::json::parse(f);
  EXPECT_EQ(j.at("env"), "Pendulum-v1");
  EXPECT_EQ(j.at("evals").size(), 3u);
}

TEST_F(OnlineSacTest, SameSeedSameRun) {
  Executor executor(1);
  TrainOnlineSac(Tiny(150), dir_);
  const data::Dataset a = data::Load((fs::path(dir_) / "replay.rec").string());
  fs::remove_all(dir_);
  TrainOnlineSac(Tiny(150), dir_);
  const data::Dataset b = data::Load((fs::path(dir_) / "replay.rec").string());
  EXPECT_TRUE(at::equal(a.actions(), b.actions()));
  EXPECT_TRUE(at::equal(a.rewards(), b.rewards()));
}

TEST_F(OnlineSacTest, ARerunResumesFromTheRecordedSteps) {
  Executor executor(1);
  TrainOnlineSac(Tiny(200), dir_);
  const OnlineSacResult r = TrainOnlineSac(Tiny(300), dir_);
  EXPECT_EQ(r.start_step, 200);
  EXPECT_EQ(r.final_step, 300);
  ASSERT_EQ(r.evals.size(), 3u);  // 100 and 200 from the first run, 300 from this one
  EXPECT_EQ(r.evals[2].step, 300);
  EXPECT_EQ(r.evals[2].updates, 300 - 64 + 1);  // the networks came back with their update count
  EXPECT_EQ(data::Load((fs::path(dir_) / "replay.rec").string()).size(), 300);
  // Nothing left to do: no new step, no new evaluation.
  const OnlineSacResult again = TrainOnlineSac(Tiny(300), dir_);
  EXPECT_EQ(again.final_step, 300);
  EXPECT_EQ(again.evals.size(), 3u);
}

TEST_F(OnlineSacTest, ResumingWithOtherNetworksIsRefused) {
  Executor executor(1);
  TrainOnlineSac(Tiny(120), dir_);
  OnlineSacOptions o = Tiny(200);
  o.hidden = 16;
  try {
    TrainOnlineSac(o, dir_);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("sac.ckpt"));
    EXPECT_THAT(e.what(), HasSubstr("another --out"));
  }
}

TEST_F(OnlineSacTest, BadInputIsNamed) {
  Executor executor(1);
  OnlineSacOptions o = Tiny(100);
  o.env = "CartPole-v1";
  try {
    TrainOnlineSac(o, dir_);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("Box"));
  }
  o = Tiny(100);
  o.batch = 1;
  EXPECT_THROW(o.Validate(), ConfigError);
  o = Tiny(100);
  o.eval_every = 0;
  try {
    o.Validate();
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("eval_every"));
  }
  fs::create_directories(dir_);
  std::ofstream(fs::path(dir_) / "evals.json") << "{ not json";
  try {
    TrainOnlineSac(Tiny(100), dir_);
    FAIL();
  } catch (const DataError& e) {
    EXPECT_THAT(e.what(), HasSubstr("evals.json"));
  }
}

TEST_F(OnlineSacTest, SnapshotsAreGradedDatasetBehaviours) {
  Executor executor(1);
  const OnlineSacResult r = TrainOnlineSac(Tiny(100), dir_);
  GradeOptions g;
  g.env = "Pendulum-v1";
  g.episodes = 2;
  g.max_steps = 20;
  g.grade = "medium-expert";
  g.expert_policy = r.evals.back().snapshot;
  g.medium_policy = r.evals.back().snapshot;
  g.medium_sigma = 0.2;
  const data::Dataset d = GenerateGradedDataset(g, executor);
  EXPECT_EQ(d.num_episodes(), 4);
  EXPECT_EQ(d.size(), 80);
  EXPECT_EQ(d.metadata().extra.at("expert_policy"), g.expert_policy);
  EXPECT_EQ(d.metadata().extra.at("medium_sigma"), "0.2");
  EXPECT_THAT(d.metadata().source, HasSubstr("--expert-policy"));
  // Expert episodes act with the policy's mean: a rerun gives the same actions.
  EXPECT_TRUE(at::equal(d.actions(), GenerateGradedDataset(g, executor).actions()));

  g.expert_policy = (fs::path(dir_) / "missing.ckpt").string();
  try {
    GenerateGradedDataset(g, executor);
    FAIL();
  } catch (const NotFoundError& e) {
    EXPECT_THAT(e.what(), HasSubstr("missing.ckpt"));
  }
  g.expert_policy = r.evals.back().snapshot;  // a Pendulum policy (1 action) for Hopper (3 actions, 11 obs)
  g.env = "Hopper-v4";
  try {
    GenerateGradedDataset(g, executor);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("has 11 and 3"));
  }
}

}  // namespace
}  // namespace augur::agents::rl
