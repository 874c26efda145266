#include "augur/models/fused_adam.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "augur/core/error.h"
#include "augur/core/torch_rng.h"

namespace augur::models {
namespace {

// The same quadratic-plus-cubic loss on two copies of the parameters: one updated by torch::optim::Adam, one by
// FusedAdam, with per-group weight decay. After 25 steps the parameters agree to float rounding.
TEST(FusedAdamTest, MatchesTorchAdamWithWeightDecay) {
  at::Generator gen = MakeCpuGenerator(3, 1);
  const at::Tensor w0 = at::randn({7, 5, 4}, gen), b0 = at::randn({7, 1, 4}, gen), x = at::randn({7, 9, 5}, gen);
  auto make = [](const at::Tensor& t) { return t.clone().set_requires_grad(true); };
  at::Tensor w_ref = make(w0), b_ref = make(b0), w = make(w0), b = make(b0);
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(std::vector<at::Tensor>{w_ref},
                      std::make_unique<torch::optim::AdamOptions>(torch::optim::AdamOptions(0.01).weight_decay(0.05)));
  groups.emplace_back(std::vector<at::Tensor>{b_ref}, std::make_unique<torch::optim::AdamOptions>(0.01));
  torch::optim::Adam reference(std::move(groups), torch::optim::AdamOptions(0.01));
  FusedAdam fused({AdamGroup{{w}, 0.05}, AdamGroup{{b}, 0.0}}, AdamConfig{.learning_rate = 0.01});
  auto loss = [&](const at::Tensor& wt, const at::Tensor& bt) {
    const at::Tensor y = at::baddbmm(bt, x, wt);
    return (y.square() + 0.1 * y.pow(3)).mean();
  };
  for (int step = 0; step < 25; ++step) {
    reference.zero_grad();
    loss(w_ref, b_ref).backward();
    reference.step();
    fused.ZeroGrad();
    loss(w, b).backward();
    fused.Step();
  }
  EXPECT_EQ(fused.steps(), 25);
  EXPECT_TRUE(at::allclose(w, w_ref, 1e-5, 1e-5)) << (w - w_ref).abs().max().item<float>();
  EXPECT_TRUE(at::allclose(b, b_ref, 1e-5, 1e-5)) << (b - b_ref).abs().max().item<float>();
  EXPECT_FALSE(at::equal(w, w0));
}

// Step() in parts (BeginStep, then Update over blocks in any order) equals Step() (to rounding: vector and
// scalar tails may contract multiply-adds differently).
TEST(FusedAdamTest, UpdateInBlocksEqualsStep) {
  at::Generator gen = MakeCpuGenerator(4, 1);
  const at::Tensor w0 = at::randn({6, 600}, gen), b0 = at::randn({3}, gen);
  auto make = [](const at::Tensor& t) { return t.clone().set_requires_grad(true); };
  at::Tensor w_ref = make(w0), b_ref = make(b0), w = make(w0), b = make(b0);
  FusedAdam whole({AdamGroup{{w_ref}, 0.05}, AdamGroup{{b_ref}, 0.0}}, AdamConfig{.learning_rate = 0.01});
  FusedAdam parts({AdamGroup{{w}, 0.05}, AdamGroup{{b}, 0.0}}, AdamConfig{.learning_rate = 0.01});
  ASSERT_EQ(parts.size(), 2u);
  for (int step = 0; step < 5; ++step) {
    const at::Tensor g = at::randn({6, 600}, gen), gb = at::randn({3}, gen);
    w_ref.mutable_grad() = g.clone();
    b_ref.mutable_grad() = gb.clone();
    w.mutable_grad() = g.clone();
    b.mutable_grad() = gb.clone();
    whole.Step();
    parts.BeginStep();
    parts.Update(0, 2000, 3000);
    parts.Update(0, 0, 2000);
    parts.Update(1, 0, 3);
    parts.Update(0, 3000, 3001);
    parts.Update(0, 3001, 3000 + 0);  // empty range: nothing
    parts.Update(0, 3001, 6 * 600);
  }
  EXPECT_EQ(parts.steps(), 5);
  EXPECT_TRUE(at::allclose(w, w_ref, 1e-6, 1e-7)) << (w - w_ref).abs().max().item<float>();
  EXPECT_TRUE(at::allclose(b, b_ref, 1e-6, 1e-7)) << (b - b_ref).abs().max().item<float>();
}

TEST(FusedAdamTest, SkipsParametersWithoutGradient) {
  at::Tensor used = at::ones({3}).set_requires_grad(true), unused = at::ones({2}).set_requires_grad(true);
  FusedAdam adam({AdamGroup{{used, unused}, 0.0}}, AdamConfig{});
  adam.ZeroGrad();  // no gradients yet: nothing to zero
  (used * 2).sum().backward();
  adam.Step();
  EXPECT_TRUE(at::allclose(used, at::full({3}, 1.f - 1e-3f), 1e-6, 1e-6));  // first Adam step moves lr * sign(g)
  EXPECT_TRUE(at::equal(unused, at::ones({2})));
}

TEST(FusedAdamTest, RejectsBadConfiguration) {
  at::Tensor p = at::ones({2}).set_requires_grad(true);
  EXPECT_THROW(FusedAdam({AdamGroup{{p}, 0.0}}, AdamConfig{.learning_rate = 0.0}), ConfigError);
  EXPECT_THROW(FusedAdam({AdamGroup{{p}, 0.0}}, AdamConfig{.beta1 = 1.0}), ConfigError);
  EXPECT_THROW(FusedAdam({AdamGroup{{p}, -1.0}}, AdamConfig{}), ConfigError);
  EXPECT_THROW(FusedAdam({AdamGroup{{at::ones({2}, at::kLong)}, 0.0}}, AdamConfig{}), ConfigError);
}

}  // namespace
}  // namespace augur::models
