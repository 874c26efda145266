// How well does the ensemble model real offline data? Trains the probabilistic ensemble on NeoRL-2 train
// splits (DMSD, Pipeline; ../shared/data/neorl2) and reports held-out Gaussian NLL and MSE of the
// (delta observation, reward) prediction against a linear least-squares model fitted on the same split.
//
// Protocol: episodes are split 80/20 in file order (the last 20 % of episodes are held out); at most
// --max-train rows of the train split are used (the first ones); targets are standardized with the train
// split's per-dimension mean and std for both models, so MSE and NLL are in standard units, averaged over
// dimensions. The ensemble's prediction is the moment-matched Gaussian of its elites.
//
// History of k (--history 1,4): both models see the stacked last k observations and actions
// (models/history.h, StackHistory) and are scored on the newest observation's delta and the reward only, so
// the numbers are comparable across k. Delayed tasks (Pipeline) need k > 1. "open-loop RMSE@H" rolls the
// ensemble's mean through HistoryModel (exact shifts of the history) for H steps with the recorded actions
// from every 10th held-out step and reports the RMSE of the predicted observation (standard units).
//
//   build/bench/suites/augur_neorl2_models [--data FILE.npz ...] [--model SPEC] [--epochs N] [--history K,...]
//                                          [--json OUT] [--smoke]
#include <ATen/ATen.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "augur/core/executor.h"
#include "augur/core/system_info.h"
#include "augur/data/io.h"
#include "augur/models/dataset_adapter.h"
#include "augur/models/ensemble/ensemble_model.h"
#include "augur/models/factory.h"
#include "augur/models/history.h"

namespace {

struct Metrics {
  double mse = 0, nll = 0;
};

// Mean over rows and dims of the standardized squared error and Gaussian NLL.
Metrics Score(const at::Tensor& mean, const at::Tensor& var, const at::Tensor& target, const at::Tensor& scale) {
  const at::Tensor m = mean / scale, t = target / scale, v = var / (scale * scale);
  const at::Tensor err2 = (m - t).pow(2);
  Metrics out;
  out.mse = err2.mean().item<double>();
  out.nll = (0.5 * (v.log() + err2 / v + std::log(2 * M_PI))).mean().item<double>();
  return out;
}

// Open-loop RMSE at `horizon` of the model's mean through the history wrapper, over held-out episodes.
double OpenLoopRmse(const augur::WorldModel& model, const augur::data::Dataset& stacked, int64_t obs_dim, int k,
                    int64_t horizon, const at::Tensor& obs_scale) {
  std::vector<int64_t> starts;
  for (int64_t e = 0; e < stacked.num_episodes(); ++e) {
    for (int64_t t = stacked.EpisodeBegin(e); t + horizon <= stacked.EpisodeEnd(e); t += 10) starts.push_back(t);
  }
  if (starts.empty()) return std::nan("");
  const at::Tensor index = at::tensor(starts, at::kLong);
  at::Tensor state = stacked.observations().index_select(0, index);
  for (int64_t h = 0; h < horizon; ++h) {
    augur::StepContext ctx;
    state = model.Step(state, stacked.actions().index_select(0, index + h), ctx).next_state;
  }
  const int64_t lo = (k - 1) * obs_dim;
  const at::Tensor real = stacked.next_observations().index_select(0, index + horizon - 1).slice(1, lo, lo + obs_dim);
  return ((state.slice(1, lo, lo + obs_dim) - real) / obs_scale).pow(2).mean().sqrt().item<double>();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("Ensemble vs linear model on NeoRL-2 offline data: held-out NLL and MSE");
  const std::string shared = std::string(AUGUR_SOURCE_DIR) + "/../shared/data/neorl2/";
  std::vector<std::string> files = {shared + "DMSD-high-100000-train.npz", shared + "Pipeline-high-100000-train.npz"};
  std::string spec = "ensemble:members=5,elites=3,hidden=200,layers=3", json_out;
  int epochs = 30;
  int64_t max_train = 40000;
  std::vector<int> history = {1};
  int64_t open_loop = 10;
  bool smoke = false;
  app.add_option("--data", files, "NeoRL-2 npz files")->capture_default_str();
  app.add_option("--model", spec, "Ensemble spec")->capture_default_str();
  app.add_option("--epochs", epochs, "Maximum epochs")->capture_default_str();
  app.add_option("--max-train", max_train, "At most this many train rows")->capture_default_str();
  app.add_option("--json", json_out, "Write the results as JSON");
  app.add_option("--history", history, "History lengths k to compare (models/history.h)")->delimiter(',')
      ->capture_default_str();
  app.add_option("--open-loop", open_loop, "Horizon of the open-loop RMSE")->capture_default_str();
  app.add_flag("--smoke", smoke, "Tiny sizes (keeps the program working; skips when the data is absent)");
  CLI11_PARSE(app, argc, argv);
  if (smoke) {
    spec = "ensemble:members=2,elites=2,hidden=16,layers=2";
    epochs = 1;
    max_train = 2000;
    history = {1, 2};
    open_loop = 3;
    files = {shared + "Pipeline-high-100000-train.npz"};
  }

  augur::Executor executor(0);
  std::fprintf(stderr, "%s", augur::ToString(augur::GetSystemInfo()).c_str());
  nlohmann::json results = nlohmann::json::array();
  std::printf("%-40s %2s %8s %8s | %10s %10s %12s | %10s %10s | %8s\n", "dataset", "k", "train", "held-out", "ens MSE",
              "ens NLL", "open-loop", "lin MSE", "lin NLL", "train s");
  for (const std::string& path : files) {
    if (!std::filesystem::exists(path)) {
      std::printf("%-40s skipped: file not found\n", std::filesystem::path(path).filename().c_str());
      continue;
    }
    const augur::data::Dataset raw = augur::data::Load(path);
    for (const int k : history) {
      const augur::data::Dataset all = augur::models::StackHistory(raw, k);
      const int64_t o = raw.obs_dim();
      // Columns scored: the newest observation block's delta and the reward (the last column).
      std::vector<int64_t> cols;
      for (int64_t i = (k - 1) * o; i < k * o; ++i) cols.push_back(i);
      cols.push_back(all.obs_dim());
      const at::Tensor scored = at::tensor(cols, at::kLong);
      const int64_t split_episode = all.num_episodes() * 8 / 10;
      augur::data::Dataset train = all.SliceEpisodes(0, split_episode);
      const augur::data::Dataset test = all.SliceEpisodes(split_episode, all.num_episodes());
      if (train.size() > max_train) train = train.Slice(0, max_train);
      const auto tr = augur::models::ToTransitions(train), te = augur::models::ToTransitions(test);
      const at::Tensor target_train = at::cat({tr.next_obs - tr.obs, tr.rewards.unsqueeze(1)}, 1);
      const at::Tensor target_test = at::cat({te.next_obs - te.obs, te.rewards.unsqueeze(1)}, 1);
      const at::Tensor scale = target_train.std(0).clamp_min(1e-6).index_select(0, scored);

      // Linear least squares on [obs, action, 1].
      auto design = [](const augur::models::TransitionBatch& b) {
        return at::cat({b.obs, b.actions, at::ones({b.obs.size(0), 1})}, 1).to(at::kDouble);
      };
      const at::Tensor x = design(tr), y = target_train.to(at::kDouble);
      const at::Tensor w = std::get<0>(at::linalg_lstsq(x, y));
      const at::Tensor residual_var = (x.mm(w) - y).pow(2).mean(0).clamp_min(1e-12);
      const at::Tensor lin_mean = design(te).mm(w).to(at::kFloat);
      const Metrics lin = Score(lin_mean.index_select(1, scored),
                                residual_var.to(at::kFloat).expand_as(lin_mean).index_select(1, scored),
                                target_test.index_select(1, scored), scale);

      // The ensemble.
      auto model = augur::models::Create(spec, all.obs_dim(), all.action_dim());
      augur::models::TrainOptions options;
      options.max_epochs = epochs;
      const auto start = std::chrono::steady_clock::now();
      model->Train(tr, options, nullptr);
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      const auto& ensemble = dynamic_cast<const augur::models::EnsembleModel&>(*model);  // before the move below
      const auto p = ensemble.Predict(te.obs, te.actions);  // [E, B, O + 1]
      const at::Tensor mean = p.mean.mean(0);
      const at::Tensor var = (p.std.pow(2) + p.mean.pow(2)).mean(0) - mean.pow(2);
      const Metrics ens = Score(mean.index_select(1, scored), var.clamp_min(1e-12).index_select(1, scored),
                                target_test.index_select(1, scored), scale);
      const std::shared_ptr<const augur::WorldModel> shared(std::move(model));
      const augur::models::HistoryModel wrapped(shared, o, raw.action_dim(), k);
      const at::Tensor obs_scale = raw.observations().std(0).clamp_min(1e-6);
      const double open = OpenLoopRmse(wrapped, test, o, k, open_loop, obs_scale);

      const std::string name = std::filesystem::path(path).filename().string();
      std::printf("%-40s %2d %8lld %8lld | %10.4g %10.4g %12.4g | %10.4g %10.4g | %8.1f\n", name.c_str(), k,
                  static_cast<long long>(train.size()), static_cast<long long>(test.size()), ens.mse, ens.nll, open,
                  lin.mse, lin.nll, seconds);
      std::fflush(stdout);
      results.push_back({{"dataset", name},
                         {"train_rows", train.size()},
                         {"heldout_rows", test.size()},
                         {"model", spec},
                         {"history_k", k},
                         {"open_loop_rmse", open},
                         {"open_loop_horizon", open_loop},
                         {"epochs", epochs},
                         {"ensemble", {{"mse", ens.mse}, {"nll", ens.nll}, {"train_seconds", seconds}}},
                         {"linear", {{"mse", lin.mse}, {"nll", lin.nll}}}});
    }
  }
  if (!json_out.empty()) std::ofstream(json_out) << results.dump(2) << "\n";
  return 0;
}
