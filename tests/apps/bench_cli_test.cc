// augur bench as a user runs it: the smoke grid end to end, killed mid-run and resumed without rerunning
// finished cells, and every bad config refused before any work with the valid names or both shapes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
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

class BenchCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("augur_bench_cli_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }
  std::string Write(const std::string& name, const std::string& text) const {
    std::ofstream(Path(name)) << text;
    return Path(name);
  }
  static std::vector<std::string> Lines(const std::string& path) {
    std::ifstream in(path);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) if (!line.empty()) lines.push_back(line);
    return lines;
  }
  fs::path dir_;
};

const std::string kSmoke = std::string(AUGUR_SOURCE_DIR) + "/bench/configs/smoke.pbtxt";

TEST_F(BenchCliTest, SmokeGridKilledMidRunResumesWithoutRerunningFinishedCells) {
  const std::string out = Path("out"), cells = out + "/cells.jsonl";
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const std::string bin = testing::AugurBinary();
    execl(bin.c_str(), bin.c_str(), "--threads", "2", "bench", kSmoke.c_str(), "--out", out.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  // Wait for two finished cells, then kill without warning.
  for (int i = 0; i < 3000 && (!fs::exists(cells) || Lines(cells).size() < 2); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  const std::vector<std::string> before = Lines(cells);
  ASSERT_GE(before.size(), 2u);
  ASSERT_LT(before.size(), 12u) << "the run finished before it was killed";

  auto resumed = RunAugur("--threads 2 --json bench " + kSmoke + " --out " + out);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_THAT(resumed.err, HasSubstr("already finished"));
  const auto j = nlohmann::json::parse(resumed.out);
  EXPECT_EQ(j["cells"], 12);  // 2 datasets x (2 mpc methods x 2 budgets + bc + behaviour)
  EXPECT_GE(j["skipped"].get<int>(), static_cast<int>(before.size()) - 1);
  // The finished cells are intact and were not appended again.
  const std::vector<std::string> after = Lines(cells);
  for (size_t i = 0; i + 1 < before.size(); ++i) EXPECT_EQ(after[i], before[i]) << i;
  EXPECT_LE(after.size(), 13u);

  std::ifstream results_file(out + "/results.json");
  const auto results = nlohmann::json::parse(results_file);
  ASSERT_EQ(results["cells"].size(), 12u);
  bool saw_true = false, saw_model_error = false;
  for (const auto& c : results["cells"]) {
    EXPECT_TRUE(c["result"].contains("normalized_mean")) << c["key"];
    if (c["method"] == "true-icem") saw_true = c["result"]["evaluations_per_action"].get<double>() > 0;
    if (c["method"] == "pets-icem") saw_model_error = c["result"]["model_error"].size() == 5;
  }
  EXPECT_TRUE(saw_true);
  EXPECT_TRUE(saw_model_error);
  EXPECT_TRUE(fs::exists(out + "/report.html"));
  EXPECT_TRUE(fs::exists(out + "/datasets/Hopper-v4-medium.augur"));

  // A third run does nothing but rewrite the results.
  auto again = RunAugur("--json bench " + kSmoke + " --out " + out + " --no-report");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(nlohmann::json::parse(again.out)["skipped"], 12);
}

TEST_F(BenchCliTest, SequenceModelCellTrainsATrajectoryTransformerAndPlansWithBeamSearch) {
  const std::string config = std::string(AUGUR_SOURCE_DIR) + "/bench/configs/sequence_smoke.pbtxt";
  auto r = RunAugur("--threads 2 --json bench " + config + " --out " + Path("seq") + " --no-report");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::ifstream results_file(Path("seq") + "/results.json");
  const auto results = nlohmann::json::parse(results_file);
  ASSERT_EQ(results["cells"].size(), 2u);
  bool saw_beam = false;
  for (const auto& c : results["cells"]) {
    EXPECT_TRUE(c["result"].contains("normalized_mean")) << c["key"];
    if (c["method"] == "tt-beam") {
      saw_beam = true;
      EXPECT_GT(c["result"]["train_seconds"].get<double>(), 0.0);
      EXPECT_EQ(c["result"]["returns"].size(), 1u);
      EXPECT_TRUE(c["result"]["model_error"].empty());  // a sequence model has no one-step WorldModel
    }
  }
  EXPECT_TRUE(saw_beam);
}

const char* kMethods = R"(
methods { name: "true" kind: "mpc" model: "true" planner: "icem:pop=8,horizon=4" }
episodes: 1 max_steps: 5
)";

TEST_F(BenchCliTest, UnknownNamesFailBeforeAnyWorkListingTheValidOnes) {
  struct Case {
    std::string config, expect;
  } cases[] = {
      {"envs { env: \"Hoper-v4\" datasets { name: \"r\" grade: \"random\" } }" + std::string(kMethods), "Hopper-v4"},
      {"envs { env: \"Hopper-v4\" datasets { name: \"r\" grade: \"great\" } }" + std::string(kMethods),
       "medium-replay"},
      {"envs { env: \"Hopper-v4\" datasets { name: \"r\" grade: \"random\" } }\n"
       "methods { name: \"m\" kind: \"raval\" }",
       "bc, dataset, mobile, mopo, mpc, ravl"},
      {"envs { env: \"Hopper-v4\" datasets { name: \"r\" grade: \"random\" } }\n"
       "methods { name: \"m\" kind: \"mpc\" model: \"true\" planner: \"beem:width=2\" }",
       "icem"},
      {"envs { env: \"Hopper-v4\" datasets { name: \"r\" grade: \"random\" } }\n"
       "methods { name: \"m\" kind: \"mpc\" model: \"true\" planner: \"beam:width=2\" }",
       "sequence model"},
      {"envs { env: \"Hopper-v4\" datasets { name: \"r\" grade: \"random\" } }\n"
       "methods { name: \"m\" kind: \"mpc\" model: \"gpt:layers=2\" planner: \"cem\" }",
       "ensemble"},
      {"envs { env: \"Hopper-v4\" datasets { name: \"r\" grade: \"random\" } }\n"
       "methods { name: \"m\" kind: \"mpc\" modle: \"true\" }",
       "modle"},
  };
  for (const Case& c : cases) {
    const std::string config = Write("bad.pbtxt", c.config);
    auto run = RunAugur("bench " + config + " --out " + Path("never"));
    EXPECT_EQ(run.exit_code, 1) << c.config;
    EXPECT_THAT(run.err, HasSubstr(c.expect)) << c.config;
    EXPECT_FALSE(fs::exists(Path("never"))) << "work was done before the config was checked: " << c.config;
  }
}

TEST_F(BenchCliTest, OfflineRlMethodsWithUnknownNamesOrBadParamsFailBeforeAnyWork) {
  const std::string env = "envs { env: \"Pendulum-v1\" datasets { name: \"r\" grade: \"random\" } }\n";
  struct Case {
    std::string method, expect;
  } cases[] = {
      {"methods { name: \"m\" kind: \"ravl\" model: \"simulator\" }", "valid models: learned"},
      {"methods { name: \"m\" kind: \"mopo\" }", "true (the simulator)"},
      {"methods { name: \"m\" kind: \"mobile\" model: \"learned\" params { key: \"ensemble\" value: \"gp\" } }",
       "unknown ensemble model 'gp'"},
      {"methods { name: \"m\" kind: \"ravl\" model: \"true\" params { key: \"stepz\" value: \"5\" } }",
       "rollout_length"},
      {"methods { name: \"m\" kind: \"ravl\" model: \"true\" params { key: \"steps\" value: \"5k\" } }",
       "not a number"},
      {"methods { name: \"m\" kind: \"ravl\" model: \"true\" params { key: \"critics\" value: \"1\" } }",
       "critics >= 2"},
      {"methods { name: \"m\" kind: \"mopo\" model: \"true\" planner: \"cem\" }", "takes no planner"},
  };
  for (const Case& c : cases) {
    const std::string config = Write("bad.pbtxt", env + c.method);
    auto run = RunAugur("bench " + config + " --out " + Path("never"));
    EXPECT_EQ(run.exit_code, 1) << c.method;
    EXPECT_THAT(run.err, HasSubstr(c.expect)) << c.method;
    EXPECT_FALSE(fs::exists(Path("never"))) << "work was done before the config was checked: " << c.method;
  }
}

TEST_F(BenchCliTest, OfflineRlCellsRunWithLearnedAndTrueModelsOnPendulumAndNeoRl2Dmsd) {
  const std::string config = std::string(AUGUR_SOURCE_DIR) + "/bench/configs/offline_rl_smoke.pbtxt";
  const std::string out = Path("out");
  auto run = RunAugur("--threads 2 bench " + config + " --no-report --out " + out);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::ifstream in(out + "/results.json");
  const auto results = nlohmann::json::parse(in);
  ASSERT_EQ(results["cells"].size(), 14u);
  int offline = 0;
  for (const auto& c : results["cells"]) {
    const auto& r = c["result"];
    ASSERT_TRUE(r.contains("normalized_mean")) << c["key"];
    EXPECT_TRUE(std::isfinite(r["normalized_mean"].get<double>())) << c["key"];
    const std::string kind = c["kind"];
    if (kind == "dataset") continue;
    ++offline;
    EXPECT_TRUE(fs::exists(r["checkpoint"].get<std::string>())) << c["key"];
    const std::string method = c["method"];
    // The learned ensemble's open-loop error is measured; the true model has none.
    EXPECT_EQ(r["model_error"].empty(), method.find("-true") != std::string::npos) << c["key"];
    EXPECT_THAT(r["agent"].get<std::string>(), HasSubstr(kind + " (")) << c["key"];
  }
  EXPECT_EQ(offline, 12);
  // The real DMSD data's behaviour score uses NeoRL-2's normalization (MIN 30.60, MAX 849.51) on full episodes.
  for (const auto& c : results["cells"]) {
    if (c["env"] != "DMSD" || c["kind"] != "dataset") continue;
    const auto& r = c["result"];
    ASSERT_EQ(r["returns"].size(), 3u);
    double expected = 0;
    for (double ret : r["returns"]) expected += 100.0 * (ret - 30.60) / (849.51 - 30.60) / 3.0;
    EXPECT_NEAR(r["normalized_mean"].get<double>(), expected, 1e-6);
    EXPECT_THAT(r["normalization"].get<std::string>(), HasSubstr("NeoRL-2"));
  }
  // A rerun finds every cell finished and trains nothing.
  auto again = RunAugur("--json bench " + config + " --no-report --out " + out);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(nlohmann::json::parse(again.out)["skipped"], 14);
}

TEST_F(BenchCliTest, DataBoxCellsRunWithPlannersAndOfflineRlOnNeoRl2Dmsd) {
  const std::string slice = std::string(AUGUR_SOURCE_DIR) + "/tests/data/testdata/neorl2_dmsd_slice.npz";
  const std::string config = Write(
      "box.pbtxt",
      "envs { env: \"DMSD\" datasets { name: \"train\" path: \"" + slice + "\" } }\n"
      "methods { name: \"pets-box\" kind: \"mpc\" train_epochs: 2 model: \"ensemble:members=2,elites=2,hidden=8,layers=1\"\n"
      "  planner: \"icem:pop=8,elites=2,iters=1,horizon=2\" params { key: \"box\" value: \"data\" } }\n"
      "methods { name: \"mobile-box\" kind: \"mobile\" model: \"learned\" train_epochs: 2\n"
      "  params { key: \"ensemble\" value: \"ensemble:members=2,elites=2,hidden=8,layers=1\" }\n"
      "  params { key: \"box\" value: \"data\" } params { key: \"reward\" value: \"known\" }\n"
      "  params { key: \"steps\" value: \"20\" } params { key: \"hidden\" value: \"8\" }\n"
      "  params { key: \"batch\" value: \"16\" } params { key: \"rollout_starts\" value: \"16\" }\n"
      "  params { key: \"rollout_every\" value: \"10\" } }\n"
      "episodes: 1 max_steps: 5\n");
  const std::string out = Path("box-out");
  auto run = RunAugur("--threads 1 bench " + config + " --no-report --out " + out);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::ifstream in(out + "/results.json");
  const auto results = nlohmann::json::parse(in);
  ASSERT_EQ(results["cells"].size(), 2u);
  for (const auto& c : results["cells"]) {
    EXPECT_TRUE(std::isfinite(c["result"]["normalized_mean"].get<double>())) << c["key"];
    if (c["method"] == "mobile-box") {
      EXPECT_THAT(c["result"]["agent"].get<std::string>(), HasSubstr("known reward, data box")) << c["key"];
    }
  }
}

TEST_F(BenchCliTest, PathDatasetCanBeOverriddenOnTheCommandLineAndCutToItsFirstEpisodes) {
  const std::string slice = std::string(AUGUR_SOURCE_DIR) + "/tests/data/testdata/neorl2_dmsd_slice.npz";
  const std::string config = Write("dmsd.pbtxt",
                                   "envs { env: \"DMSD\" datasets { name: \"train\" path: \"missing.npz\" episodes: 2 } }\n"
                                   "methods { name: \"behaviour\" kind: \"dataset\" }\n");
  auto bad = RunAugur("bench " + config + " --dataset-path DMSD/tran=" + slice + " --out " + Path("never"));
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("valid: DMSD/train"));
  EXPECT_FALSE(fs::exists(Path("never")));
  auto run = RunAugur("bench " + config + " --no-report --dataset-path DMSD/train=" + slice + " --out " + Path("out"));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::ifstream in(Path("out") + "/results.json");
  const auto results = nlohmann::json::parse(in);
  ASSERT_EQ(results["cells"].size(), 1u);
  EXPECT_EQ(results["cells"][0]["result"]["returns"].size(), 2u);  // the slice holds 3 episodes
}

TEST_F(BenchCliTest, DatasetOfAnotherEnvIsRefusedWithBothShapes) {
  ASSERT_EQ(RunAugur("collect --env Pendulum-v1 --episodes 1 --max-steps 5 --out " + Path("p.augur")).exit_code, 0);
  const std::string config = Write(
      "dims.pbtxt", "envs { env: \"Hopper-v4\" datasets { name: \"p\" path: \"" + Path("p.augur") + "\" } }" +
                        std::string(kMethods));
  auto run = RunAugur("bench " + config + " --out " + Path("never"));
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, HasSubstr("[N, 3]"));
  EXPECT_THAT(run.err, HasSubstr("[11]"));
  EXPECT_FALSE(fs::exists(Path("never")));
}

TEST_F(BenchCliTest, ListKindsAndCheck) {
  auto kinds = RunAugur("bench --list-kinds");
  ASSERT_EQ(kinds.exit_code, 0) << kinds.err;
  EXPECT_THAT(kinds.out, HasSubstr("mpc"));
  EXPECT_THAT(kinds.out, HasSubstr("bc"));
  auto check = RunAugur("bench " + kSmoke + " --check --out " + Path("c"));
  ASSERT_EQ(check.exit_code, 0) << check.err;
  EXPECT_THAT(check.out, HasSubstr("12 cells"));
  EXPECT_THAT(check.out, HasSubstr("Hopper-v4/medium/pets-icem/pop=16/0"));
}

TEST_F(BenchCliTest, DatasetAndTrainBcCommands) {
  auto d = RunAugur("--json dataset --env Hopper-v4 --grade medium --episodes 2 --max-steps 10 --medium-planner "
                    "icem:pop=4,elites=2,iters=1,horizon=3 --out " + Path("m.augur"));
  ASSERT_EQ(d.exit_code, 0) << d.err;
  const auto j = nlohmann::json::parse(d.out);
  EXPECT_EQ(j["episodes"], 2);
  EXPECT_EQ(j["returns"].size(), 2u);
  EXPECT_TRUE(j.contains("d4rl_normalized_mean"));
  auto bc = RunAugur("train-bc --data " + Path("m.augur") + " --epochs 2 --hidden 8 --out " + Path("bc.json"));
  ASSERT_EQ(bc.exit_code, 0) << bc.err;
  auto eval = RunAugur("--json eval --env Hopper-v4 --agent bc:" + Path("bc.json") + " --episodes 1 --max-steps 5");
  ASSERT_EQ(eval.exit_code, 0) << eval.err;
  EXPECT_EQ(nlohmann::json::parse(eval.out)["agent"], "bc");
  auto grade = RunAugur("dataset --env Hopper-v4 --grade great --out " + Path("g.augur"));
  EXPECT_EQ(grade.exit_code, 1);
  EXPECT_THAT(grade.err, HasSubstr("medium-expert"));
}

}  // namespace
}  // namespace augur
