// The data commands as a user runs them: collect -> info -> replay -> export -> import, crash safety of
// collect under SIGKILL, and clear errors for bad input.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "../testing/run_command.h"

namespace augur {
namespace {
namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::RunAugur;

class DataCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("augur_data_cli_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }
  fs::path dir_;
};

TEST_F(DataCliTest, CollectInfoReplayExportImportRoundTrip) {
  auto collect = RunAugur("collect --env CartPole-v1 --policy medium --episodes 5 --seed 3 --out " + Path("c.augur"));
  ASSERT_EQ(collect.exit_code, 0) << collect.err;
  EXPECT_THAT(collect.out, HasSubstr("5 episodes"));

  auto info = RunAugur("--json info " + Path("c.augur"));
  ASSERT_EQ(info.exit_code, 0) << info.err;
  const auto j = nlohmann::json::parse(info.out);
  EXPECT_EQ(j["episodes"], 5);
  EXPECT_EQ(j["obs_dim"], 4);
  EXPECT_EQ(j["action_dim"], 1);
  EXPECT_EQ(j["env"], "CartPole-v1");
  EXPECT_EQ(j["behaviour_policy"], "medium");
  EXPECT_EQ(j["observations"]["mean"].size(), 4u);
  const std::string digest = j["digest"];

  auto replay = RunAugur("--json replay --min-match 1.0 --data " + Path("c.augur"));
  ASSERT_EQ(replay.exit_code, 0) << replay.err;
  EXPECT_DOUBLE_EQ(nlohmann::json::parse(replay.out)["all_match"].get<double>(), 1.0);

  for (const char* ext : {"npz", "hdf5"}) {
    const std::string exported = Path(std::string("c.") + ext), back = Path(std::string("back_") + ext + ".augur");
    ASSERT_EQ(RunAugur("export " + Path("c.augur") + " --out " + exported).exit_code, 0) << ext;
    auto imported = RunAugur("import " + exported + " --env CartPole-v1 --out " + back);
    ASSERT_EQ(imported.exit_code, 0) << imported.err;
    auto info_back = RunAugur("--json info " + back);
    ASSERT_EQ(info_back.exit_code, 0) << info_back.err;
    EXPECT_EQ(nlohmann::json::parse(info_back.out)["digest"], digest) << ext << ": data changed in the round trip";
  }
}

TEST_F(DataCliTest, SameSeedSameDataset) {
  ASSERT_EQ(RunAugur("collect --env Pendulum-v1 --episodes 3 --seed 9 --out " + Path("a.augur")).exit_code, 0);
  ASSERT_EQ(RunAugur("collect --env Pendulum-v1 --episodes 3 --seed 9 --out " + Path("b.augur")).exit_code, 0);
  ASSERT_EQ(RunAugur("collect --env Pendulum-v1 --episodes 3 --seed 10 --out " + Path("c.augur")).exit_code, 0);
  auto digest = [&](const std::string& p) { return nlohmann::json::parse(RunAugur("--json info " + p).out)["digest"]; };
  EXPECT_EQ(digest(Path("a.augur")), digest(Path("b.augur")));
  EXPECT_NE(digest(Path("a.augur")), digest(Path("c.augur")));
}

TEST_F(DataCliTest, AppendContinuesTheDataset) {
  ASSERT_EQ(RunAugur("collect --env Pendulum-v1 --episodes 2 --out " + Path("a.augur")).exit_code, 0);
  ASSERT_EQ(RunAugur("collect --env Pendulum-v1 --episodes 3 --append --out " + Path("a.augur")).exit_code, 0);
  EXPECT_EQ(nlohmann::json::parse(RunAugur("--json info " + Path("a.augur")).out)["episodes"], 5);
  // Without --append an existing file is not overwritten.
  auto again = RunAugur("collect --env Pendulum-v1 --episodes 1 --out " + Path("a.augur"));
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_THAT(again.err, HasSubstr(Path("a.augur")));
}

TEST_F(DataCliTest, CollectorKilledMidRunLeavesItsCompleteEpisodes) {
  const std::string out = Path("killed.augur");
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const std::string bin = testing::AugurBinary();
    execl(bin.c_str(), bin.c_str(), "collect", "--env", "Pendulum-v1", "--episodes", "1000000", "--out", out.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  // Wait until some episodes are on disk, then kill without warning.
  for (int i = 0; i < 300 && (!fs::exists(out) || fs::file_size(out) < 200000); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));
  auto info = RunAugur("--json info " + out);
  ASSERT_EQ(info.exit_code, 0) << info.err;
  const auto j = nlohmann::json::parse(info.out);
  EXPECT_GE(j["episodes"].get<int>(), 1);
  for (const auto& r : j["episode_returns"]) EXPECT_TRUE(std::isfinite(r.get<double>()));
  // Every kept episode is a complete 200-step Pendulum episode.
  EXPECT_EQ(j["rows"].get<int>(), 200 * j["episodes"].get<int>());
  EXPECT_EQ(j["timeouts"].get<int>(), j["episodes"].get<int>());
}

TEST_F(DataCliTest, BadInputGivesClearErrors) {
  auto env = RunAugur("collect --env NoSuchEnv-v9 --episodes 1 --out " + Path("x.augur"));
  EXPECT_EQ(env.exit_code, 1);
  EXPECT_THAT(env.err, HasSubstr("NoSuchEnv-v9"));
  EXPECT_THAT(env.err, HasSubstr("Pendulum-v1"));  // lists the valid ids
  auto policy = RunAugur("collect --env Pendulum-v1 --policy genius --episodes 1 --out " + Path("x.augur"));
  EXPECT_EQ(policy.exit_code, 1);
  EXPECT_THAT(policy.err, HasSubstr("genius"));
  auto missing = RunAugur("info " + Path("missing.augur"));
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("missing.augur"));
  {
    std::ofstream garbage(Path("garbage.augur"), std::ios::binary);
    garbage << "this is not a dataset at all";
  }
  auto bad = RunAugur("info " + Path("garbage.augur"));
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("garbage.augur"));
  ASSERT_EQ(RunAugur("collect --env Pendulum-v1 --episodes 1 --out " + Path("p.augur")).exit_code, 0);
  auto dims = RunAugur("import " + Path("p.augur") + " --env CartPole-v1 --out " + Path("q.augur"));
  EXPECT_EQ(dims.exit_code, 1);
  EXPECT_THAT(dims.err, HasSubstr("CartPole-v1 has observations of 4"));
  auto wrong_env = RunAugur("replay --env CartPole-v1 --data " + Path("p.augur"));
  EXPECT_EQ(wrong_env.exit_code, 1);
  auto ext = RunAugur("export " + Path("p.augur") + " --out " + Path("p.csv"));
  EXPECT_EQ(ext.exit_code, 1);
  EXPECT_THAT(ext.err, HasSubstr(".csv"));
}

}  // namespace
}  // namespace augur
