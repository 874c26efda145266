// SAC with a Q-ensemble: the EDAC regularizer's double-backward gradient against finite differences, a
// one-step bandit it must solve, checkpoints that resume bit-exactly, and refusal to save NaN parameters.
#include "augur/agents/rl/sac.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>

#include "augur/agents/rl/sac_agent.h"
#include "augur/core/error.h"
#include "augur/core/executor.h"
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

// The hand-written gradient path (no EDAC term) against LibTorch autograd: same seed, same batches, every
// metric and parameter equal in double precision after several updates (forward values are bitwise equal;
// gradients differ only in summation order). Cases: several action dims with eta 0, one action dim with the
// (skipped) EDAC term, fixed alpha, Box bounds, 1 and 3 hidden layers, and a large actor step on large
// observations (lr 0.5: Adam's normalized step amplifies summation-order differences of near-zero
// gradients, so that case gets a looser tolerance).
TEST(SacTest, HandWrittenGradientsMatchAutograd) {
  struct Case {
    int64_t action_dim;
    int critics, layers;
    double eta;
    bool auto_alpha;
    double actor_lr;
    double obs_scale;
    double tol;
  };
  for (const Case& c : {Case{2, 3, 2, 0.0, true, 3e-4, 1, 1e-9}, Case{1, 4, 2, 1.0, true, 3e-4, 1, 1e-9},
                        Case{3, 2, 1, 0.0, false, 3e-4, 1, 1e-9}, Case{2, 5, 3, 0.0, true, 3e-4, 1, 1e-9},
                        Case{2, 2, 2, 0.0, true, 0.5, 30, 1e-6}}) {
    SacOptions o = TinyOptions(c.critics);
    o.action_dim = c.action_dim;
    o.layers = c.layers;
    o.eta = c.eta;
    o.auto_alpha = c.auto_alpha;
    o.actor_lr = c.actor_lr;
    o.float64 = true;
    if (c.action_dim == 2) o.action_low = {-2.f, -0.5f}, o.action_high = {2.f, 1.f};
    SacOptions ref_o = o;
    ref_o.autograd = true;
    Sac fused(o), ref(ref_o);
    torch::manual_seed(3);
    for (int step = 0; step < 6; ++step) {
      const SacBatch b{torch::randn({32, 3}) * c.obs_scale, torch::rand({32, c.action_dim}) - 0.5,
                       torch::randn({32}), torch::randn({32, 3}) * c.obs_scale,
                       (torch::rand({32}) < 0.2).to(torch::kFloat)};
      const SacMetrics mf = fused.Update(b), mr = ref.Update(b);
      const std::string where = "case a=" + std::to_string(c.action_dim) + " N=" + std::to_string(c.critics) +
                                " layers=" + std::to_string(c.layers) + " step " + std::to_string(step);
      EXPECT_NEAR(mf.critic_loss, mr.critic_loss, c.tol * (1 + std::abs(mr.critic_loss))) << where;
      EXPECT_NEAR(mf.actor_loss, mr.actor_loss, c.tol * (1 + std::abs(mr.actor_loss))) << where;
      EXPECT_NEAR(mf.alpha_loss, mr.alpha_loss, c.tol) << where;
      EXPECT_NEAR(mf.alpha, mr.alpha, c.tol) << where;
      EXPECT_NEAR(mf.entropy, mr.entropy, c.tol) << where;
      EXPECT_NEAR(mf.q_mean, mr.q_mean, c.tol * (1 + std::abs(mr.q_mean))) << where;
      EXPECT_NEAR(mf.q_abs_max, mr.q_abs_max, c.tol * (1 + std::abs(mr.q_abs_max))) << where;
    }
    const auto pf = fused.critic_parameters(), pr = ref.critic_parameters();
    for (size_t i = 0; i < pf.size(); ++i) {
      EXPECT_LT((pf[i] - pr[i]).abs().max().item<double>(), 10 * c.tol) << "critic parameter " << i;
    }
    const at::Tensor obs = torch::randn({8, 3}) * c.obs_scale;
    EXPECT_LT((fused.Act(obs, true) - ref.Act(obs, true)).abs().max().item<float>(), 1e-6);
    at::Generator g1 = at::detail::createCPUGenerator(5), g2 = at::detail::createCPUGenerator(5);
    EXPECT_LT((fused.NextValue(obs, g1) - ref.NextValue(obs, g2)).abs().max().item<float>(), 1e-5);
  }
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
  // The planners' CPU path matches the tensor path (float32 and float64 parameters, 1 to 3 layers).
  for (bool f64 : {false, true}) {
    for (int layers : {1, 3}) {
      SacOptions o = TinyOptions(4);
      o.float64 = f64;
      o.layers = layers;
      o.hidden = 16;
      auto s = std::make_shared<Sac>(o);
      torch::manual_seed(2);
      for (int i = 0; i < 5; ++i) {  // a few updates, so the weights are not the initial ones
        s->Update({torch::randn({32, 3}), torch::rand({32, 2}) - 0.5, torch::randn({32}), torch::randn({32, 3}),
                   torch::zeros({32})});
      }
      SacValueFunction vf(s);
      ASSERT_TRUE(vf.has_cpu_path());
      const at::Tensor states = torch::randn({37, 3}) * 2;
      at::Tensor cpu = torch::empty({37});
      Scratch scratch;
      vf.ValueCpu(37, states.data_ptr<float>(), cpu.data_ptr<float>(), scratch);
      EXPECT_LT((cpu - vf.Value(states)).abs().max().item<float>(), 1e-5) << "float64 " << f64 << " layers " << layers;
    }
  }
  SacAgent agent(sac, "sac");
  const std::vector<float> a = agent.Act(std::vector<float>{0.1f, 0.2f, 0.3f});
  EXPECT_EQ(a.size(), 2u);
  EXPECT_THROW(agent.Act(std::vector<float>{0.1f}), ShapeError);
}

}  // namespace
}  // namespace augur::agents::rl
