// augur train-bc: behaviour cloning of a dataset as a small MLP policy (the floor of benchmark tables).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "augur/agents/bc.h"
#include "augur/core/executor.h"
#include "augur/core/progress.h"
#include "augur/data/io.h"
#include "commands.h"

namespace augur::apps {

Command TrainBcCommand() {
  struct Args {
    std::string data, out;
    agents::BcOptions options;
  };
  auto args = std::make_shared<Args>();
  return {"train-bc",
          "Behaviour cloning: fit a small MLP policy to a dataset's actions (evaluate it with augur eval --agent "
          "bc:FILE)",
          [args](CLI::App& sub, const GlobalOptions& global) -> std::function<void()> {
            sub.add_option("--data", args->data, "Dataset (.augur, .npz, .hdf5)")->required();
            sub.add_option("--out", args->out, "Output policy file (JSON)")->required();
            sub.add_option("--hidden", args->options.hidden, "Units per hidden layer")->capture_default_str();
            sub.add_option("--layers", args->options.layers, "Hidden layers")->capture_default_str();
            sub.add_option("--epochs", args->options.max_epochs, "Maximum epochs")->capture_default_str();
            sub.add_option("--batch", args->options.batch, "Minibatch rows")->capture_default_str();
            sub.add_option("--lr", args->options.learning_rate, "Adam learning rate")->capture_default_str();
            sub.add_option("--patience", args->options.patience, "Early-stopping patience in epochs (0 = none)")
                ->capture_default_str();
            sub.add_option("--seed", args->options.seed, "Seed")->capture_default_str();
            return [args, &global] {
              args->options.Validate();
              Executor executor(global.threads);  // sizes LibTorch's thread pool
              executor.ApplyTorchThreads();
              const data::Dataset dataset = data::Load(args->data);
              Progress progress({.label = "train-bc", .total = args->options.max_epochs, .unit = "epoch"});
              agents::BcTrainReport report;
              const agents::BcPolicy policy = agents::BcPolicy::Train(dataset, args->options, &progress, &report);
              progress.Finish();
              policy.Save(args->out);
              const double best = report.holdout_loss.at(report.best_epoch);
              if (global.json) {
                std::printf("%s\n", nlohmann::json{{"out", args->out},
                                                   {"rows", dataset.size()},
                                                   {"epochs", report.holdout_loss.size()},
                                                   {"best_epoch", report.best_epoch},
                                                   {"holdout_loss", best},
                                                   {"seconds", report.seconds}}
                                        .dump(2)
                                        .c_str());
              } else {
                std::printf("wrote %s: %lld rows, best epoch %lld of %zu, held-out MSE %.4f, %.1f s\n",
                            args->out.c_str(), static_cast<long long>(dataset.size()),
                            static_cast<long long>(report.best_epoch), report.holdout_loss.size(), best,
                            report.seconds);
              }
            };
          }};
}

}  // namespace augur::apps
