#include "augur/agents/evaluate.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>

#include "augur/agents/agent.h"
#include "augur/core/error.h"
#include "augur/core/progress.h"
#include "augur/core/rng.h"
#include "augur/envs/env.h"

namespace augur::agents {
namespace {

double Percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  const double pos = q * (v.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(pos)), hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (pos - lo) * (v[hi] - v[lo]);
}

void MeanStd(const std::vector<double>& v, double* mean, double* stddev) {
  double s = 0, s2 = 0;
  for (double x : v) s += x, s2 += x * x;
  *mean = v.empty() ? 0.0 : s / v.size();
  *stddev = v.size() < 2 ? 0.0 : std::sqrt(std::max(0.0, (s2 - v.size() * *mean * *mean) / (v.size() - 1)));
}

}  // namespace

std::optional<ReferenceReturns> ReferenceFor(std::string_view env_id) {
  // augur's own measurements: mean return over 100 episodes of envs/ "random" and "expert" policies,
  // `augur eval --env ID --agent random|expert --episodes 100 --seed 0`.
  static constexpr const char* kSource = "augur random / expert policies, 100 episodes, seed 0";
  struct Row {
    std::string_view id;
    ReferenceReturns ref;
  };
  static const Row kRows[] = {
      {"Pendulum-v1", {-1255.62, -157.39, kSource}},
      {"CartPole-v1", {20.39, 500.0, kSource}},
      {"MountainCar-v0", {-200.0, -118.75, kSource}},
      {"MountainCarContinuous-v0", {-33.25, 89.33, kSource}},
      {"Acrobot-v1", {-498.39, -90.47, kSource}},
      // D4RL's reference returns (d4rl/infos.py REF_MIN_SCORE / REF_MAX_SCORE, measured on the v2 envs; the
      // usual normalization for v4 too).
      {"HalfCheetah-v4", {-280.178953, 12135.0, "D4RL reference returns (halfcheetah)"}},
      {"Hopper-v4", {-20.272305, 3234.3, "D4RL reference returns (hopper)"}},
      {"Walker2d-v4", {1.629008, 4592.3, "D4RL reference returns (walker2d)"}},
      // NeoRL-2's normalization (polixir/NeoRL2 neorl2/envs/info.py MIN_SCORES / MAX_SCORES).
      {"DMSD", {30.60, 849.51, "NeoRL-2 MIN_SCORES / MAX_SCORES (neorl2/envs/info.py)"}},
  };
  for (const Row& row : kRows) {
    if (row.id == env_id) return row.ref;
  }
  return std::nullopt;
}

double NormalizedScore(double ret, const ReferenceReturns& ref) {
  return 100.0 * (ret - ref.random) / (ref.expert - ref.random);
}

void EvaluationOptions::Validate() const {
  if (episodes < 1) throw ConfigError(StrCat("evaluation: episodes = ", episodes, " must be >= 1"));
  if (max_steps < 0) throw ConfigError(StrCat("evaluation: max_steps = ", max_steps, " must be >= 0"));
}

EvaluationReport Evaluate(const envs::Env& prototype, Agent& agent, const EvaluationOptions& options,
                          Progress* progress) {
  options.Validate();
  EvaluationReport report;
  report.env_id = prototype.spec().id;
  report.agent = agent.name();
  report.obs_dim = prototype.spec().obs_dim();
  report.action_dim = prototype.spec().action_dim();
  std::unique_ptr<envs::Env> env = prototype.Clone();
  const int limit = options.max_steps > 0 ? options.max_steps : prototype.spec().max_steps;
  std::vector<double> action_ms, returns, normalized;
  const auto ref = ReferenceFor(report.env_id);
  for (int e = 0; e < options.episodes; ++e) {
    EpisodeResult episode;
    episode.seed = StreamId({options.seed, static_cast<uint64_t>(e)});
    std::vector<float> obs = env->Reset(episode.seed);
    agent.Reset(episode.seed);
    const bool record = options.record_trajectory && e == 0;
    double episode_ms = 0;
    for (int t = 0; limit <= 0 || t < limit; ++t) {
      if (agent.wants_sim_state()) agent.ObserveSimState(env->GetState());
      const auto start = std::chrono::steady_clock::now();
      std::vector<float> action = agent.Act(obs);
      const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
      action_ms.push_back(ms);
      episode_ms += ms;
      episode.max_action_ms = std::max(episode.max_action_ms, ms);
      if (record) {
        report.observations.insert(report.observations.end(), obs.begin(), obs.end());
        report.actions.insert(report.actions.end(), action.begin(), action.end());
      }
      envs::StepResult step = env->Step(action);
      if (record) report.rewards.push_back(step.reward);
      episode.ret += step.reward;
      ++episode.steps;
      obs = std::move(step.observation);
      if (step.terminated) episode.terminated = true;
      if (step.terminated || step.truncated) break;
    }
    episode.mean_action_ms = episode.steps ? episode_ms / episode.steps : 0.0;
    returns.push_back(episode.ret);
    if (ref) normalized.push_back(NormalizedScore(episode.ret, *ref));
    report.episodes.push_back(episode);
    if (progress) {
      progress->SetMetric("return", episode.ret);
      progress->Advance();
    }
  }
  MeanStd(returns, &report.mean_return, &report.std_return);
  if (ref) {
    double m, s;
    MeanStd(normalized, &m, &s);
    report.normalized_mean = m;
    report.normalized_std = s;
  }
  double mean_ms, std_ms;
  MeanStd(action_ms, &mean_ms, &std_ms);
  report.mean_action_ms = mean_ms;
  report.p50_action_ms = Percentile(action_ms, 0.5);
  report.p99_action_ms = Percentile(action_ms, 0.99);
  return report;
}

nlohmann::json ToJson(const EvaluationReport& report) {
  nlohmann::json j{{"env", report.env_id},
                   {"agent", report.agent},
                   {"episodes", report.episodes.size()},
                   {"mean_return", report.mean_return},
                   {"std_return", report.std_return},
                   {"mean_action_ms", report.mean_action_ms},
                   {"p50_action_ms", report.p50_action_ms},
                   {"p99_action_ms", report.p99_action_ms}};
  if (report.normalized_mean) {
    j["normalized_mean"] = *report.normalized_mean;
    j["normalized_std"] = *report.normalized_std;
  }
  nlohmann::json episodes = nlohmann::json::array();
  for (const auto& e : report.episodes) {
    episodes.push_back({{"seed", e.seed},
                        {"return", e.ret},
                        {"steps", e.steps},
                        {"terminated", e.terminated},
                        {"mean_action_ms", e.mean_action_ms},
                        {"max_action_ms", e.max_action_ms}});
  }
  j["per_episode"] = std::move(episodes);
  return j;
}

}  // namespace augur::agents
