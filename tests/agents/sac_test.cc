// SAC with a Q-ensemble: the EDAC regularizer's double-backward gradient against finite differences, a
// one-step bandit it must solve, checkpoints that resume bit-exactly, and refusal to save NaN parameters.
#include "augur/agents/rl/sac.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>

#include "augur/agents/rl/sac_agent.h"
#include "augur/core/error.h"
#include "../testing/temp_files.h"

namespace augur::agents::rl {
namespace {

SacOptions TinyOptions(int critics = 3) {
  SacOptions o;
  o.obs_dim = 3;
  o.action_dim = 2;
  o.critics = critics;
  o.hidden = 8;
  o.layers = 2;
  o.seed = 7;
  return o;
}

std::string TempPath(const std::string& name) { return augur::testing::TempPath("sac_test", name); }
using augur::testing::ReadAll;

TEST(SacTest, EdacDiversityGradientMatchesFiniteDifferences) {
  SacOptions o = TinyOptions(3);
  o.float64 = true;
  Sac sac(o);
  torch::manual_seed(0);
  const at::Tensor obs = torch::randn({5, 3}, torch::kDouble);
  const at::Tensor act = torch::rand({5, 2}, torch::kDouble) * 1.6 - 0.8;
  const at::Tensor loss = sac.DiversityLoss(obs, act);
  ASSERT_EQ(loss.dim(), 0);
  const std::vector<at::Tensor> params = sac.critic_parameters();
  // Double backward: the loss is built from d Q / d a, so its parameter gradient differentiates a gradient.
  const std::vector<at::Tensor> grads = torch::autograd::grad({loss}, params, {}, true, false, true);
  const double h = 1e-6;
  int checked = 0;
  for (size_t p = 0; p < params.size(); ++p) {
    if (!grads[p].defined()) continue;
    at::Tensor flat = params[p].detach().view({-1});
    const at::Tensor g = grads[p].reshape({-1});
    for (int64_t i = 0; i < flat.numel(); i += std::max<int64_t>(1, flat.numel() / 4)) {
      const double orig = flat[i].item<double>();
      double up, down;
      {
        torch::NoGradGuard ng;
        flat[i] = orig + h;
      }
      up = sac.DiversityLoss(obs, act).item<double>();
      {
        torch::NoGradGuard ng;
        flat[i] = orig - h;
      }
      down = sac.DiversityLoss(obs, act).item<double>();
      {
        torch::NoGradGuard ng;
        flat[i] = orig;
      }
      const double fd = (up - down) / (2 * h);
      EXPECT_NEAR(g[i].item<double>(), fd, 1e-6 + 1e-4 * std::abs(fd)) << "parameter " << p << " entry " << i;
      ++checked;
    }
  }
  EXPECT_GE(checked, 8);
  // The last layer's bias does not change d Q / d a: no gradient or exactly zero.
  EXPECT_TRUE(!grads.back().defined() || grads.back().abs().max().item<double>() == 0.0);
}

TEST(SacTest, DiversityOfIdenticalCriticsIsN) {
  // With identical critics every pair of normalized gradients is equal: the term is mean_b sum_{i != j} 1 /
  // (N - 1) = N.
  SacOptions o = TinyOptions(4);
  o.float64 = true;
  Sac sac(o);
  {
    torch::NoGradGuard ng;
    for (at::Tensor& p : sac.critic_parameters()) p.copy_(p[0].unsqueeze(0).expand_as(p));
  }
  const at::Tensor obs = torch::randn({6, 3}, torch::kDouble), act = torch::zeros({6, 2}, torch::kDouble);
  EXPECT_NEAR(sac.DiversityLoss(obs, act).item<double>(), 4.0, 1e-4);  // up to the 1e-10 in the norm
}

TEST(SacTest, SolvesAOneStepBandit) {
  // reward = -(a - 0.5)^2 in one terminal step: the deterministic action must approach 0.5.
  SacOptions o;
  o.obs_dim = 1;
  o.action_dim = 1;
  o.critics = 2;
  o.eta = 0;
  o.hidden = 32;
  o.layers = 2;
  o.actor_lr = o.critic_lr = o.alpha_lr = 3e-3;
  o.alpha = 0.05;
  o.seed = 3;
  Sac sac(o);
  torch::manual_seed(2);
  for (int step = 0; step < 400; ++step) {
    const at::Tensor obs = torch::zeros({64, 1});
    const at::Tensor a = torch::rand({64, 1}) * 2 - 1;
    sac.Update({obs, a, -(a.squeeze(1) - 0.5).square(), obs, torch::ones({64})});
  }
  const float act = sac.Act(torch::zeros({1, 1}), true).item<float>();
  EXPECT_NEAR(act, 0.5f, 0.12f);
}

TEST(SacTest, CheckpointResumesExactly) {
  SacOptions o = TinyOptions(2);
  o.action_low = {-2.f, -1.f};
  o.action_high = {2.f, 1.f};
  Sac a(o);
  torch::manual_seed(1);
  auto batch = [] {
    return SacBatch{torch::randn({16, 3}), torch::rand({16, 2}) - 0.5, torch::randn({16}), torch::randn({16, 3}),
                    torch::zeros({16})};
  };
  std::vector<SacBatch> batches;
  for (int i = 0; i < 6; ++i) batches.push_back(batch());
  for (int i = 0; i < 3; ++i) a.Update(batches[i]);
  const std::string path = TempPath("resume.ckpt");
  a.Save(path);
  Sac b = Sac::Load(path);
  EXPECT_EQ(b.updates(), 3);
  EXPECT_EQ(b.options().action_high, o.action_high);
  for (int i = 3; i < 6; ++i) {
    const SacMetrics ma = a.Update(batches[i]), mb = b.Update(batches[i]);
    EXPECT_DOUBLE_EQ(ma.critic_loss, mb.critic_loss);
    EXPECT_DOUBLE_EQ(ma.actor_loss, mb.actor_loss);
  }
  const at::Tensor obs = torch::randn({4, 3});
  EXPECT_TRUE(torch::equal(a.Act(obs, true), b.Act(obs, true)));
  EXPECT_TRUE(torch::equal(a.Q(obs, a.Act(obs, true)), b.Q(obs, b.Act(obs, true))));
  // Actions stay inside the Box bounds.
  const at::Tensor sampled = a.Act(torch::randn({256, 3}) * 10, false);
  EXPECT_LE(sampled.select(1, 0).abs().max().item<float>(), 2.f);
  EXPECT_LE(sampled.select(1, 1).abs().max().item<float>(), 1.f);
  std::filesystem::remove(path);
}

TEST(SacTest, RefusesToSaveNonFiniteParametersOverAGoodCheckpoint) {
  Sac sac(TinyOptions(2));
  const std::string path = TempPath("nan.ckpt");
  sac.Save(path);
  const std::string before = ReadAll(path);
  {
    torch::NoGradGuard ng;
    sac.critic_parameters()[0].view({-1})[0] = std::nan("");
  }
  EXPECT_THROW(sac.Save(path), StateError);
  EXPECT_EQ(ReadAll(path), before);
  std::filesystem::remove(path);
}

TEST(SacTest, BadOptionsAndFilesAreRefused) {
  SacOptions o = TinyOptions(1);
  o.eta = 1.0;
  EXPECT_THROW(Sac{o}, ConfigError);  // EDAC compares critics
  o = TinyOptions();
  o.gamma = 1.5;
  EXPECT_THROW(Sac{o}, ConfigError);
  EXPECT_THROW(Sac::Load(TempPath("missing.ckpt")), IoError);
  const std::string junk = TempPath("junk.ckpt");
  std::ofstream(junk) << "not a checkpoint";
  EXPECT_THROW(Sac::Load(junk), DataError);
  std::filesystem::remove(junk);
}

TEST(SacTest, ValueFunctionIsTheMinOverCriticsAtThePolicyMean) {
  auto sac = std::make_shared<Sac>(TinyOptions(3));
  SacValueFunction v(sac);
  const at::Tensor obs = torch::randn({5, 3});
  const at::Tensor expected = std::get<0>(sac->Q(obs, sac->Act(obs, true)).min(0));
  EXPECT_TRUE(torch::allclose(v.Value(obs), expected));
  EXPECT_THROW(v.Value(torch::randn({5, 4})), ShapeError);
  SacAgent agent(sac, "sac");
  const std::vector<float> a = agent.Act(std::vector<float>{0.1f, 0.2f, 0.3f});
  EXPECT_EQ(a.size(), 2u);
  EXPECT_THROW(agent.Act(std::vector<float>{0.1f}), ShapeError);
}

}  // namespace
}  // namespace augur::agents::rl
