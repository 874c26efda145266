#include "augur/agents/rl/edge_of_reach.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "augur/agents/rl/offline_rl.h"
#include "augur/core/error.h"
#include "augur/core/rng.h"
#include "augur/data/dataset.h"
#include "augur/envs/edge_of_reach.h"
#include "augur/envs/env_model.h"

namespace augur::agents::rl {
namespace {

using envs::EdgeOfReachEnv;

// One-step transitions from uniform states of the data box under uniform random actions.
data::Dataset ToyDataset(int64_t rows, uint64_t seed, double reward_scale) {
  EdgeOfReachEnv env(reward_scale);
  Rng rng(seed, StreamId({0xd47aULL}));
  at::Tensor obs = at::empty({rows, 2}), act = at::empty({rows, 2}), next = at::empty({rows, 2}),
             rew = at::empty({rows});
  for (int64_t i = 0; i < rows; ++i) {
    const float x = rng.Uniform(-0.5f, 0.5f), y = rng.Uniform(-0.5f, 0.5f);
    const float ax = rng.Uniform(-1.f, 1.f), ay = rng.Uniform(-1.f, 1.f);
    const float o[2] = {x, y}, a[2] = {ax, ay};
    env.SetFromObservation(o);
    const envs::StepResult r = env.Step(a);
    obs[i][0] = x, obs[i][1] = y, act[i][0] = ax, act[i][1] = ay;
    next[i][0] = r.observation[0], next[i][1] = r.observation[1];
    rew[i] = static_cast<float>(r.reward);
  }
  data::DatasetMetadata meta;
  meta.env_spec = env.spec();
  meta.source = "augur edge-of-reach toy: uniform states of [-0.5, 0.5]^2, uniform actions";
  return data::Dataset(obs, act, rew, at::zeros({rows}, at::kBool), at::ones({rows}, at::kBool), next, meta);
}

}  // namespace

double EdgeOfReachResult::max_abs_value() const {
  if (diverged) return std::numeric_limits<double>::infinity();
  double m = 0;
  for (double v : q_batch_max) m = std::max(m, std::abs(v));
  for (double v : v_reach_max) m = std::max(m, std::abs(v));
  return m;
}

EdgeOfReachResult RunEdgeOfReach(const EdgeOfReachOptions& eo, Executor& executor) {
  if (eo.grid < 2) throw ConfigError(StrCat("edge-of-reach grid = ", eo.grid, " must be >= 2"));
  const data::Dataset data = ToyDataset(eo.data_rows, eo.seed, eo.reward_scale);
  EdgeOfReachEnv env(eo.reward_scale);
  envs::EnvModel model(env);
  rollouts::WorldModelStepper stepper(model, /*sample=*/false);
  OfflineRlOptions o;
  o.method = eo.method;
  o.critics = eo.critics;
  o.eta = eo.eta;
  o.penalty = 0;
  o.hidden = eo.hidden;
  o.layers = eo.layers;
  o.gamma = eo.gamma;
  o.tau = eo.tau;
  o.actor_lr = o.critic_lr = o.alpha_lr = eo.lr;
  if (eo.alpha > 0) o.auto_alpha = false, o.alpha = eo.alpha;
  o.steps = eo.steps;
  o.batch = eo.batch;
  o.real_ratio = eo.real_ratio;
  o.rollout_length = eo.rollout_length;
  o.rollout_starts = eo.rollout_starts;
  o.rollout_every = eo.rollout_every;
  o.checkpoint_every = 0;
  o.log_every = eo.log_every;
  o.seed = eo.seed;
  OfflineRlTrainer trainer(o, data, stepper, &model, executor);

  // The state grid and each point's reach distance.
  const int g = eo.grid;
  at::Tensor grid = at::empty({g * g, 2});
  std::vector<int> reach(g * g);
  for (int iy = 0; iy < g; ++iy) {
    for (int ix = 0; ix < g; ++ix) {
      const double x = -EdgeOfReachEnv::kBound + 2 * EdgeOfReachEnv::kBound * ix / (g - 1);
      const double y = -EdgeOfReachEnv::kBound + 2 * EdgeOfReachEnv::kBound * iy / (g - 1);
      grid[iy * g + ix][0] = static_cast<float>(x);
      grid[iy * g + ix][1] = static_cast<float>(y);
      reach[iy * g + ix] = EdgeOfReachEnv::ReachSteps(x, y);
    }
  }
  const int k = eo.rollout_length;
  EdgeOfReachResult result;
  result.method = eo.method;
  result.bound = (std::abs(eo.reward_scale) + std::max(0.0, eo.alpha) * std::log(4.0)) / (1.0 - eo.gamma);
  auto values = [&] {
    at::Tensor v = trainer.sac().Value(grid).contiguous();
    return std::vector<float>(v.data_ptr<float>(), v.data_ptr<float>() + v.numel());
  };
  auto record = [&](const OfflineRlLog& l) {
    const std::vector<float> v = values();
    double reach_max = 0, edge_sum = 0, inside_sum = 0;
    int edge_n = 0, inside_n = 0;
    for (size_t i = 0; i < v.size(); ++i) {
      if (reach[i] <= k) reach_max = std::max(reach_max, std::abs(static_cast<double>(v[i])));
      if (reach[i] == k) edge_sum += v[i], ++edge_n;
      if (reach[i] == 0) inside_sum += v[i], ++inside_n;
    }
    result.steps.push_back(static_cast<double>(l.step));
    result.q_batch_max.push_back(l.metrics.q_abs_max);
    result.v_reach_max.push_back(reach_max);
    result.v_edge_mean.push_back(edge_n ? edge_sum / edge_n : 0);
    result.v_inside_mean.push_back(inside_n ? inside_sum / inside_n : 0);
  };
  try {
    result.final_step = trainer.Run("", nullptr, record).final_step;
  } catch (const StateError&) {
    result.diverged = true;
    result.final_step = trainer.sac().updates();
  }
  result.grid_values = values();
  result.v_by_reach.assign(k + 1, 0.0);
  std::vector<int> count(k + 1, 0);
  for (size_t i = 0; i < result.grid_values.size(); ++i) {
    if (reach[i] <= k) result.v_by_reach[reach[i]] += result.grid_values[i], ++count[reach[i]];
  }
  for (int d = 0; d <= k; ++d) result.v_by_reach[d] /= std::max(1, count[d]);
  return result;
}

}  // namespace augur::agents::rl
