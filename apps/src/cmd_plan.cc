// augur plan: one planning call from one observation, as a robot stack would make it; prints the action,
// the time-indexed plan and the planner's statistics.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>

#include "augur/agents/agent.h"
#include "augur/agents/any_planner.h"
#include "augur/agents/model_loading.h"
#include "augur/core/error.h"
#include "augur/core/executor.h"
#include "augur/envs/registry.h"
#include "augur/planners/factory.h"
#include "augur/search/factory.h"
#include "commands.h"

namespace augur::apps {
namespace {

std::vector<float> ParseFloats(const std::string& text, const std::string& what) {
  std::vector<float> values;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    try {
      size_t used = 0;
      values.push_back(std::stof(item, &used));
      if (item.find_first_not_of(" ", used) != std::string::npos) throw std::invalid_argument(item);
    } catch (const std::exception&) {
      throw ConfigError(StrCat(what, ": '", item, "' is not a number; give comma-separated values, e.g. 1,0,0.5"));
    }
  }
  return values;
}

}  // namespace

Command PlanCommand() {
  struct Args {
    std::string env = "Pendulum-v1", model = "true", planner = "icem:pop=100,elites=10,iters=3,horizon=15", obs;
    uint64_t seed = 0;
    int64_t iterations = 0;
    double deadline_ms = 0;
  };
  auto args = std::make_shared<Args>();
  return {"plan", "Plan once from an observation: the action, the time-indexed plan and statistics",
          [args](CLI::App& sub, const GlobalOptions& global) -> std::function<void()> {
            sub.add_option("--env", args->env, "Environment id (spaces, bounds, termination)")->capture_default_str();
            sub.add_option("--model", args->model, "'true' (the simulator), a checkpoint, or a TorchScript .pt file")
                ->capture_default_str();
            std::string planners;
            for (const auto& n : AnyPlannerNames()) planners += (planners.empty() ? "" : ", ") + n;
            sub.add_option("--planner", args->planner, "Planner spec; planners: " + planners +
                                                           " (keys: augur plan --planner-help NAME)")
                ->capture_default_str();
            sub.add_option("--obs", args->obs, "Observation, comma-separated (default: the env's reset state)");
            sub.add_option("--seed", args->seed, "Planner seed (and reset seed without --obs)")->capture_default_str();
            sub.add_option("--iterations", args->iterations, "Planner iterations (0 = the spec's iters)")
                ->check(CLI::NonNegativeNumber)->capture_default_str();
            sub.add_option("--deadline-ms", args->deadline_ms, "Wall-time budget in ms (0 = none)")
                ->check(CLI::NonNegativeNumber)->capture_default_str();
            auto* help = sub.add_option_function<std::string>(
                "--planner-help", [](const std::string& name) {
                  std::printf("%s", search::IsSearchPlanner(name) ? search::SearchPlannerHelp(name).c_str()
                                                                  : PlannerHelp(name).c_str());
                  throw CLI::Success();
                },
                "Print a planner's keys with defaults and ranges, then exit");
            help->trigger_on_parse();
            return [args, &global] {
              Executor executor(global.threads);
              auto env = envs::Make(args->env);
              std::vector<float> obs =
                  args->obs.empty() ? env->Reset(args->seed) : ParseFloats(args->obs, "--obs");
              const agents::LoadedModel model = agents::LoadAnyModelForEnv(args->model, *env);
              agents::MpcAgent agent(MakeAnyPlanner(args->planner,
                                                    {.model = model.world, .seed = args->seed,
                                                     .sequence_model = model.sequence},
                                                    executor),
                                     {.iterations = args->iterations, .deadline_ms = args->deadline_ms});
              agent.Act(obs);
              const PlanResult& result = agent.last_plan();
              const Planner* planner = &agent.planner();
              if (global.json) {
                std::printf("%s\n", nlohmann::json{{"action", result.action},
                                                   {"plan", result.plan},
                                                   {"predicted_states", result.predicted_states},
                                                   {"predicted_return", result.predicted_return},
                                                   {"iterations", result.iterations},
                                                   {"evaluations", result.evaluations},
                                                   {"seconds", result.seconds},
                                                   {"cut_short", result.cut_short}}
                                        .dump(2)
                                        .c_str());
              } else {
                std::printf("action:");
                for (float a : result.action) std::printf(" %.5g", a);
                std::printf("\npredicted return %.4g over a horizon of %lld; %lld iterations, %lld model steps, "
                            "%.2f ms%s\n",
                            result.predicted_return, static_cast<long long>(planner->horizon()),
                            static_cast<long long>(result.iterations), static_cast<long long>(result.evaluations),
                            1e3 * result.seconds, result.cut_short ? " (cut short by the deadline)" : "");
              }
            };
          }};
}

}  // namespace augur::apps
