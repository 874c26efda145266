// augur train-agent as a user runs it: a tiny offline RL run, a rerun that resumes, metrics JSON, evaluation
// of the checkpoint with augur eval --agent, and clear refusals.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "../testing/run_command.h"

namespace augur {
namespace {
using ::testing::HasSubstr;
using testing::RunAugur;
namespace fs = std::filesystem;

TEST(TrainAgentCliTest, TrainsResumesAndEvaluates) {
  const fs::path dir = fs::temp_directory_path() / "augur_train_agent_cli_test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string data = (dir / "pend.augur").string(), ckpt = (dir / "agent.ckpt").string();
  ASSERT_EQ(RunAugur("collect --env Pendulum-v1 --policy random --episodes 2 --max-steps 40 --out " + data).exit_code,
            0);
  const std::string common = "train-agent --data " + data + " --method mopo --hidden 16 --layers 1 --batch 32 "
                             "--rollout-starts 16 --rollout-every 10 --log-every 5 --checkpoint-every 10 "
                             "--eval-episodes 1 --out " + ckpt;
  auto first = RunAugur(common + " --steps 10");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_THAT(first.out, HasSubstr("normalized score"));
  auto second = RunAugur(common + " --steps 20");
  ASSERT_EQ(second.exit_code, 0) << second.err;
  std::ifstream f(ckpt + ".json");
  const auto j = nlohmann::json::parse(f);
  EXPECT_EQ(j["start_step"], 10);
  EXPECT_EQ(j["final_step"], 20);
  EXPECT_EQ(j["log"].size(), 2u);
  EXPECT_TRUE(j.contains("eval"));
  auto eval = RunAugur("eval --env Pendulum-v1 --episodes 1 --max-steps 20 --agent " + ckpt);
  ASSERT_EQ(eval.exit_code, 0) << eval.err;
  EXPECT_THAT(eval.out, HasSubstr("sac:"));
  auto value = RunAugur("eval --env Pendulum-v1 --episodes 1 --max-steps 5 --model true "
                        "--planner mppi:samples=16,elites=4,iters=1,horizon=2 --value " + ckpt);
  EXPECT_EQ(value.exit_code, 0) << value.err;
  auto bad = RunAugur("train-agent --data " + data + " --method ravl --critics 1 --out " + (dir / "x.ckpt").string());
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_THAT(bad.err, HasSubstr("critics >= 2"));
  // An ensemble's predicted transitions scored with the env's known reward instead of its reward head.
  const std::string ens = (dir / "ens.ckpt").string();
  ASSERT_EQ(RunAugur("train --data " + data + " --model ensemble:members=2,elites=2,hidden=8,layers=1 --epochs 1 --out " +
                     ens).exit_code, 0);
  auto known = RunAugur("train-agent --data " + data + " --method mopo --hidden 16 --layers 1 --batch 32 "
                        "--rollout-starts 16 --rollout-every 10 --eval-episodes 1 --steps 10 --model " + ens +
                        " --reward known --out " + (dir / "known.ckpt").string());
  EXPECT_EQ(known.exit_code, 0) << known.err;
  EXPECT_THAT(known.out, HasSubstr("(known reward)"));
  auto known_true = RunAugur("train-agent --data " + data + " --reward known --out " + (dir / "y.ckpt").string());
  EXPECT_EQ(known_true.exit_code, 1);
  EXPECT_THAT(known_true.err, HasSubstr("--reward known applies to an ensemble checkpoint"));
  // Its predictions clamped into the data's observation / reward box; the box applies to a learned model only.
  auto boxed = RunAugur("train-agent --data " + data + " --method mobile --hidden 16 --layers 1 --batch 32 "
                        "--rollout-starts 16 --rollout-every 10 --eval-episodes 1 --steps 10 --model " + ens +
                        " --box data --out " + (dir / "boxed.ckpt").string());
  EXPECT_EQ(boxed.exit_code, 0) << boxed.err;
  EXPECT_THAT(boxed.out, HasSubstr("(data box)"));
  auto box_true = RunAugur("train-agent --data " + data + " --box data --out " + (dir / "z.ckpt").string());
  EXPECT_EQ(box_true.exit_code, 1);
  EXPECT_THAT(box_true.err, HasSubstr("--box data applies to an ensemble checkpoint"));
  auto box_bad = RunAugur("train-agent --data " + data + " --box yes --out " + (dir / "w.ckpt").string());
  EXPECT_NE(box_bad.exit_code, 0);
  EXPECT_THAT(box_bad.err, HasSubstr("--box"));
  // eval plans in the same boxed model.
  auto eval_boxed = RunAugur("eval --env Pendulum-v1 --episodes 1 --max-steps 5 --model " + ens +
                             " --planner icem:pop=8,elites=2,iters=1,horizon=2 --box-data " + data);
  EXPECT_EQ(eval_boxed.exit_code, 0) << eval_boxed.err;
  auto junk = RunAugur("eval --env Pendulum-v1 --agent sac:" + data);
  EXPECT_NE(junk.exit_code, 0);
  EXPECT_THAT(junk.err, HasSubstr("cannot be read"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace augur
