// MlpEvaluator: values and priors worked out by hand, the batched fused path against ATen and against one row at
// a time, TorchScript loading, bad input, and MCTS using its prior.
#include "augur/search/mlp_evaluator.h"

#include <gtest/gtest.h>
#include <torch/script.h>

#include <cmath>
#include <filesystem>
#include <memory>
#include <vector>

#include "../testing/search_models.h"
#include "augur/core/error.h"
#include "augur/core/executor.h"
#include "augur/search/mcts.h"

namespace augur::search {
namespace {

// One hidden ReLU layer, by hand: x = (1, -2).
//  hidden = relu([[1, 0], [0, 1], [1, 1]] x + (0, 0, 1)) = relu(1, -2, 0) = (1, 0, 0)
//  out = [[2, 0, 0], [0, 0, 0], [1, 0, 0]] h + (0.5, 0, 0) = (2.5, 0, 1)
//  value 2.5, prior softmax(0, 1) = (1 / (1 + e), e / (1 + e)).
TEST(MlpEvaluator, ValueAndPriorByHand) {
  MlpWeights w;
  w.sizes = {2, 3, 3};
  w.activation = MlpActivation::kRelu;
  w.weight = {{1, 0, 0, 1, 1, 1}, {2, 0, 0, 0, 0, 0, 1, 0, 0}};
  w.bias = {{0, 0, 1}, {0.5f, 0, 0}};
  MlpEvaluator eval(w);
  EXPECT_EQ(eval.state_dim(), 2);
  EXPECT_EQ(eval.num_actions(), 2);
  Executor ex(1);
  std::vector<float> states{1.f, -2.f}, values(1), priors(2);
  ex.Run([&] { eval.Evaluate(states, 1, 0, 0, values, priors, ex.scratch()); });
  EXPECT_FLOAT_EQ(values[0], 2.5f);
  const float e = std::exp(1.f);
  EXPECT_NEAR(priors[0], 1.f / (1.f + e), 1e-6);
  EXPECT_NEAR(priors[1], e / (1.f + e), 1e-6);
}

// The benchmark's network (2 x 64 tanh on a 4-d state, value + prior over 4 actions) with random weights: the
// batch of 16 equals ATen's forward pass and 16 one-row calls.
TEST(MlpEvaluator, BatchedFusedPathMatchesATenAndSingleRows) {
  const MlpWeights w = MlpWeights::Random({4, 64, 64, 5}, 3);
  MlpEvaluator eval(w);
  Executor ex(1);
  const int64_t batch = 16;
  at::Tensor x = at::randn({batch, 4}, at::TensorOptions().dtype(at::kFloat));
  std::vector<float> states(x.data_ptr<float>(), x.data_ptr<float>() + batch * 4);
  std::vector<float> values(batch), priors(batch * 4), one_value(1), one_prior(4);
  ex.Run([&] { eval.Evaluate(states, batch, 0, 0, values, priors, ex.scratch()); });
  at::Tensor h = x;
  for (size_t l = 0; l < w.weight.size(); ++l) {
    at::Tensor wl = at::from_blob(const_cast<float*>(w.weight[l].data()), {w.sizes[l + 1], w.sizes[l]});
    at::Tensor bl = at::from_blob(const_cast<float*>(w.bias[l].data()), {w.sizes[l + 1]});
    h = at::addmm(bl, h, wl.t());
    if (l + 1 < w.weight.size()) h = at::tanh(h);
  }
  at::Tensor ref_value = h.select(1, 0), ref_prior = at::softmax(h.slice(1, 1), 1);
  for (int64_t r = 0; r < batch; ++r) {
    EXPECT_NEAR(values[r], ref_value[r].item<float>(), 1e-5) << r;
    for (int64_t j = 0; j < 4; ++j) EXPECT_NEAR(priors[r * 4 + j], ref_prior[r][j].item<float>(), 1e-5) << r;
    ex.Run([&] {
      eval.Evaluate(std::span<const float>(states.data() + r * 4, 4), 1, 0, 0, one_value, one_prior, ex.scratch());
    });
    EXPECT_NEAR(one_value[0], values[r], 1e-5);
    for (int64_t j = 0; j < 4; ++j) EXPECT_NEAR(one_prior[j], priors[r * 4 + j], 1e-6);
  }
}

TEST(MlpEvaluator, LoadsTheLinearLayersOfATorchScriptModule) {
  const MlpWeights w = MlpWeights::Random({3, 8, 4}, 1);
  // A module holding the parameters as nn.Sequential(Linear, Tanh, Linear) registers them.
  torch::jit::Module module("Mlp");
  const char* names[] = {"l0_weight", "l0_bias", "l1_weight", "l1_bias"};
  for (size_t l = 0; l < 2; ++l) {
    module.register_parameter(names[2 * l], torch::tensor(w.weight[l]).reshape({w.sizes[l + 1], w.sizes[l]}), false);
    module.register_parameter(names[2 * l + 1], torch::tensor(w.bias[l]), false);
  }
  const std::string path = (std::filesystem::temp_directory_path() / "augur_mlp_evaluator_test.pt").string();
  module.save(path);
  const MlpWeights loaded = LoadMlpWeights(path);
  EXPECT_EQ(loaded.sizes, w.sizes);
  EXPECT_EQ(loaded.weight, w.weight);
  EXPECT_EQ(loaded.bias, w.bias);
  std::filesystem::remove(path);
  EXPECT_THROW(LoadMlpWeights("/nonexistent/mlp.pt"), IoError);
  // Parameters that are not a stack of Linear layers.
  torch::jit::Module odd("Odd");
  odd.register_parameter("w", torch::ones({3, 2}), false);
  odd.save(path);
  EXPECT_THROW(LoadMlpWeights(path), DataError);
  std::filesystem::remove(path);
}

TEST(MlpEvaluator, BadWeightsAreClearErrors) {
  MlpWeights w = MlpWeights::Random({4, 8, 5}, 0);
  w.bias[1].pop_back();
  EXPECT_THROW(MlpEvaluator{w}, ShapeError);
  EXPECT_THROW(MlpEvaluator{MlpWeights::Random({4, 8, 1}, 0)}, ConfigError);  // no prior logits
  EXPECT_THROW(MlpWeights::Random({4}, 0), ConfigError);
}

// MCTS takes the network's prior at the root, and with the gridworld's 4 actions runs over batches of trees.
TEST(MlpEvaluator, MctsUsesItsPrior) {
  Executor ex(2);
  auto model = std::make_shared<testing::GridWorldModel>(5, 5, 4, 4);
  auto eval = std::make_shared<MlpEvaluator>(MlpWeights::Random({2, 16, 5}, 7));
  MctsOptions o;
  o.in_flight = 4;
  MctsBatch batch(model, eval, o, 2, ex);
  std::vector<PlanResult> out(2);
  const std::vector<float> obs{0.f, 0.f, 2.f, 3.f};
  batch.Plan(obs, Budget::Iterations(32), out);
  std::vector<float> values(2), priors(8);
  ex.Run([&] { eval->Evaluate(obs, 2, 0, 0, values, priors, ex.scratch()); });
  for (int64_t b = 0; b < 2; ++b) {
    for (int64_t j = 0; j < 4; ++j) EXPECT_FLOAT_EQ(batch.stats(b).prior[j], priors[b * 4 + j]);
    EXPECT_EQ(out[b].iterations, 32);
  }
}

}  // namespace
}  // namespace augur::search
