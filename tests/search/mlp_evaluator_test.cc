// MlpEvaluator: values and priors worked out by hand, the batched fused path against ATen and against one row at
// a time, TorchScript loading, bad input, and MCTS using its prior; TorchScriptEvaluator against it.
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
#include "augur/search/factory.h"
#include "augur/search/mcts.h"
#include "augur/search/torchscript_evaluator.h"

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

// A TorchScript module with a forward method: `body` is the method's source; parameters p0, p1, ... saved to a
// temporary file whose path is returned.
std::string SaveScript(const std::string& name, const std::string& body, const std::vector<at::Tensor>& params = {}) {
  torch::jit::Module module(name);
  const char* names[] = {"p0", "p1", "p2", "p3", "p4", "p5"};
  for (size_t i = 0; i < params.size() && i < 6; ++i) module.register_parameter(names[i], params[i], false);
  module.define(body);
  std::string file = "augur_";
  file += name;
  file += ".pt";
  const std::string path = (std::filesystem::temp_directory_path() / file).string();
  module.save(path);
  return path;
}

// The MLP of `w` (tanh, 2 hidden layers) as TorchScript: p0..p5 = weight/bias per layer.
std::string SaveScriptedMlp(const MlpWeights& w, const std::string& name) {
  std::vector<at::Tensor> params;
  for (size_t l = 0; l < w.weight.size(); ++l) {
    params.push_back(torch::tensor(w.weight[l]).reshape({w.sizes[l + 1], w.sizes[l]}));
    params.push_back(torch::tensor(w.bias[l]));
  }
  return SaveScript(name, R"(
def forward(self, x):
    h = torch.tanh(torch.addmm(self.p1, x, self.p0.t()))
    h = torch.tanh(torch.addmm(self.p3, h, self.p2.t()))
    return torch.addmm(self.p5, h, self.p4.t())
)",
                    params);
}

TEST(TorchScriptEvaluator, MatchesTheFusedMlpEvaluatorOnTheSameWeights) {
  const MlpWeights w = MlpWeights::Random({4, 16, 16, 5}, 3);
  const std::string path = SaveScriptedMlp(w, "ts_eval_mlp");
  TorchScriptEvaluator scripted(path, 4);
  MlpEvaluator fused(w);
  EXPECT_EQ(scripted.state_dim(), 4);
  EXPECT_EQ(scripted.num_actions(), 4);
  Executor ex(1);
  const int64_t batch = 9;
  std::vector<float> states(batch * 4);
  for (size_t i = 0; i < states.size(); ++i) states[i] = std::sin(0.7f * static_cast<float>(i));
  std::vector<float> v1(batch), p1(batch * 4), v2(batch), p2(batch * 4), one_v(1), one_p(4);
  ex.Run([&] {
    scripted.Evaluate(states, batch, 0, 0, v1, p1, ex.scratch());
    fused.Evaluate(states, batch, 0, 0, v2, p2, ex.scratch());
    scripted.Evaluate(std::span<const float>(states.data() + 8, 4), 1, 0, 0, one_v, one_p, ex.scratch());
  });
  for (int64_t r = 0; r < batch; ++r) {
    EXPECT_NEAR(v1[r], v2[r], 1e-5) << r;
    float sum = 0.f;
    for (int64_t j = 0; j < 4; ++j) {
      EXPECT_NEAR(p1[r * 4 + j], p2[r * 4 + j], 1e-5) << r;
      sum += p1[r * 4 + j];
    }
    EXPECT_NEAR(sum, 1.f, 1e-6);
  }
  EXPECT_NEAR(one_v[0], v1[2], 1e-6) << "a row alone gives what it gives in a batch";
  std::filesystem::remove(path);
}

TEST(TorchScriptEvaluator, DrivesMctsLikeTheFusedEvaluator) {
  // The same weights through both evaluators: the same root priors, the same move.
  const MlpWeights w = MlpWeights::Random({2, 16, 16, 5}, 5);
  const std::string path = SaveScriptedMlp(w, "ts_eval_mcts");
  auto model = std::make_shared<testing::GridWorldModel>(5, 5, 4, 4);
  Executor ex(1);
  MctsOptions o;
  o.in_flight = 4;
  MctsBatch fused(model, std::make_shared<MlpEvaluator>(w), o, 2, ex);
  MctsBatch scripted(model, std::make_shared<TorchScriptEvaluator>(path, 2), o, 2, ex);
  const std::vector<float> obs{0.f, 0.f, 2.f, 3.f};
  std::vector<PlanResult> a(2), b(2);
  fused.Plan(obs, Budget::Iterations(48), a);
  scripted.Plan(obs, Budget::Iterations(48), b);
  for (int64_t t = 0; t < 2; ++t) {
    for (int64_t j = 0; j < 4; ++j) EXPECT_NEAR(fused.stats(t).prior[j], scripted.stats(t).prior[j], 1e-5);
    EXPECT_EQ(a[t].action, b[t].action) << "tree " << t;
    EXPECT_EQ(b[t].iterations, 48);
  }
  std::filesystem::remove(path);
}

TEST(TorchScriptEvaluator, BadModulesAndDevicesAreClearErrors) {
  EXPECT_THROW(TorchScriptEvaluator("/nonexistent/net.pt", 4), IoError);
  const std::string not_script = (std::filesystem::temp_directory_path() / "augur_ts_not_script.pt").string();
  std::FILE* f = std::fopen(not_script.c_str(), "wb");
  std::fputs("not a zip archive", f);
  std::fclose(f);
  EXPECT_THROW(TorchScriptEvaluator(not_script, 4), IoError);
  std::filesystem::remove(not_script);

  // forward returns [B] (no prior logits), then [B, 1] (K = 0).
  const std::string flat = SaveScript("ts_eval_flat", "def forward(self, x):\n    return x.sum(1)\n");
  try {
    TorchScriptEvaluator e(flat, 4);
    FAIL() << "a [B] output must be refused";
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("1 + K"), std::string::npos) << e.what();
  }
  const std::string one = SaveScript("ts_eval_one", "def forward(self, x):\n    return x[:, 0:1]\n");
  EXPECT_THROW(TorchScriptEvaluator(one, 4), ShapeError);
  // Wrong state width: the module's matmul fails on [B, 3] states.
  const MlpWeights w = MlpWeights::Random({4, 16, 16, 5}, 3);
  const std::string mlp = SaveScriptedMlp(w, "ts_eval_width");
  EXPECT_THROW(TorchScriptEvaluator(mlp, 3), ShapeError);
  EXPECT_THROW(TorchScriptEvaluator(mlp, 0), ConfigError);
  EXPECT_THROW(TorchScriptEvaluator(mlp, 4, "tpu"), ConfigError);
  if (!at::hasCUDA()) {
    EXPECT_THROW(TorchScriptEvaluator(mlp, 4, "cuda"), ConfigError);
  }

  // NaN from the module: sqrt of a negative state names the row.
  const std::string nan = SaveScript("ts_eval_nan", "def forward(self, x):\n    return torch.sqrt(x[:, 0:3])\n");
  TorchScriptEvaluator e(nan, 4);
  EXPECT_EQ(e.num_actions(), 2);
  Executor ex(1);
  std::vector<float> states = {1, 1, 1, 1, 4, 4, 4, 4, 1, -1, 1, 1}, values(3), priors(6);
  try {
    ex.Run([&] { e.Evaluate(states, 3, 0, 0, values, priors, ex.scratch()); });
    FAIL() << "a NaN output must be refused";
  } catch (const DataError& err) {
    EXPECT_NE(std::string(err.what()).find("row 2"), std::string::npos) << err.what();
  }
  for (const auto& p : {flat, one, mlp, nan}) std::filesystem::remove(p);
}

TEST(TorchScriptEvaluator, SpecStringsBuildFileEvaluators) {
  const MlpWeights w = MlpWeights::Random({2, 16, 16, 5}, 5);
  const std::string path = SaveScriptedMlp(w, "ts_eval_spec");
  auto model = std::make_shared<testing::GridWorldModel>(5, 5, 4, 4);
  Executor ex(1);
  const std::vector<float> obs{0.f, 0.f};
  PlanResult a, b;
  MakeSearchPlanner("mcts:evaluator=torchscript,net=" + path, {.model = model}, ex)->Plan(obs, Budget::Iterations(32), a);
  // evaluator=mlp reads the Linear layers in registration order into the fused kernel.
  MakeSearchPlanner("mcts:evaluator=mlp,net=" + path, {.model = model}, ex)->Plan(obs, Budget::Iterations(32), b);
  EXPECT_EQ(a.iterations, 32);
  EXPECT_EQ(a.action, b.action);
  try {
    MakeSearchPlanner("mcts:evaluator=torchscript", {.model = model}, ex);
    FAIL() << "no net= must be refused";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("net=PATH"), std::string::npos) << e.what();
  }
  // A network with 4 prior logits on a model with 2 actions.
  auto bandit = std::make_shared<testing::BanditModel>(std::vector<float>{0.f, 1.f});
  const MlpWeights w1 = MlpWeights::Random({1, 8, 8, 5}, 5);
  const std::string wide = SaveScriptedMlp(w1, "ts_eval_spec_wide");
  EXPECT_THROW(MakeSearchPlanner("mcts:evaluator=torchscript,net=" + wide, {.model = bandit}, ex), ShapeError);
  // A network for 2-d states on a 1-d model.
  EXPECT_THROW(MakeSearchPlanner("mcts:evaluator=torchscript,net=" + path, {.model = bandit}, ex), ShapeError);
  std::filesystem::remove(path);
  std::filesystem::remove(wide);
}

TEST(TorchScriptEvaluator, RunsOnCuda_CUDA) {
  if (!at::hasCUDA()) GTEST_SKIP() << "no CUDA device";
  const MlpWeights w = MlpWeights::Random({4, 16, 16, 5}, 3);
  const std::string path = SaveScriptedMlp(w, "ts_eval_cuda");
  TorchScriptEvaluator gpu(path, 4, "cuda"), cpu(path, 4, "cpu");
  Executor ex(1);
  std::vector<float> states(32 * 4, 0.3f), v1(32), p1(128), v2(32), p2(128);
  ex.Run([&] {
    gpu.Evaluate(states, 32, 0, 0, v1, p1, ex.scratch());
    cpu.Evaluate(states, 32, 0, 0, v2, p2, ex.scratch());
  });
  for (int i = 0; i < 32; ++i) EXPECT_NEAR(v1[i], v2[i], 1e-4);
  for (int i = 0; i < 128; ++i) EXPECT_NEAR(p1[i], p2[i], 1e-4);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace augur::search
