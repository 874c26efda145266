// augur dataset: generate a graded offline dataset (random, medium, expert, medium-replay, medium-expert in
// D4RL's sense) with true-model MPC as the expert; record file with simulator states, resumable.
#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "augur/agents/evaluate.h"
#include "augur/agents/graded_dataset.h"
#include "augur/core/executor.h"
#include "augur/core/progress.h"
#include "augur/data/io.h"
#include "commands.h"

namespace augur::apps {

Command DatasetCommand() {
  struct Args {
    agents::GradeOptions options;
    std::string out;
  };
  auto args = std::make_shared<Args>();
  return {"dataset",
          "Generate a graded dataset (random, medium, expert, medium-replay, medium-expert) with true-model MPC "
          "or SAC policies (augur train-sac) as the behaviour (record file with simulator states; rerun to resume)",
          [args](CLI::App& sub, const GlobalOptions& global) -> std::function<void()> {
            sub.add_option("--env", args->options.env, "Environment id (HalfCheetah-v4, Hopper-v4, Walker2d-v4, ...)")
                ->capture_default_str();
            sub.add_option("--grade", args->options.grade,
                           "random, medium, expert, medium-replay or medium-expert (medium then expert episodes)")
                ->capture_default_str();
            sub.add_option("--episodes", args->options.episodes, "Episodes (medium-expert: of each half)")
                ->check(CLI::PositiveNumber)->capture_default_str();
            sub.add_option("--seed", args->options.seed, "Seed (the same seed gives the same dataset)")
                ->capture_default_str();
            sub.add_option("--max-steps", args->options.max_steps, "Steps per episode (0 = the env's time limit)")
                ->check(CLI::NonNegativeNumber)->capture_default_str();
            sub.add_option("--expert-planner", args->options.expert_planner,
                           "Planner spec of the expert (default: per env, see agents/README.md)");
            sub.add_option("--medium-planner", args->options.medium_planner, "Planner spec of medium");
            sub.add_option("--medium-random-prob", args->options.medium_random_prob,
                           "Medium: probability of a random action (default: per env)");
            sub.add_option("--medium-sigma", args->options.medium_sigma,
                           "Medium: Gaussian action noise in half-widths of the action box (default: per env)");
            sub.add_option("--expert-policy", args->options.expert_policy,
                           "SAC checkpoint as the expert instead of MPC (e.g. the best snapshot of augur train-sac)");
            sub.add_option("--medium-policy", args->options.medium_policy,
                           "SAC checkpoint as medium instead of MPC (a train-sac snapshot at ~1/3 of the expert's "
                           "return, or a train-agent / offline-RL bench cell's agent; cheap for large datasets; no "
                           "noise unless --medium-random-prob / --medium-sigma)");
            sub.add_option("--out", args->out, "Output record file (.augur); an existing one is resumed")->required();
            return [args, &global] {
              args->options.Validate();
              Executor executor(global.threads);
              const int64_t total =
                  args->options.grade == "medium-expert" ? 2 * args->options.episodes : args->options.episodes;
              Progress progress({.label = "dataset " + args->options.grade, .total = total, .unit = "episode"});
              agents::GenerateGradedToFile(args->options, args->out, executor, &progress);
              progress.Finish();
              const data::Dataset dataset = data::Load(args->out);
              const std::vector<double> returns = dataset.EpisodeReturns();
              double mean = 0, var = 0;
              for (double r : returns) mean += r / returns.size();
              for (double r : returns) var += (r - mean) * (r - mean) / std::max<size_t>(1, returns.size() - 1);
              nlohmann::json j{{"path", args->out},
                               {"env", args->options.env},
                               {"grade", args->options.grade},
                               {"episodes", dataset.num_episodes()},
                               {"steps", dataset.size()},
                               {"mean_return", mean},
                               {"std_return", std::sqrt(var)},
                               {"returns", returns},
                               {"behaviour", dataset.metadata().extra},
                               {"digest", dataset.Digest()}};
              const auto ref = agents::ReferenceFor(args->options.env);
              if (ref) j["d4rl_normalized_mean"] = agents::NormalizedScore(mean, *ref);
              if (global.json) {
                std::printf("%s\n", j.dump(2).c_str());
              } else {
                std::printf("wrote %s: %lld episodes, %lld steps, behaviour return %.1f +- %.1f", args->out.c_str(),
                            static_cast<long long>(dataset.num_episodes()), static_cast<long long>(dataset.size()),
                            mean, std::sqrt(var));
                if (ref) std::printf(" (normalized %.1f against %s)", agents::NormalizedScore(mean, *ref), ref->source.c_str());
                std::printf("\n");
              }
            };
          }};
}

}  // namespace augur::apps
