// augur eval: run an agent in a reference env for several seeded episodes; print returns, normalized score
// and time per action; optionally write an HTML report with plots.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "augur/agents/agent.h"
#include "augur/agents/any_planner.h"
#include "augur/agents/model_loading.h"
#include "augur/agents/bc.h"
#include "augur/agents/true_model.h"
#include "augur/agents/evaluate.h"
#include "augur/agents/rl/sac_agent.h"
#include "augur/core/error.h"
#include "augur/core/executor.h"
#include "augur/core/rng.h"
#include "augur/data/dataset.h"
#include "augur/data/io.h"
#include "augur/planners/factory.h"
#include "augur/core/progress.h"
#include "augur/envs/policies.h"
#include "augur/envs/registry.h"
#include "augur/models/data_box.h"
#include "augur/models/known_reward.h"
#include "commands.h"
#include "report.h"

namespace augur::apps {
namespace {

struct EvalArgs {
  std::string env = "Pendulum-v1";
  std::string agent;
  std::string model = "true", planner, value;
  double value_weight = 1.0;
  int64_t iterations = 0;
  double deadline_ms = 0;
  double penalty = 0;
  std::string reward = "learned";
  std::string box_data;
  int episodes = 10;
  uint64_t seed = 0;
  int max_steps = 0;
  std::string report;
};

// Open-loop check of the model behind a plan: from the first episode's start, plan once, then execute the
// planned actions in the real env and compare the predicted states with the real ones.
struct PlannedVsReal {
  int64_t obs_dim = 0;
  std::vector<float> predicted, real;  // [(H + 1) * O] each
};

PlannedVsReal ComparePlanWithReality(const envs::Env& prototype, agents::MpcAgent& agent, uint64_t seed) {
  PlannedVsReal out;
  auto env = prototype.Clone();
  std::vector<float> obs = env->Reset(seed);
  agent.Reset(seed);
  agent.Act(obs);
  const PlanResult& plan = agent.last_plan();
  const int64_t o = prototype.spec().obs_dim(), a = prototype.spec().action_dim();
  out.obs_dim = o;
  out.predicted = plan.predicted_states;
  out.real = obs;
  const int64_t horizon = static_cast<int64_t>(plan.plan.size()) / a;
  for (int64_t t = 0; t < horizon; ++t) {
    const envs::StepResult step = env->Step(std::span<const float>(plan.plan.data() + t * a, a));
    out.real.insert(out.real.end(), step.observation.begin(), step.observation.end());
    if (step.terminated || step.truncated) break;
  }
  return out;
}

nlohmann::ordered_json EvaluationReportPage(const agents::EvaluationReport& r, const PlannedVsReal* compare) {
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
  if (compare && !compare->predicted.empty()) {
    const int64_t o = compare->obs_dim;
    const size_t steps = std::min(compare->predicted.size(), compare->real.size()) / o;
    std::vector<double> t(steps);
    for (size_t i = 0; i < steps; ++i) t[i] = i;
    nlohmann::ordered_json plots = nlohmann::ordered_json::array();
    for (int64_t d = 0; d < o; ++d) {
      nlohmann::ordered_json plot = LinePlot("obs[" + std::to_string(d) + "]: planned vs real", "step", "value");
      std::vector<double> p(steps), q(steps);
      for (size_t i = 0; i < steps; ++i) p[i] = compare->predicted[i * o + d], q[i] = compare->real[i * o + d];
      AddSeries(plot, "predicted by the model", t, p);
      AddSeries(plot, "real (plan executed open loop)", t, q);
      plots.push_back(plot);
    }
    sections.push_back({{"title", "Planned vs real trajectory (first episode, first plan)"},
                        {"text", "The first plan's predicted states against the states the real env reaches when "
                                 "its actions are executed open loop."},
                        {"plots", plots}});
  }
  page["sections"] = sections;
  return page;
}

}  // namespace

Command EvalCommand() {
  auto args = std::make_shared<EvalArgs>();
  return {"eval", "Evaluate a behaviour policy or model-predictive control over seeded episodes (returns, "
                  "normalized score, ms per action)",
          [args](CLI::App& sub, const GlobalOptions& global) -> std::function<void()> {
            sub.add_option("--env", args->env, "Environment id (see `augur info`)")->capture_default_str();
            sub.add_option("--agent", args->agent,
                           "Behaviour policy to evaluate: random, expert, medium, mixed, epsilon:eps=E, noisy:sigma=S, "
                           "bc:FILE (a policy from augur train-bc), or a policy checkpoint from augur train-agent (a path, "
                           "or sac:PATH)");
            sub.add_option("--planner", args->planner,
                           "Evaluate model-predictive control with this planner spec instead of a policy, e.g. "
                           "icem:pop=100,elites=10,iters=3,horizon=15");
            sub.add_option("--model", args->model, "World model for --planner: 'true' (the simulator), a checkpoint "
                                                   "from augur train, or a TorchScript .pt file")
                ->capture_default_str();
            sub.add_option("--iterations", args->iterations, "Planner iterations per action (0 = the spec's iters)")
                ->check(CLI::NonNegativeNumber)->capture_default_str();
            sub.add_option("--deadline-ms", args->deadline_ms, "Planning deadline per action in ms (0 = none)")
                ->check(CLI::NonNegativeNumber)->capture_default_str();
            sub.add_option("--penalty", args->penalty, "Uncertainty penalty lambda (MOPO-style; 0 = none)")
                ->check(CLI::NonNegativeNumber)->capture_default_str();
            sub.add_option("--reward", args->reward,
                           "With a learned --model: 'learned' (its reward head) or 'known' (its predicted transitions "
                           "scored with the env's reward function; DMSD, Pendulum-v1)")
                ->check(CLI::IsMember({"learned", "known"}))->capture_default_str();
            sub.add_option("--box-data", args->box_data,
                           "With a learned --model: a dataset (record file, npz or HDF5, e.g. the model's training data) "
                           "whose per-dimension observation [min, max] clamps the model's predicted next observations "
                           "and whose reward range clamps its rewards");
            sub.add_option("--value", args->value,
                           "With --planner: a train-agent checkpoint whose critics give the terminal value V(s_H) "
                           "(value-guided short-horizon planning)");
            sub.add_option("--value-weight", args->value_weight, "Weight of the terminal value")
                ->capture_default_str();
            sub.add_option("--episodes", args->episodes, "Episodes to run")->check(CLI::PositiveNumber)
                ->capture_default_str();
            sub.add_option("--seed", args->seed, "Seed of the episodes' start states")->capture_default_str();
            sub.add_option("--max-steps", args->max_steps, "Steps per episode (0 = the env's time limit)")
                ->check(CLI::NonNegativeNumber)->capture_default_str();
            sub.add_option("--report", args->report, "Write an HTML report with plots to this path");
            return [args, &global] {
              Executor executor(global.threads);
              if (args->agent.empty() == args->planner.empty()) {
                throw ConfigError("augur eval: give either --agent POLICY or --planner SPEC (with --model)");
              }
              std::unique_ptr<envs::Env> env = envs::Make(args->env);
              std::unique_ptr<agents::Agent> agent_ptr;
              std::optional<PlannedVsReal> compare;
              if (args->agent.rfind("bc:", 0) == 0) {  // a behaviour-cloning policy from augur train-bc
                agent_ptr = std::make_unique<agents::BcAgent>(
                    std::make_shared<const agents::BcPolicy>(agents::BcPolicy::Load(args->agent.substr(3))));
              } else if (!args->agent.empty()) {
                const std::string path = args->agent.starts_with("sac:") ? args->agent.substr(4) : args->agent;
                if (args->agent.starts_with("sac:") || std::filesystem::is_regular_file(path)) {
                  agent_ptr = agents::rl::SacAgent::Load(path);
                } else {
                  agent_ptr = std::make_unique<agents::PolicyAgent>(envs::MakePolicy(args->agent, env->spec()));
                }
              } else if (args->model == "true" && !env->CanSetFromObservation()) {
                // MuJoCo locomotion: the true model restarts from the full simulator state every plan.
                agent_ptr = std::make_unique<agents::TrueModelMpcAgent>(
                    *env, args->planner, executor,
                    agents::MpcAgent::Options{.iterations = args->iterations, .deadline_ms = args->deadline_ms});
              } else {
                Objective objective = Objective::Penalized(args->penalty);
                if (!args->value.empty()) {
                  objective.terminal_value = std::make_shared<agents::rl::SacValueFunction>(
                      std::make_shared<const agents::rl::Sac>(agents::rl::Sac::Load(args->value)));
                  objective.terminal_weight = args->value_weight;
                }
                agents::LoadedModel model = agents::LoadAnyModelForEnv(args->model, *env);
                if (!args->box_data.empty()) {
                  if (!model.world || args->model == "true") {
                    throw ConfigError("augur eval: --box-data applies to a learned world model (--model CKPT)");
                  }
                  model.world = std::make_shared<models::DataBoxModel>(model.world,
                                                                       models::DataBoxOf(data::Load(args->box_data)));
                }
                if (args->reward == "known") {
                  if (!model.world || args->model == "true") {
                    throw ConfigError("augur eval: --reward known applies to a learned world model (--model CKPT)");
                  }
                  model.world = std::make_shared<models::KnownRewardModel>(model.world, env->spec().id);
                }
                auto mpc = std::make_unique<agents::MpcAgent>(
                    MakeAnyPlanner(args->planner, {.model = model.world, .objective = objective, .seed = args->seed,
                                                   .sequence_model = model.sequence},
                                executor),
                    agents::MpcAgent::Options{.iterations = args->iterations, .deadline_ms = args->deadline_ms});
                if (!args->report.empty()) compare = ComparePlanWithReality(*env, *mpc, StreamId({args->seed, 0}));
                agent_ptr = std::move(mpc);
              }
              agents::Agent& agent = *agent_ptr;
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
              if (!args->report.empty()) {
                RenderReport(EvaluationReportPage(report, compare ? &*compare : nullptr), args->report);
              }
            };
          }};
}

}  // namespace augur::apps
