// A model trained in Python plans in augur: TorchScript modules exported by Debian's python3-torch during
// the test run, checked against PyTorch's own outputs.
#include "augur/models/torchscript_model.h"

#include <ATen/ATen.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "../testing/run_command.h"
#include "augur/core/error.h"
#include "augur/core/torch_rng.h"

namespace augur::models {
namespace {
namespace fs = std::filesystem;
using ::testing::HasSubstr;

at::Tensor FromJson(const nlohmann::json& rows) {
  std::vector<float> flat;
  for (const auto& row : rows) {
    if (row.is_array()) {
      for (const auto& v : row) flat.push_back(v.get<float>());
    } else {
      flat.push_back(row.get<float>());
    }
  }
  const int64_t n = rows.size();
  return at::tensor(flat).view({n, static_cast<int64_t>(flat.size()) / n});
}

class TorchScriptTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fs::temp_directory_path() / ("augur_torchscript_" + std::to_string(::getpid())));
    fs::create_directories(*dir_);
    const auto r = testing::RunCommand("/usr/bin/python3 " AUGUR_SOURCE_DIR "/tests/models/export_torchscript.py " +
                                       dir_->string());
    exported_ = r.exit_code == 0;
    export_error_ = new std::string(r.err);
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
    delete export_error_;
  }
  void SetUp() override { ASSERT_TRUE(exported_) << "python3-torch export failed: " << *export_error_; }
  static std::string File(const char* name) { return (*dir_ / name).string(); }
  static TorchScriptModelOptions Options() {
    return {.obs_dim = 3, .action_dim = 1, .action_bounds = Box::Uniform(1, -2, 2), .env_id = "Pendulum-v1"};
  }

  static fs::path* dir_;
  static bool exported_;
  static std::string* export_error_;
};
fs::path* TorchScriptTest::dir_ = nullptr;
bool TorchScriptTest::exported_ = false;
std::string* TorchScriptTest::export_error_ = nullptr;

TEST_F(TorchScriptTest, MatchesPyTorchOutputs) {
  auto model = TorchScriptModel::Load(File("dyn.pt"), Options());
  std::ifstream in(File("expected.json"));
  const auto expected = nlohmann::json::parse(in);
  const at::Tensor state = FromJson(expected["state"]), action = FromJson(expected["action"]);
  StepContext mean_ctx;  // no generator: the mean
  const Transition t = model->Step(state, action, mean_ctx);
  EXPECT_TRUE(at::allclose(t.next_state, FromJson(expected["mean"]), 1e-5, 1e-5)) << t.next_state;
  EXPECT_TRUE(at::allclose(t.reward, FromJson(expected["reward"]).view({-1}), 1e-5, 1e-5));
  const at::Tensor std = (0.5 * FromJson(expected["logvar"])).exp();
  EXPECT_TRUE(at::allclose(t.uncertainty, std.norm(2, {1}), 1e-5, 1e-5));
  EXPECT_FALSE(t.done.any().item<bool>());  // Pendulum never terminates
  EXPECT_EQ(model->spec().state_dim, 3);
  EXPECT_EQ(model->spec().type, "torchscript");
}

TEST_F(TorchScriptTest, SamplingIsSeededAndCentredOnTheMean) {
  auto model = TorchScriptModel::Load(File("dyn.pt"), Options());
  const at::Tensor state = at::tensor({0.5f, 0.5f, -1.f}).view({1, 3}).expand({4000, 3}).contiguous();
  const at::Tensor action = at::full({4000, 1}, 0.3f);
  StepContext a{.generator = MakeCpuGenerator(1)}, b{.generator = MakeCpuGenerator(1)},
      c{.generator = MakeCpuGenerator(2)};
  const at::Tensor x = model->Step(state, action, a).next_state, y = model->Step(state, action, b).next_state;
  EXPECT_TRUE(at::equal(x, y));
  EXPECT_FALSE(at::equal(x, model->Step(state, action, c).next_state));
  StepContext mean_ctx;
  const at::Tensor mean = model->Step(state.slice(0, 0, 1), action.slice(0, 0, 1), mean_ctx).next_state;
  EXPECT_TRUE(at::allclose(x.mean(0), mean.view({-1}), 0.0, 0.05));
}

TEST_F(TorchScriptTest, WrongSignatureIsAClearError) {
  try {
    TorchScriptModel::Load(File("bad.pt"), Options());
    FAIL() << "expected ShapeError";
  } catch (const ShapeError& e) {
    EXPECT_THAT(e.what(), HasSubstr("bad.pt"));
    EXPECT_THAT(e.what(), HasSubstr("augur expects forward(state, action) -> (mean"));
  }
  // Dims that do not match the module: its forward fails on the check batch.
  EXPECT_THROW(TorchScriptModel::Load(File("dyn.pt"), {.obs_dim = 5, .action_dim = 1}), ShapeError);
}

TEST_F(TorchScriptTest, NewerFileVersionNamesTheVersionAndTheFix) {
  try {
    TorchScriptModel::Load(File("future.pt"), Options());
    FAIL() << "expected DataError";
  } catch (const DataError& e) {
    EXPECT_THAT(e.what(), HasSubstr("future.pt"));
    EXPECT_THAT(e.what(), HasSubstr("99"));
    EXPECT_THAT(e.what(), HasSubstr("re-export"));
  }
}

TEST_F(TorchScriptTest, MissingOrCorruptFilesAreClearErrors) {
  EXPECT_THROW(TorchScriptModel::Load(File("nope.pt"), Options()), NotFoundError);
  {
    std::ofstream out(File("corrupt.pt"), std::ios::binary);
    out << "PK\x03\x04 definitely not a complete archive";
  }
  try {
    TorchScriptModel::Load(File("corrupt.pt"), Options());
    FAIL() << "expected DataError";
  } catch (const DataError& e) {
    EXPECT_THAT(e.what(), HasSubstr("corrupt.pt"));
  }
  EXPECT_THROW(TorchScriptModel::Load(File("dyn.pt"), {.obs_dim = 0, .action_dim = 1}), ConfigError);
}

}  // namespace
}  // namespace augur::models
