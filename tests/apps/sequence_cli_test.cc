// The sequence-model workflow as a user runs it: collect -> train tt -> eval/plan with beam search, and clear
// errors for a tt checkpoint used with the wrong env or a world-model planner.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "../testing/run_command.h"

namespace augur {
namespace {
namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::RunAugur;

TEST(SequenceCliTest, TrainTtThenEvalAndPlanWithBeamSearch) {
  const fs::path dir = fs::temp_directory_path() / ("augur_seq_cli_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string data = (dir / "p.augur").string(), ckpt = (dir / "tt.ckpt").string();
  ASSERT_EQ(RunAugur("collect --env Pendulum-v1 --policy mixed --episodes 4 --seed 1 --out " + data).exit_code, 0);
  auto train = RunAugur("--json --threads 1 train --data " + data +
                        " --model tt:layers=1,heads=1,width=16,bins=20,steps=3 --epochs 1 --batch 16 --out " + ckpt);
  ASSERT_EQ(train.exit_code, 0) << train.err;
  const auto report = nlohmann::json::parse(train.out);
  EXPECT_EQ(report["epochs"].size(), 1u);
  EXPECT_GT(report["epochs"][0]["samples_per_second"].get<double>(), 0);

  auto eval = RunAugur("--json --threads 1 eval --env Pendulum-v1 --model " + ckpt +
                       " --planner beam:width=4,horizon=3 --episodes 1 --max-steps 5");
  ASSERT_EQ(eval.exit_code, 0) << eval.err;
  EXPECT_EQ(nlohmann::json::parse(eval.out)["episodes"].size(), 1u);

  auto plan = RunAugur("--json --threads 1 plan --env Pendulum-v1 --model " + ckpt +
                       " --planner beam:width=4,horizon=2 --obs 1,0,0");
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_EQ(nlohmann::json::parse(plan.out)["plan"].size(), 2u);

  // horizon beyond the model's window, a world-model planner, another env
  auto too_long = RunAugur("eval --env Pendulum-v1 --model " + ckpt + " --planner beam:horizon=4 --episodes 1");
  EXPECT_EQ(too_long.exit_code, 1);
  EXPECT_THAT(too_long.err, HasSubstr("horizon 4"));
  auto cem = RunAugur("eval --env Pendulum-v1 --model " + ckpt + " --planner cem:horizon=3 --episodes 1");
  EXPECT_EQ(cem.exit_code, 1);
  EXPECT_THAT(cem.err, HasSubstr("beam"));
  auto other_env = RunAugur("eval --env CartPole-v1 --model " + ckpt + " --planner beam:horizon=2 --episodes 1");
  EXPECT_EQ(other_env.exit_code, 1);
  EXPECT_THAT(other_env.err, HasSubstr("obs_dim"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace augur
