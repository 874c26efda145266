// augur train: fit a world model on an offline dataset and write a checkpoint (parameters + model card).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "augur/core/error.h"
#include "augur/core/executor.h"
#include "augur/core/factory.h"
#include "augur/core/progress.h"
#include "augur/data/io.h"
#include "augur/models/dataset_adapter.h"
#include "augur/models/factory.h"
#include "commands.h"
#include "report.h"

namespace augur::apps {
namespace {

struct TrainArgs {
  std::string data, model = "ensemble:members=7,elites=5,hidden=200,layers=4", out, env, report;
  models::TrainOptions options;
};

nlohmann::ordered_json TrainingReportPage(const TrainArgs& args, const models::TrainReport& r) {
  nlohmann::ordered_json page{{"title", "augur train: " + args.model}};
  page["summary"] = {{"data", args.data},          {"checkpoint", args.out},
                     {"epochs", r.epochs.size()},  {"stopped early", r.stopped_early},
                     {"train rows", r.train_rows}, {"held-out rows", r.holdout_rows},
                     {"seconds", r.seconds}};
  std::vector<double> epoch, train_nll;
  for (const auto& e : r.epochs) epoch.push_back(e.epoch), train_nll.push_back(e.train_nll);
  nlohmann::ordered_json nll = LinePlot("Gaussian NLL (normalized targets)", "epoch", "NLL");
  AddSeries(nll, "train (all members)", epoch, train_nll);
  nlohmann::ordered_json mse = LinePlot("Held-out MSE per member (normalized targets)", "epoch", "MSE");
  mse["logy"] = true;
  const size_t members = r.epochs.empty() ? 0 : r.epochs.front().holdout_mse.size();
  for (size_t m = 0; m < members; ++m) {
    std::vector<double> holdout_nll, holdout_mse;
    for (const auto& e : r.epochs) holdout_nll.push_back(e.holdout_nll[m]), holdout_mse.push_back(e.holdout_mse[m]);
    AddSeries(nll, "held-out member " + std::to_string(m), epoch, holdout_nll);
    AddSeries(mse, "member " + std::to_string(m), epoch, holdout_mse);
  }
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (size_t m = 0; m < r.best_holdout_mse.size(); ++m) {
    const bool elite = std::find(r.elites.begin(), r.elites.end(), static_cast<int64_t>(m)) != r.elites.end();
    rows.push_back({m, r.best_holdout_mse[m], r.best_epoch[m], elite ? "yes" : ""});
  }
  page["sections"] = {{{"title", "Training curves"}, {"plots", {nll, mse}}},
                      {{"title", "Members"},
                       {"tables", {{{"columns", {"member", "best held-out MSE", "epoch kept", "elite"}},
                                    {"rows", rows}}}}}};
  return page;
}

nlohmann::ordered_json SequenceTrainingReportPage(const TrainArgs& args, const models::TrainReport& r) {
  nlohmann::ordered_json page{{"title", "augur train: " + args.model}};
  page["summary"] = {{"data", args.data},          {"checkpoint", args.out},
                     {"epochs", r.epochs.size()},  {"stopped early", r.stopped_early},
                     {"train rows", r.train_rows}, {"held-out rows", r.holdout_rows},
                     {"seconds", r.seconds}};
  std::vector<double> epoch, train_ce, holdout_ce, rate;
  for (const auto& e : r.epochs) {
    epoch.push_back(e.epoch), train_ce.push_back(e.train_nll), rate.push_back(e.samples_per_second);
    if (!e.holdout_nll.empty()) holdout_ce.push_back(e.holdout_nll[0]);
  }
  nlohmann::ordered_json ce = LinePlot("Token cross-entropy", "epoch", "nats per token");
  AddSeries(ce, "train", epoch, train_ce);
  if (holdout_ce.size() == epoch.size()) AddSeries(ce, "held-out episodes", epoch, holdout_ce);
  nlohmann::ordered_json speed = LinePlot("Training tokens per second", "epoch", "tokens/s");
  AddSeries(speed, "train step", epoch, rate);
  page["sections"] = {{{"title", "Training curves"}, {"plots", {ce, speed}}}};
  return page;
}

// Sequence models (tt) train on the dataset's episodes (windows), not on transitions.
void TrainSequenceModel(const TrainArgs& args, const data::Dataset& dataset, const models::ModelInputs& inputs,
                        bool json) {
  auto model = models::CreateSequenceModel(args.model, inputs);
  models::TrainOptions options = args.options;
  options.data_digest = dataset.Digest();
  Progress progress({.label = "train", .total = options.max_epochs, .unit = "epoch"});
  const models::TrainReport report = model->Train(dataset, options, &progress);
  progress.Finish();
  model->Save(args.out);
  if (json) {
    nlohmann::json j = report;
    j["checkpoint"] = args.out;
    std::printf("%s\n", j.dump(2).c_str());
  } else {
    const auto& last = report.epochs.back();
    std::printf("trained %s on %lld rows in %.1f s (%zu epochs%s); train CE %.4f", args.model.c_str(),
                static_cast<long long>(dataset.size()), report.seconds, report.epochs.size(),
                report.stopped_early ? ", stopped early" : "", last.train_nll);
    if (!last.holdout_nll.empty()) std::printf(", held-out CE %.4f", last.holdout_nll[0]);
    std::printf(", %.0f tokens/s\nwrote %s\n", last.samples_per_second, args.out.c_str());
  }
  if (!args.report.empty()) RenderReport(SequenceTrainingReportPage(args, report), args.report);
}

}  // namespace

Command TrainCommand() {
  auto args = std::make_shared<TrainArgs>();
  return {"train", "Train a world model on an offline dataset and save a checkpoint",
          [args](CLI::App& sub, const GlobalOptions& global) -> std::function<void()> {
            sub.add_option("--data", args->data, "Training dataset (.augur, .npz, .hdf5)")->required();
            sub.add_option("--model", args->model, "Model spec, e.g. ensemble:members=7,elites=5,hidden=200,layers=4, "
                           "vq:codes=8,hidden=64 or "
                           "tt:layers=4,heads=4,width=128,steps=10 (Trajectory Transformer)")
                ->capture_default_str();
            sub.add_option("--out", args->out, "Checkpoint to write")->required();
            sub.add_option("--env", args->env,
                           "Env id whose termination rule the model uses (default: the dataset's own env)");
            sub.add_option("--epochs", args->options.max_epochs, "Maximum epochs (early stopping may end sooner)")
                ->check(CLI::PositiveNumber)->capture_default_str();
            sub.add_option("--batch", args->options.batch_size, "Rows per member per gradient step")
                ->check(CLI::PositiveNumber)->capture_default_str();
            sub.add_option("--lr", args->options.learning_rate, "Adam learning rate")->capture_default_str();
            sub.add_option("--patience", args->options.patience, "Early-stopping patience in epochs")
                ->capture_default_str();
            sub.add_option("--seed", args->options.seed, "Seed of split, bootstrap, shuffling and init")
                ->capture_default_str();
            sub.add_option("--report", args->report, "Write an HTML report with the training curves");
            return [args, &global] {
              Executor executor(global.threads);
              const data::Dataset dataset = data::Load(args->data);
              std::string env_id = args->env;
              if (env_id.empty() && dataset.metadata().env_spec) env_id = dataset.metadata().env_spec->id;
              Box bounds;
              int64_t discrete_actions = 0;
              if (dataset.metadata().env_spec) {
                if (const auto* box = std::get_if<Box>(&dataset.metadata().env_spec->action)) bounds = *box;
                if (const auto* d = std::get_if<Discrete>(&dataset.metadata().env_spec->action)) discrete_actions = d->n;
              }
              const models::ModelInputs inputs{.obs_dim = dataset.obs_dim(),
                                               .action_dim = dataset.action_dim(),
                                               .action_bounds = bounds,
                                               .env_id = env_id,
                                               .discrete_actions = discrete_actions};
              if (models::IsSequenceModel(FactorySpec::Parse(args->model).name)) {
                TrainSequenceModel(*args, dataset, inputs, global.json);
                return;
              }
              auto model = models::Create(args->model, inputs);
              models::TrainOptions options = args->options;
              options.data_digest = dataset.Digest();
              Progress progress({.label = "train", .total = options.max_epochs, .unit = "epoch"});
              const models::TrainReport report = model->Train(models::ToTransitions(dataset), options, &progress);
              progress.Finish();
              model->Save(args->out);
              if (global.json) {
                nlohmann::json j = report;
                j["checkpoint"] = args->out;
                std::printf("%s\n", j.dump(2).c_str());
              } else {
                std::printf("trained %s on %lld rows in %.1f s (%zu epochs%s); elites:", args->model.c_str(),
                            static_cast<long long>(dataset.size()), report.seconds, report.epochs.size(),
                            report.stopped_early ? ", stopped early" : "");
                for (int64_t e : report.elites) std::printf(" %lld (mse %.4g)", static_cast<long long>(e),
                                                            report.best_holdout_mse[e]);
                std::printf("\nwrote %s\n", args->out.c_str());
              }
              if (!args->report.empty()) RenderReport(TrainingReportPage(*args, report), args->report);
            };
          }};
}

}  // namespace augur::apps
