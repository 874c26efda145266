// The command line as a user calls it: help at every level, exit codes, JSON output, clear errors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "../testing/run_command.h"

namespace augur {
namespace {
using ::testing::HasSubstr;
using testing::RunAugur;

TEST(CliTest, HelpAtEveryLevel) {
  auto top = RunAugur("--help");
  EXPECT_EQ(top.exit_code, 0);
  EXPECT_THAT(top.out, HasSubstr("Subcommands:"));
  EXPECT_THAT(top.out, HasSubstr("info"));
  EXPECT_THAT(top.out, HasSubstr("--log-level"));
  // Every subcommand (apps/src/commands.cc lists them).
  for (const char* sub : {"collect", "bench", "dataset", "import", "export", "info", "replay", "train", "train-bc",
                          "plan", "pets", "eval", "serve", "train-agent", "train-sac", "edge-of-reach", "version"}) {
    auto r = RunAugur(std::string(sub) + " --help");
    EXPECT_EQ(r.exit_code, 0) << sub;
    EXPECT_THAT(r.out, HasSubstr("Usage:")) << sub;
  }
}

TEST(CliTest, VersionJson) {
  auto r = RunAugur("version --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["augur"], "0.1.0");
  EXPECT_TRUE(j.contains("libtorch"));
  EXPECT_EQ(RunAugur("--version").exit_code, 0);
}

TEST(CliTest, InfoReportsBlasAndGemmRate) {
  auto r = RunAugur("info --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_GT(j["gemm_gflops"].get<double>(), 0.0);
  EXPECT_FALSE(j["blas"].get<std::string>().empty());
  EXPECT_GE(j["hardware_threads"].get<int>(), 1);
  auto text = RunAugur("info --no-gemm --threads 1");
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr("torch threads: 1"));
}

TEST(CliTest, UserErrorsExitOneWithAMessage) {
  auto none = RunAugur("");
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_THAT(none.err, HasSubstr("subcommand is required"));
  auto unknown = RunAugur("bogus");
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.err, HasSubstr("unknown subcommand 'bogus'; valid subcommands: collect,"));
  EXPECT_THAT(unknown.err, HasSubstr("version"));
  auto extra = RunAugur("version extra");
  EXPECT_EQ(extra.exit_code, 1);
  EXPECT_THAT(extra.err, HasSubstr("unexpected argument 'extra'"));
  auto level = RunAugur("--log-level loud info --no-gemm");
  EXPECT_EQ(level.exit_code, 1);
  EXPECT_THAT(level.err, HasSubstr("unknown log level 'loud'; valid levels:"));
  auto threads = RunAugur("info --threads -3");
  EXPECT_EQ(threads.exit_code, 1);
  EXPECT_THAT(threads.err, HasSubstr("--threads"));
}

TEST(CliTest, EvalKnownRewardNeedsALearnedModelAndAKnownValue) {
  auto truth = RunAugur("eval --env DMSD --model true --planner icem:pop=8,horizon=3 --reward known --episodes 1");
  EXPECT_EQ(truth.exit_code, 1);
  EXPECT_THAT(truth.err, HasSubstr("--reward known applies to a learned world model"));
  auto bad = RunAugur("eval --env DMSD --model true --planner icem:pop=8 --reward env --episodes 1");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("--reward"));
}

TEST(CliTest, EvalBoxDataNeedsALearnedModel) {
  auto truth = RunAugur("eval --env DMSD --model true --planner icem:pop=8,horizon=3 --box-data x.npz --episodes 1");
  EXPECT_EQ(truth.exit_code, 1);
  EXPECT_THAT(truth.err, HasSubstr("--box-data applies to a learned world model"));
}

}  // namespace
}  // namespace augur
