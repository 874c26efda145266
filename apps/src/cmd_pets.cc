// augur pets: the PETS online loop — train the ensemble on the data so far, act with MPC, add the episodes,
// repeat — printing the return of every round.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "augur/agents/pets.h"
#include "augur/core/executor.h"
#include "augur/core/progress.h"
#include "augur/data/io.h"
#include "commands.h"

namespace augur::apps {

Command PetsCommand() {
  struct Args {
    agents::PetsOptions options;
    std::string out;
  };
  auto args = std::make_shared<Args>();
  return {"pets", "Run the PETS online loop: train, act with MPC, add the episodes, repeat",
          [args](CLI::App& sub, const GlobalOptions& global) -> std::function<void()> {
            auto& o = args->options;
            sub.add_option("--env", o.env, "Environment id")->capture_default_str();
            sub.add_option("--model", o.model, "Model spec")->capture_default_str();
            sub.add_option("--planner", o.planner, "Planner spec")->capture_default_str();
            sub.add_option("--initial-episodes", o.initial_episodes, "Random episodes before the first round")
                ->capture_default_str();
            sub.add_option("--rounds", o.rounds, "Train-then-act rounds")->capture_default_str();
            sub.add_option("--episodes-per-round", o.episodes_per_round, "MPC episodes per round")
                ->capture_default_str();
            sub.add_option("--max-steps", o.max_steps, "Steps per episode (0 = the env's limit)")
                ->capture_default_str();
            sub.add_option("--epochs", o.train.max_epochs, "Maximum training epochs per round")
                ->capture_default_str();
            sub.add_option("--seed", o.seed, "Seed")->capture_default_str();
            sub.add_option("--out", args->out, "Write everything collected to this dataset file");
            return [args, &global] {
              Executor executor(global.threads);
              Progress progress({.label = "pets", .total = args->options.rounds, .unit = "round"});
              const agents::PetsReport report = agents::RunPets(args->options, executor, &progress);
              progress.Finish();
              if (!args->out.empty()) data::Save(report.dataset, args->out);
              nlohmann::json rounds = nlohmann::json::array();
              for (const auto& r : report.rounds) {
                rounds.push_back({{"round", r.round},
                                  {"dataset_rows", r.dataset_rows},
                                  {"train_seconds", r.train_seconds},
                                  {"returns", r.returns},
                                  {"mean_action_ms", r.mean_action_ms}});
              }
              if (global.json) {
                std::printf("%s\n", nlohmann::json{{"env", args->options.env}, {"rounds", rounds}}.dump(2).c_str());
                return;
              }
              for (const auto& r : report.rounds) {
                double mean = 0;
                for (double x : r.returns) mean += x / r.returns.size();
                std::printf("round %d: %lld rows, trained in %.1f s, MPC return %.2f, %.2f ms per action\n", r.round,
                            static_cast<long long>(r.dataset_rows), r.train_seconds, mean, r.mean_action_ms);
              }
            };
          }};
}

}  // namespace augur::apps
