// augur collect: run a behaviour policy in a reference env and write an offline dataset (record file).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "augur/agents/collect.h"
#include "augur/core/progress.h"
#include "augur/data/io.h"
#include "augur/envs/policies.h"
#include "commands.h"

namespace augur::apps {

Command CollectCommand() {
  struct Args {
    agents::CollectOptions options;
    std::string out;
    bool append = false;
  };
  auto args = std::make_shared<Args>();
  return {"collect", "Collect an offline dataset with a behaviour policy (record file; crash-safe, appendable)",
          [args](CLI::App& sub, const GlobalOptions& global) -> std::function<void()> {
            sub.add_option("--env", args->options.env, "Environment id")->capture_default_str();
            sub.add_option("--policy", args->options.policy,
                           "Behaviour policy: random, medium, expert, mixed, epsilon:eps=E, noisy:sigma=S")
                ->capture_default_str();
            sub.add_option("--episodes", args->options.episodes, "Episodes to collect")->check(CLI::PositiveNumber)
                ->capture_default_str();
            sub.add_option("--seed", args->options.seed, "Seed (the same seed gives the same dataset)")
                ->capture_default_str();
            sub.add_option("--max-steps", args->options.max_steps, "Steps per episode (0 = the env's time limit)")
                ->check(CLI::NonNegativeNumber)->capture_default_str();
            sub.add_option("--out", args->out, "Output record file (.augur)")->required();
            sub.add_flag("--append", args->append, "Append to an existing file (its header must match)");
            return [args, &global] {
              Progress progress({.label = "collect", .total = args->options.episodes, .unit = "episode"});
              agents::CollectToFile(args->options, args->out, args->append, &progress);
              progress.Finish();
              const data::Dataset dataset = data::Load(args->out);
              const std::vector<double> returns = dataset.EpisodeReturns();
              double mean = 0;
              for (double r : returns) mean += r / returns.size();
              if (global.json) {
                std::printf("%s\n", nlohmann::json{{"path", args->out},
                                                   {"episodes", dataset.num_episodes()},
                                                   {"steps", dataset.size()},
                                                   {"mean_return", mean},
                                                   {"digest", dataset.Digest()}}
                                        .dump(2)
                                        .c_str());
              } else {
                std::printf("wrote %s: %lld episodes, %lld steps, mean return %.2f\n", args->out.c_str(),
                            static_cast<long long>(dataset.num_episodes()), static_cast<long long>(dataset.size()),
                            mean);
              }
            };
          }};
}

}  // namespace augur::apps
