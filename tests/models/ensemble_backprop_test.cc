// EnsembleBackprop's hand-written loss and gradients against autograd through ForwardEnsemble (the network
// inference uses) and the trainer's loss; identical results for 1 and 2 threads; bad input.
#include "augur/models/ensemble/ensemble_backprop.h"

#include <ATen/Parallel.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <vector>

#include "augur/core/error.h"
#include "augur/core/torch_rng.h"

namespace augur::models {
namespace {

struct Case {
  Activation activation;
  int64_t rows;  // rows per member in the minibatch (odd: the two row halves differ)
};

class EnsembleBackpropTest : public ::testing::TestWithParam<Case> {};

EnsembleWeights Params(Activation activation) {
  EnsembleOptions o;
  o.members = 3;
  o.hidden = 24;
  o.layers = 3;
  o.activation = activation;
  EnsembleWeights w = EnsembleWeights::Init(o, /*obs_dim=*/5, /*action_dim=*/2, /*seed=*/11);
  at::Generator gen = MakeCpuGenerator(12);
  for (auto& b : w.bias) b = 0.3 * at::randn(b.sizes(), gen);
  // Push some raw log-variances past softplus's linear threshold (20) on both bounds.
  w.bias.back().narrow(2, 6, 2).fill_(-40.f);
  w.bias.back().narrow(2, 8, 2).fill_(30.f);
  w.max_logvar = at::full({6}, 0.5f) + 0.1 * at::randn({6}, gen);
  w.min_logvar = at::full({6}, -10.f) + 0.1 * at::randn({6}, gen);
  w.min_logvar[3] = -25.f;  // output 3: max - softplus(max - raw) - min > 20
  return w;
}

// The trainer's loss through autograd.
std::vector<at::Tensor> AutogradGrads(const EnsembleWeights& init, Activation activation, const at::Tensor& x,
                                      const at::Tensor& y, const at::Tensor& index, double bound_weight,
                                      double* nll_out) {
  EnsembleWeights w = init;
  std::vector<at::Tensor> leaves;
  auto leaf = [&](at::Tensor& t) {
    t = t.clone().set_requires_grad(true);
    leaves.push_back(t);
  };
  for (auto& t : w.weight) leaf(t);
  for (auto& t : w.bias) leaf(t);
  leaf(w.max_logvar);
  leaf(w.min_logvar);
  const int64_t e = index.size(0), rows = index.size(1);
  const at::Tensor xb = x.index_select(0, index.reshape({-1})).view({e, rows, -1});
  const at::Tensor yb = y.index_select(0, index.reshape({-1})).view({e, rows, -1});
  const EnsembleOutput out = ForwardEnsemble(w, activation, xb);
  const at::Tensor nll = ((out.mean - yb).square() * at::exp(-out.logvar) + out.logvar).mean({1, 2}).sum();
  const at::Tensor loss = nll + bound_weight * (w.max_logvar.sum() - w.min_logvar.sum());
  loss.backward();
  *nll_out = nll.item<double>();
  std::vector<at::Tensor> grads;
  for (const auto& t : leaves) grads.push_back(t.grad());
  return grads;
}

EnsembleWeights ZeroGrads(const EnsembleWeights& p) {
  EnsembleWeights g = p;
  for (auto& t : g.weight) t = at::full_like(t, 7.f);  // garbage: LossAndGrad overwrites
  for (auto& t : g.bias) t = at::full_like(t, 7.f);
  g.max_logvar = at::full_like(p.max_logvar, 7.f);
  g.min_logvar = at::full_like(p.min_logvar, 7.f);
  return g;
}

std::vector<at::Tensor> Flatten(const EnsembleWeights& g) {
  std::vector<at::Tensor> v(g.weight.begin(), g.weight.end());
  v.insert(v.end(), g.bias.begin(), g.bias.end());
  v.push_back(g.max_logvar);
  v.push_back(g.min_logvar);
  return v;
}

TEST_P(EnsembleBackpropTest, MatchesAutograd) {
  const Case c = GetParam();
  const EnsembleWeights params = Params(c.activation);
  at::Generator gen = MakeCpuGenerator(13);
  const at::Tensor x = at::randn({50, 7}, gen), y = at::randn({50, 6}, gen);
  const at::Tensor index = at::randint(50, {3, c.rows}, gen, at::kLong);
  double nll_ref = 0;
  const std::vector<at::Tensor> ref = AutogradGrads(params, c.activation, x, y, index, 0.01, &nll_ref);

  EnsembleBackprop backprop(params, c.activation, /*max_rows=*/32);
  const EnsembleWeights grads = ZeroGrads(params);
  const double nll = backprop.LossAndGrad(params, grads, x, y, index.data_ptr<int64_t>(), c.rows, 0.01);
  EXPECT_NEAR(nll, nll_ref, 1e-4 * std::abs(nll_ref));
  const std::vector<at::Tensor> got = Flatten(grads);
  ASSERT_EQ(got.size(), ref.size());
  for (size_t i = 0; i < got.size(); ++i) {
    const double scale = ref[i].abs().max().item<double>();
    EXPECT_TRUE(at::allclose(got[i], ref[i], 1e-4, 1e-5 * scale + 1e-7))
        << "gradient " << i << " max |diff| " << (got[i] - ref[i]).abs().max().item<double>() << " scale " << scale;
  }
}

TEST_P(EnsembleBackpropTest, SameForOneAndTwoThreads) {
  const Case c = GetParam();
  const EnsembleWeights params = Params(c.activation);
  at::Generator gen = MakeCpuGenerator(14);
  const at::Tensor x = at::randn({40, 7}, gen), y = at::randn({40, 6}, gen);
  const at::Tensor index = at::randint(40, {3, c.rows}, gen, at::kLong);
  const int previous = at::get_num_threads();
  std::vector<std::vector<at::Tensor>> results;
  std::vector<double> nlls;
  for (int threads : {1, 2}) {
    at::set_num_threads(threads);
    EnsembleBackprop backprop(params, c.activation, c.rows);
    const EnsembleWeights grads = ZeroGrads(params);
    nlls.push_back(backprop.LossAndGrad(params, grads, x, y, index.data_ptr<int64_t>(), c.rows, 0.01));
    results.push_back(Flatten(grads));
  }
  at::set_num_threads(previous);
  EXPECT_EQ(nlls[0], nlls[1]);
  for (size_t i = 0; i < results[0].size(); ++i) {
    EXPECT_TRUE(at::equal(results[0][i], results[1][i]))
        << "gradient " << i << " max |diff| " << (results[0][i] - results[1][i]).abs().max().item<double>();
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, EnsembleBackpropTest,
                         ::testing::Values(Case{Activation::kSilu, 17}, Case{Activation::kSilu, 1},
                                           Case{Activation::kRelu, 16}));

TEST(EnsembleBackpropBadInputTest, RejectsTooManyRowsAndBadIndices) {
  const EnsembleWeights params = Params(Activation::kSilu);
  const at::Tensor x = at::zeros({10, 7}), y = at::zeros({10, 6});
  EnsembleBackprop backprop(params, Activation::kSilu, 4);
  const EnsembleWeights grads = ZeroGrads(params);
  std::vector<int64_t> index(3 * 5, 0);
  EXPECT_THROW(backprop.LossAndGrad(params, grads, x, y, index.data(), 5, 0.01), ShapeError);
  index[2] = 10;
  EXPECT_THROW(backprop.LossAndGrad(params, grads, x, y, index.data(), 4, 0.01), ShapeError);
  EXPECT_THROW(backprop.LossAndGrad(params, grads, at::zeros({10, 6}), y, index.data(), 4, 0.01), ShapeError);
}

}  // namespace
}  // namespace augur::models
