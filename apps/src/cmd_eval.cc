// augur eval: run an agent in a reference env for several seeded episodes; print returns, normalized score
// and time per action; optionally write an HTML report with plots.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "augur/agents/agent.h"
#include "augur/agents/evaluate.h"
#include "augur/core/executor.h"
#include "augur/core/progress.h"
#include "augur/envs/policies.h"
#include "augur/envs/registry.h"
#include "commands.h"
#include "report.h"

namespace augur::apps {
namespace {

struct EvalArgs {
  std::string env = "Pendulum-v1";
  std::string agent;
  int episodes = 10;
  uint64_t seed = 0;
  int max_steps = 0;
  std::string report;
};

nlohmann::ordered_json EvaluationReportPage(const agents::EvaluationReport& r) {
  nlohmann::ordered_json page{{"title", "augur eval: " + r.agent + " on " + r.env_id}};
  page["summary"] = {{"env", r.env_id},
                     {"agent", r.agent},
                     {"episodes", r.episodes.size()},
                     {"mean return", r.mean_return},
                     {"std return", r.std_return},
                     {"mean ms per action", r.mean_action_ms},
                     {"p99 ms per action", r.p99_action_ms}};
  if (r.normalized_mean) page["summary"]["normalized score"] = *r.normalized_mean;
  nlohmann::ordered_json returns = {{"title", "Return per episode"}, {"xlabel", "episode"}, {"ylabel", "return"},
                            {"kind", "bar"}, {"series", nlohmann::ordered_json::array()}};
  std::vector<double> x, y;
  for (size_t i = 0; i < r.episodes.size(); ++i) x.push_back(i), y.push_back(r.episodes[i].ret);
  AddSeries(returns, r.agent, x, y);
  nlohmann::ordered_json sections = nlohmann::ordered_json::array();
  sections.push_back({{"title", "Returns"}, {"plots", {returns}}});
  if (!r.rewards.empty()) {
    const size_t steps = r.rewards.size();
    std::vector<double> t(steps);
    for (size_t i = 0; i < steps; ++i) t[i] = i;
    nlohmann::ordered_json obs = LinePlot("First episode: observation", "step", "value");
    for (int64_t d = 0; d < r.obs_dim; ++d) {
      std::vector<double> v(steps);
      for (size_t i = 0; i < steps; ++i) v[i] = r.observations[i * r.obs_dim + d];
      AddSeries(obs, "obs[" + std::to_string(d) + "]", t, v);
    }
    nlohmann::ordered_json act = LinePlot("First episode: action and reward", "step", "value");
    for (int64_t d = 0; d < r.action_dim; ++d) {
      std::vector<double> v(steps);
      for (size_t i = 0; i < steps; ++i) v[i] = r.actions[i * r.action_dim + d];
      AddSeries(act, "action[" + std::to_string(d) + "]", t, v);
    }
    AddSeries(act, "reward", t, r.rewards);
    sections.push_back({{"title", "First episode"}, {"plots", {obs, act}}});
  }
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (const auto& e : r.episodes) rows.push_back({e.seed, e.ret, e.steps, e.terminated, e.mean_action_ms});
  sections.push_back({{"title", "Episodes"},
                      {"tables", {{{"columns", {"seed", "return", "steps", "terminated", "ms/action"}},
                                   {"rows", rows}}}}});
  page["sections"] = sections;
  return page;
}

}  // namespace

Command EvalCommand() {
  auto args = std::make_shared<EvalArgs>();
  return {"eval", "Evaluate an agent in a reference env over seeded episodes (returns, normalized score, ms/action)",
          [args](CLI::App& sub, const GlobalOptions& global) -> std::function<void()> {
            sub.add_option("--env", args->env, "Environment id (see `augur info`)")->capture_default_str();
            sub.add_option("--agent", args->agent,
                           "Behaviour policy to evaluate: random, expert, medium, mixed, epsilon:eps=E, noisy:sigma=S")
                ->required();
            sub.add_option("--episodes", args->episodes, "Episodes to run")->check(CLI::PositiveNumber)
                ->capture_default_str();
            sub.add_option("--seed", args->seed, "Seed of the episodes' start states")->capture_default_str();
            sub.add_option("--max-steps", args->max_steps, "Steps per episode (0 = the env's time limit)")
                ->check(CLI::NonNegativeNumber)->capture_default_str();
            sub.add_option("--report", args->report, "Write an HTML report with plots to this path");
            return [args, &global] {
              Executor executor(global.threads);
              std::unique_ptr<envs::Env> env = envs::Make(args->env);
              agents::PolicyAgent agent(envs::MakePolicy(args->agent, env->spec()));
              Progress progress({.label = "eval", .total = args->episodes, .unit = "episode"});
              const agents::EvaluationReport report = agents::Evaluate(
                  *env, agent, {.episodes = args->episodes, .seed = args->seed, .max_steps = args->max_steps},
                  &progress);
              progress.Finish();
              if (global.json) {
                std::printf("%s\n", agents::ToJson(report).dump(2).c_str());
              } else {
                std::printf("%s on %s: mean return %.2f +- %.2f over %zu episodes", report.agent.c_str(),
                            report.env_id.c_str(), report.mean_return, report.std_return, report.episodes.size());
                if (report.normalized_mean) std::printf(", normalized score %.1f", *report.normalized_mean);
                std::printf(", %.4f ms per action (p99 %.4f)\n", report.mean_action_ms, report.p99_action_ms);
              }
              if (!args->report.empty()) RenderReport(EvaluationReportPage(report), args->report);
            };
          }};
}

}  // namespace augur::apps
