// The VQ world model (models/vq): a tiny model trained for seconds on SlipperyGrid-v0 learns the outcome
// probabilities within a total-variation bound; both paths agree; checkpoints round-trip; bad input is a
// clear error naming the value.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <numeric>

#include "../testing/cpu_step.h"
#include "augur/core/chance_model.h"
#include "augur/core/error.h"
#include "augur/core/rng.h"
#include "augur/envs/chance_env_model.h"
#include "augur/envs/slippery_grid.h"
#include "augur/models/factory.h"
#include "augur/models/vq/vq_model.h"

namespace augur::models {
namespace {

TransitionBatch GridData(int64_t n, uint64_t seed) {
  const envs::GridTransitions t = envs::SampleUniformTransitions(envs::SlipperyGridEnv(), n, seed);
  return TransitionBatch::FromRows(2, 1, t.obs, t.action, t.next_obs, t.reward, t.done);
}

ModelInputs GridInputs() { return {.obs_dim = 2, .action_dim = 1, .env_id = "SlipperyGrid-v0", .discrete_actions = 4}; }

std::unique_ptr<VqModel> MakeVq(const std::string& spec) {
  auto model = Create(spec, GridInputs());
  return std::unique_ptr<VqModel>(dynamic_cast<VqModel*>(model.release()));
}

// Every non-terminal cell with every action, as [B, 2] and [B, 1].
std::pair<at::Tensor, at::Tensor> AllStateActions() {
  std::vector<float> s, a;
  for (const auto& cell : envs::SlipperyGridEnv().NonTerminalCells()) {
    for (int action = 0; action < 4; ++action) {
      s.insert(s.end(), cell.begin(), cell.end());
      a.push_back(static_cast<float>(action));
    }
  }
  const int64_t b = static_cast<int64_t>(a.size());
  return {at::tensor(s).view({b, 2}), at::tensor(a).view({b, 1})};
}

// A model trained once for the tests below (about 2 s on one core).
const VqModel& Trained() {
  static const VqModel* model = [] {
    auto m = MakeVq("vq:codes=6,code_dim=4,hidden=32,layers=2,decay=0.9");
    TrainOptions options;
    options.max_epochs = 40;
    options.batch_size = 128;
    options.learning_rate = 3e-3;
    options.patience = 40;
    options.seed = 1;
    m->Train(GridData(4000, 7), options, nullptr);
    return m.release();
  }();
  return *model;
}

TEST(VqModelTest, IsAChanceModelWithDiscreteActions) {
  auto model = MakeVq("vq:codes=5");
  EXPECT_EQ(model->num_outcomes(), 5);
  EXPECT_EQ(model->spec().type, "vq");
  EXPECT_EQ(std::get<Discrete>(model->spec().action_space).n, 4);
  EXPECT_NE(dynamic_cast<const ChanceModel*>(static_cast<const WorldModel*>(model.get())), nullptr);
  EXPECT_NE(model->card().config.find("actions=4"), std::string::npos) << model->card().config;
}

// Known answer: the true distributions (0.8 / 0.1 / 0.1 merged by cell, absorbing holes and goal). A model with
// 6 codes, 2x32 networks, 4000 uniform transitions and 40 epochs stays within TV 0.1 on average over the 52
// (non-terminal cell, action) pairs (measured 0.071; the sampling noise of about 77 rows per pair alone is about
// 0.04), well apart from a model of the most likely outcome only (0.189).
TEST(VqModelTest, LearnsTheSlipperyOutcomeProbabilities) {
  const VqModel& model = Trained();
  const envs::ChanceEnvModel truth(envs::SlipperyGridEnv{});
  auto [state, action] = AllStateActions();
  const std::vector<double> tv = envs::OutcomeTotalVariation(model, truth, state, action);
  const double mean = std::accumulate(tv.begin(), tv.end(), 0.0) / tv.size();
  std::printf("mean TV over %zu (cell, action) pairs: %.4f (max %.4f)\n", tv.size(), mean,
              *std::max_element(tv.begin(), tv.end()));
  EXPECT_LT(mean, 0.1) << "mean TV over " << tv.size() << " (cell, action) pairs";
  // The most likely code decodes the intended move from the middle of the map: right from (2, 1) -> (3, 1).
  StepContext ctx;
  const Transition t = model.Step(at::tensor({2.f, 1.f}).view({1, 2}), at::tensor({2.f}).view({1, 1}), ctx);
  EXPECT_NEAR(t.next_state[0][0].item<float>(), 3.f, 0.25f);
  EXPECT_NEAR(t.next_state[0][1].item<float>(), 1.f, 0.25f);
  EXPECT_FALSE(t.done[0].item<bool>());
  const auto& last = model.card().metrics.epochs.back();
  EXPECT_GT(last.extra.at("codes_used"), 2);
}

TEST(VqModelTest, CpuPathMatchesTensorPath) {
  const VqModel& model = Trained();
  auto [state, action] = AllStateActions();
  const int64_t b = state.size(0), k = model.num_outcomes();
  const at::Tensor probs = model.OutcomeProbs(state, action);
  std::vector<float> cpu_probs(b * k);
  model.OutcomeProbsCpu(b, state.data_ptr<float>(), action.data_ptr<float>(), cpu_probs.data(), nullptr);
  EXPECT_TRUE(at::allclose(at::tensor(cpu_probs).view({b, k}), probs, 1e-5, 1e-5));
  CheckOutcomeProbs(cpu_probs, b, k, "vq probs");
  std::vector<int64_t> codes(b);
  for (int64_t r = 0; r < b; ++r) codes[r] = r % k;
  const Transition t = model.StepOutcome(state, action, at::tensor(codes, at::kLong));
  std::vector<float> next(b * 2), reward(b), done(b);
  CpuStep step{.rows = b, .state = state.data_ptr<float>(), .action = action.data_ptr<float>(),
               .next_state = next.data(), .reward = reward.data(), .done = done.data()};
  model.StepOutcomeCpu(step, codes.data());
  EXPECT_TRUE(at::allclose(at::tensor(next).view({b, 2}), t.next_state, 1e-5, 1e-5));
  EXPECT_TRUE(at::allclose(at::tensor(reward), t.reward, 1e-5, 1e-5));
  EXPECT_TRUE(at::equal(at::tensor(done).gt(0.5f), t.done));
}

TEST(VqModelTest, SampledCpuStepIsSeeded) {
  const VqModel& model = Trained();
  auto run = [&](uint64_t seed) { return testing::SampledNextStates(model, {1.f, 1.f}, 2.f, 64, seed); };
  EXPECT_EQ(run(3), run(3));
  EXPECT_NE(run(3), run(4));
}

TEST(VqModelTest, CheckpointRoundTrip) {
  const VqModel& model = Trained();
  const std::string path = (std::filesystem::temp_directory_path() / "augur_vq_roundtrip.ckpt").string();
  model.Save(path);
  auto loaded = Load(path, {.type = "vq", .obs_dim = 2, .action_dim = 1});
  const auto* vq = dynamic_cast<const VqModel*>(loaded.get());
  ASSERT_NE(vq, nullptr);
  EXPECT_EQ(vq->card().config, model.card().config);
  EXPECT_EQ(vq->card().metrics.epochs.size(), model.card().metrics.epochs.size());
  EXPECT_TRUE(vq->trained());
  auto [state, action] = AllStateActions();
  EXPECT_TRUE(at::equal(vq->OutcomeProbs(state, action), model.OutcomeProbs(state, action)));
  const at::Tensor codes = at::zeros({state.size(0)}, at::kLong);
  EXPECT_TRUE(at::equal(vq->StepOutcome(state, action, codes).next_state,
                        model.StepOutcome(state, action, codes).next_state));
  EXPECT_THROW(Load(path, {.obs_dim = 3}), ShapeError);
  EXPECT_THROW(Load(path, {.type = "ensemble"}), DataError);
  std::filesystem::remove(path);
}

TEST(VqModelTest, BadInputNamesTheValue) {
  auto model = MakeVq("vq:codes=4,hidden=8,layers=1");
  auto message = [](const auto& f) {
    try {
      f();
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  // Unknown key: the valid ones are listed.
  EXPECT_NE(message([] { Create("vq:codez=4", GridInputs()); }).find("codes"), std::string::npos);
  EXPECT_THROW(Create("vq:codes=0", GridInputs()), ConfigError);
  EXPECT_THROW(Create("vq:actions=4", {.obs_dim = 2, .action_dim = 2}), ConfigError);
  // Wrong dims.
  EXPECT_THROW(model->OutcomeProbs(at::zeros({4, 3}), at::zeros({4, 1})), ShapeError);
  EXPECT_THROW(model->OutcomeProbs(at::zeros({4, 2}), at::zeros({3, 1})), ShapeError);
  EXPECT_THROW(model->StepOutcome(at::zeros({4, 2}), at::zeros({4, 1}), at::zeros({3}, at::kLong)), ShapeError);
  // NaN and invalid actions or codes.
  at::Tensor nan_state = at::zeros({2, 2});
  nan_state[1][0] = NAN;
  EXPECT_NE(message([&] { model->OutcomeProbs(nan_state, at::zeros({2, 1})); }).find("row 1"), std::string::npos);
  EXPECT_NE(message([&] { model->OutcomeProbs(at::zeros({1, 2}), at::full({1, 1}, 7.f)); }).find("7"),
            std::string::npos);
  StepContext ctx;
  EXPECT_THROW(model->Step(at::zeros({1, 2}), at::full({1, 1}, 0.5f), ctx), RangeError);
  EXPECT_THROW(model->Step(at::zeros({1, 2}), at::full({1, 1}, NAN), ctx), RangeError);
  EXPECT_NE(message([&] { model->StepOutcome(at::zeros({1, 2}), at::zeros({1, 1}), at::full({1}, 4, at::kLong)); })
                .find("4"),
            std::string::npos);
  // Probabilities that do not sum to one: the row and the sum are named.
  const std::vector<float> bad = {0.5f, 0.4f, 0.f, 0.f};
  EXPECT_NE(message([&] { CheckOutcomeProbs(bad, 1, 4, "vq probs"); }).find("sum to 0.9"), std::string::npos);
  // Training data: NaN rows and action indices outside the space.
  TransitionBatch data = GridData(50, 1);
  data.next_obs[3][1] = NAN;
  EXPECT_THROW(model->Train(data, {}, nullptr), DataError);
  data = GridData(50, 1);
  data.actions[5][0] = 9.f;
  EXPECT_NE(message([&] { model->Train(data, {}, nullptr); }).find("9"), std::string::npos);
}

}  // namespace
}  // namespace augur::models
