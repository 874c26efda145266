#include <ATen/ATen.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "augur/core/error.h"
#include "augur/models/ensemble/checkpoint.h"
#include "augur/models/ensemble/ensemble_model.h"
#include "augur/models/factory.h"
#include "sine_data.h"

namespace augur::models {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

class CheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(AUGUR_BINARY_DIR) / "tests" / "models" /
           ("ckpt_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Trained(const std::string& name) {
    auto model = Create("ensemble:members=3,elites=2,hidden=16,layers=2", 1, 1, Box::Uniform(1, -1, 1), "Pendulum-v1");
    TrainOptions train;
    train.max_epochs = 4;
    train.data_digest = "sha256:1234";
    model->Train(testing::NoisySine(300, 1), train, nullptr);
    const std::string path = (dir_ / name).string();
    model->Save(path);
    return path;
  }

  std::filesystem::path dir_;
};

TEST_F(CheckpointTest, RoundTripKeepsPredictionsAndCard) {
  auto model = Create("ensemble:members=3,elites=2,hidden=16,layers=2", 1, 1, Box::Uniform(1, -1, 1), "Pendulum-v1");
  TrainOptions train;
  train.max_epochs = 4;
  train.data_digest = "sha256:1234";
  model->Train(testing::NoisySine(300, 1), train, nullptr);
  const std::string path = (dir_ / "model.ckpt").string();
  model->Save(path);
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));

  auto loaded = Load(path, {.obs_dim = 1, .action_dim = 1, .env_id = "Pendulum-v1"});
  ASSERT_NE(loaded, nullptr);
  EXPECT_TRUE(loaded->trained());
  const ModelCard& a = model->card();
  const ModelCard& b = loaded->card();
  EXPECT_EQ(b.type, "ensemble");
  EXPECT_EQ(b.config, a.config);
  EXPECT_EQ(b.env_id, "Pendulum-v1");
  EXPECT_EQ(b.data_digest, "sha256:1234");
  EXPECT_EQ(b.input_mean, a.input_mean);
  EXPECT_EQ(b.target_std, a.target_std);
  EXPECT_EQ(b.action_low, a.action_low);
  EXPECT_EQ(b.metrics.epochs.size(), a.metrics.epochs.size());
  EXPECT_EQ(b.metrics.elites, a.metrics.elites);
  EXPECT_FALSE(b.augur_version.empty());
  EXPECT_EQ(dynamic_cast<EnsembleModel&>(*loaded).elites(), dynamic_cast<EnsembleModel&>(*model).elites());

  const at::Tensor state = at::randn({10, 1}), action = at::rand({10, 1});
  StepContext ctx;
  ctx.member_begin = at::tensor(std::vector<int64_t>{0, 5, 10}, at::kLong);
  EXPECT_TRUE(at::equal(model->Step(state, action, ctx).next_state, loaded->Step(state, action, ctx).next_state));
  ctx.member_begin = at::Tensor();
  EXPECT_TRUE(at::equal(model->Step(state, action, ctx).reward, loaded->Step(state, action, ctx).reward));
}

TEST_F(CheckpointTest, RoundTripKeepsLearnedTermination) {
  auto model = Create("ensemble:members=3,elites=2,hidden=16,layers=2", 1, 1);
  TransitionBatch data = testing::NoisySine(1000, 2);
  data.terminals = (data.next_obs.squeeze(1) > 1.0).to(at::kFloat);
  TrainOptions train;
  train.max_epochs = 2;
  train.termination_epochs = 5;
  model->Train(data, train, nullptr);
  ASSERT_EQ(model->card().termination, "learned");
  const std::string path = (dir_ / "learned.ckpt").string();
  model->Save(path);
  auto loaded = Load(path);
  EXPECT_EQ(loaded->card().termination, "learned");
  EXPECT_TRUE(loaded->spec().predicts_done);
  const at::Tensor state = at::linspace(-3, 3, 50).unsqueeze(1), action = at::zeros({50, 1});
  StepContext ctx;
  EXPECT_TRUE(at::equal(model->Step(state, action, ctx).done, loaded->Step(state, action, ctx).done));
}

TEST_F(CheckpointTest, DimensionMismatchNamesBoth) {
  const std::string path = Trained("model.ckpt");
  try {
    Load(path, {.obs_dim = 3});
    FAIL() << "expected ShapeError";
  } catch (const ShapeError& e) {
    EXPECT_THAT(e.what(), AllOf(HasSubstr(path), HasSubstr("obs_dim 1"), HasSubstr("obs_dim 3")));
  }
  EXPECT_THROW(Load(path, {.action_dim = 2}), ShapeError);
  EXPECT_THROW(Load(path, {.env_id = "CartPole-v1"}), DataError);
  EXPECT_THROW(EnsembleModel::Load(path, {.type = "vq"}), DataError);
}

TEST_F(CheckpointTest, CorruptTruncatedAndMissingFilesAreDataErrors) {
  const std::string path = Trained("model.ckpt");
  const auto size = std::filesystem::file_size(path);
  const std::string truncated = (dir_ / "truncated.ckpt").string();
  std::filesystem::copy_file(path, truncated);
  std::filesystem::resize_file(truncated, size / 2);
  try {
    Load(truncated);
    FAIL() << "expected DataError";
  } catch (const DataError& e) {
    EXPECT_THAT(e.what(), HasSubstr(truncated));
  }
  const std::string garbage = (dir_ / "garbage.ckpt").string();
  std::ofstream(garbage) << "this is not a checkpoint";
  EXPECT_THROW(Load(garbage), DataError);
  EXPECT_THROW(Load((dir_ / "missing.ckpt").string()), NotFoundError);
}

TEST_F(CheckpointTest, UnknownTypeAndMissingTensorsAreDataErrors) {
  ModelCard card;
  card.type = "mystery";
  card.obs_dim = 1;
  card.action_dim = 1;
  const std::string path = (dir_ / "mystery.ckpt").string();
  WriteCheckpoint(path, card, {{"x", at::zeros({2})}});
  try {
    Load(path);
    FAIL() << "expected DataError";
  } catch (const DataError& e) {
    EXPECT_THAT(e.what(), AllOf(HasSubstr("mystery"), HasSubstr("ensemble")));
  }
  card.type = "ensemble";
  card.config = "ensemble:members=3,elites=2,hidden=16,layers=2";
  card.input_mean = {0, 0};
  card.input_std = {1, 1};
  card.target_mean = {0, 0};
  card.target_std = {1, 1};
  WriteCheckpoint(path, card, {{"layer0.weight", at::zeros({3, 2, 16})}});
  EXPECT_THROW(Load(path), DataError);
}

}  // namespace
}  // namespace augur::models
