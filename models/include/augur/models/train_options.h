// Options of supervised world-model training and the per-epoch report it returns (JSON-serializable).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace augur::models {

struct TrainOptions {
  int max_epochs = 100;            // upper bound on epochs; early stopping usually ends sooner
  int batch_size = 256;            // rows per member per gradient step
  double learning_rate = 1e-3;     // Adam step size
  // Adam weight decay per hidden layer, then the output layer (MBPO's values); shorter lists repeat their last
  // value, an empty list means no decay.
  std::vector<double> weight_decay = {2.5e-5, 5e-5, 7.5e-5, 7.5e-5, 1e-4};
  double holdout_ratio = 0.2;      // fraction of rows held out for early stopping and elite selection, [0, 0.5]
  int64_t max_holdout = 5000;      // cap on held-out rows
  int patience = 5;                // stop after this many epochs in which no member improved by > min_improvement
  double min_improvement = 0.01;   // relative held-out loss improvement that counts (1 %)
  double logvar_bound_weight = 0.01;  // weight of sum(max_logvar) - sum(min_logvar) in the loss
  bool bootstrap = true;           // each member trains on its own resample (with replacement) of the train split
  uint64_t seed = 0;               // split, bootstrap, shuffling and initialization
  std::string data_digest;         // caller-given digest of the training data, stored in the ModelCard
  // Epochs of the termination classifier, trained (BCE, positives re-weighted) only when the env has no known
  // termination rule and some terminals are set; 0 = never learn one.
  int termination_epochs = 30;

  // Throws ConfigError naming the option and its allowed range.
  void Validate() const;
};

struct EpochMetrics {
  int epoch = 0;                         // 1-based
  double train_nll = 0;                  // mean Gaussian NLL per member and output (normalized targets)
  std::vector<double> holdout_nll;       // [E] held-out NLL per member
  std::vector<double> holdout_mse;       // [E] held-out MSE per member (normalized targets)
  double seconds = 0;                    // wall time of the epoch, training + evaluation
  double samples_per_second = 0;         // member-rows per second through the training step
  std::map<std::string, double> extra;   // family-specific metrics (vq: prior_nll, codes_used, perplexity)
};

struct TrainReport {
  std::vector<EpochMetrics> epochs;      // one per epoch run
  std::vector<double> best_holdout_mse;  // [E] per member, at its kept parameters
  std::vector<int> best_epoch;           // [E] epoch whose parameters each member kept (0 = initialization)
  std::vector<int64_t> elites;           // indices of the elite members, best first
  bool stopped_early = false;            // true when patience ended training before max_epochs
  int64_t train_rows = 0;                // rows in the train split
  int64_t holdout_rows = 0;              // rows in the held-out split
  double seconds = 0;                    // total wall time
};

void to_json(nlohmann::json& j, const EpochMetrics& m);
void from_json(const nlohmann::json& j, EpochMetrics& m);
void to_json(nlohmann::json& j, const TrainReport& r);
void from_json(const nlohmann::json& j, TrainReport& r);

}  // namespace augur::models
