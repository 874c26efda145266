#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <gtest/gtest.h>

#include <cstdio>

#include <nlohmann/json.hpp>

#include "augur/core/error.h"
#include "augur/core/progress.h"
#include "augur/models/ensemble/ensemble_model.h"
#include "sine_data.h"

namespace augur::models {
namespace {

// The model's learned classifier, rebuilt from the checkpointed pieces of its card (tests only).
std::unique_ptr<TerminationFn> MakeLearned(const EnsembleModel& model) {
  return std::make_unique<LearnedTermination>(model.termination_weights());
}

EnsembleOptions SmallOptions() {
  EnsembleOptions o;
  o.members = 5;
  o.elites = 3;
  o.hidden = 64;
  o.layers = 3;
  return o;
}

TEST(EnsembleTrainTest, FitsNoisySineWithCalibratedVariance) {
  EnsembleModel model(SmallOptions(), {.obs_dim = 1, .action_dim = 1});
  TrainOptions train;
  train.max_epochs = 300;
  train.patience = 20;
  train.seed = 3;
  const TrainReport report = model.Train(testing::NoisySine(4000, 1), train, nullptr);
  ASSERT_FALSE(report.epochs.empty());
  EXPECT_EQ(report.holdout_rows, 800);
  EXPECT_EQ(report.train_rows, 3200);
  ASSERT_EQ(report.elites.size(), 3u);
  // Elites are the members with the lowest held-out MSE, best first.
  for (size_t i = 1; i < report.elites.size(); ++i) {
    EXPECT_LE(report.best_holdout_mse[report.elites[i - 1]], report.best_holdout_mse[report.elites[i]]);
  }
  EXPECT_LT(report.epochs.back().train_nll, report.epochs.front().train_nll);

  // Fresh points: the mean fits sin(x) and about 68 % of targets lie within one predicted std.
  const TransitionBatch test = testing::NoisySine(4000, 2);
  const EnsembleModel::Prediction p = model.Predict(test.obs, test.actions);  // [E, N, 2]
  const at::Tensor delta = test.next_obs - test.obs;                           // [N, 1]
  const at::Tensor truth = at::sin(test.obs) + 0.1 * test.actions;
  for (int64_t m = 0; m < p.mean.size(0); ++m) {
    const at::Tensor mean = p.mean[m].narrow(1, 0, 1), std = p.std[m].narrow(1, 0, 1);
    const double mean_error = (mean - truth).abs().mean().item<double>();
    EXPECT_LT(mean_error, 0.05) << "member " << m;
    const double within = ((delta - mean).abs() <= std).to(at::kFloat).mean().item<double>();
    EXPECT_NEAR(within, 0.68, 0.06) << "member " << m;
    // The predicted std follows the true heteroscedastic noise.
    const double std_error = (std - testing::SineNoiseStd(test.obs)).abs().mean().item<double>();
    EXPECT_LT(std_error, 0.03) << "member " << m;
    std::printf("member %lld: |mean - truth| %.4f, within 1 std %.3f, |std - true std| %.4f\n",
                static_cast<long long>(m), mean_error, within, std_error);
  }
}

// The training step (EnsembleBackprop + FusedAdam over torch's threads) gives the same model for 1 and 2 threads.
TEST(EnsembleTrainTest, SameModelForOneAndTwoThreads) {
  const int previous = at::get_num_threads();
  std::vector<TrainReport> reports;
  std::vector<at::Tensor> means;
  const TransitionBatch probe = testing::NoisySine(50, 7);
  for (int threads : {1, 2}) {
    at::set_num_threads(threads);
    EnsembleModel model(SmallOptions(), {.obs_dim = 1, .action_dim = 1});
    TrainOptions train;
    train.max_epochs = 3;
    train.seed = 5;
    reports.push_back(model.Train(testing::NoisySine(1000, 3), train, nullptr));
    means.push_back(model.Predict(probe.obs, probe.actions).mean);
  }
  at::set_num_threads(previous);
  ASSERT_EQ(reports[0].epochs.size(), reports[1].epochs.size());
  for (size_t i = 0; i < reports[0].epochs.size(); ++i) {
    EXPECT_EQ(reports[0].epochs[i].train_nll, reports[1].epochs[i].train_nll) << "epoch " << i + 1;
  }
  EXPECT_EQ(reports[0].elites, reports[1].elites);
  EXPECT_TRUE(at::equal(means[0], means[1])) << (means[0] - means[1]).abs().max().item<double>();
}

TEST(EnsembleTrainTest, EarlyStoppingAndJsonMetrics) {
  EnsembleOptions o = SmallOptions();
  o.hidden = 16;
  o.layers = 2;
  EnsembleModel model(o, {.obs_dim = 1, .action_dim = 1});
  TrainOptions train;
  train.max_epochs = 500;
  train.patience = 3;
  train.min_improvement = 0.05;
  train.data_digest = "sha256:abc";
  const TrainReport report = model.Train(testing::NoisySine(1000, 4), train, nullptr);
  EXPECT_TRUE(report.stopped_early);
  EXPECT_LT(report.epochs.size(), 500u);
  const nlohmann::json j = report;
  ASSERT_EQ(j["epochs"].size(), report.epochs.size());
  EXPECT_EQ(j["epochs"][0]["holdout_mse"].size(), 5u);
  EXPECT_TRUE(j["epochs"][0].contains("train_nll"));
  EXPECT_EQ(j.get<TrainReport>().elites, report.elites);
  EXPECT_EQ(model.card().data_digest, "sha256:abc");
  EXPECT_TRUE(model.trained());
}

TEST(EnsembleTrainTest, ReportsEpochsAsJsonLines) {
  EnsembleOptions o = SmallOptions();
  o.hidden = 16;
  o.layers = 2;
  EnsembleModel model(o, {.obs_dim = 1, .action_dim = 1});
  TrainOptions train;
  train.max_epochs = 3;
  train.patience = 10;
  std::FILE* out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  {
    Progress progress({.label = "train", .total = train.max_epochs, .unit = "epoch", .mode = ProgressMode::kJsonLines,
                       .out = out, .min_interval_s = 0});
    model.Train(testing::NoisySine(500, 4), train, &progress);
    progress.Finish();
    EXPECT_EQ(progress.done(), 3);
  }
  std::rewind(out);
  std::string text(4096, '\0');
  text.resize(std::fread(text.data(), 1, text.size(), out));
  std::fclose(out);
  EXPECT_NE(text.find("\"train_nll\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"holdout_mse\""), std::string::npos) << text;
}

TEST(EnsembleTrainTest, RejectsBadDataAndOptions) {
  EnsembleModel model(SmallOptions(), {.obs_dim = 1, .action_dim = 1});
  TransitionBatch data = testing::NoisySine(100, 1);
  data.actions[42][0] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_THROW(model.Train(data, {}, nullptr), DataError);
  TrainOptions bad;
  bad.batch_size = 0;
  EXPECT_THROW(model.Train(testing::NoisySine(100, 1), bad, nullptr), ConfigError);
  EnsembleModel wide(SmallOptions(), {.obs_dim = 2, .action_dim = 1});
  EXPECT_THROW(wide.Train(testing::NoisySine(100, 1), {}, nullptr), ShapeError);
}

// No known rule for the env: a classifier learns done = next_obs > 1 from the terminals; both paths agree.
TEST(EnsembleTrainTest, LearnsTerminationWhenNoRuleIsKnown) {
  EnsembleOptions o = SmallOptions();
  o.hidden = 32;
  o.layers = 2;
  EnsembleModel model(o, {.obs_dim = 1, .action_dim = 1, .env_id = "Unknown-v0"});
  EXPECT_FALSE(model.spec().predicts_done);
  TransitionBatch data = testing::NoisySine(3000, 6);
  data.terminals = (data.next_obs.squeeze(1) > 1.0).to(at::kFloat);
  TrainOptions train;
  train.max_epochs = 5;
  model.Train(data, train, nullptr);
  EXPECT_TRUE(model.spec().predicts_done);
  EXPECT_EQ(model.card().termination, "learned");

  const TransitionBatch test = testing::NoisySine(2000, 7);
  const std::unique_ptr<TerminationFn> learned = MakeLearned(model);
  const TerminationFn& fn = *learned;
  const at::Tensor done = fn.Done(test.next_obs);
  const double accuracy = (done == (test.next_obs.squeeze(1) > 1.0)).to(at::kFloat).mean().item<double>();
  EXPECT_GT(accuracy, 0.97);
  std::vector<float> cpu(2000);
  fn.DoneCpu(2000, 1, test.next_obs.contiguous().data_ptr<float>(), cpu.data());
  const at::Tensor cpu_done = at::from_blob(cpu.data(), {2000}, at::kFloat) > 0.5f;
  EXPECT_GE((cpu_done == done).to(at::kFloat).mean().item<double>(), 0.999);
  std::printf("learned termination accuracy %.4f\n", accuracy);

  // Terminals all zero (or a known rule): nothing is learned.
  EnsembleModel never(o, {.obs_dim = 1, .action_dim = 1, .env_id = "Unknown-v0"});
  never.Train(testing::NoisySine(500, 6), train, nullptr);
  EXPECT_FALSE(never.spec().predicts_done);
  EXPECT_EQ(never.card().termination, "never");
}

}  // namespace
}  // namespace augur::models
