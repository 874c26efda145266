#include "augur/models/train_options.h"

#include <nlohmann/json.hpp>

#include "augur/core/error.h"

namespace augur::models {

void TrainOptions::Validate() const {
  if (max_epochs < 1) throw ConfigError(StrCat("train: max_epochs = ", max_epochs, " must be >= 1"));
  if (batch_size < 1) throw ConfigError(StrCat("train: batch_size = ", batch_size, " must be >= 1"));
  if (!(learning_rate > 0)) throw ConfigError(StrCat("train: learning_rate = ", learning_rate, " must be > 0"));
  for (double wd : weight_decay) {
    if (!(wd >= 0)) throw ConfigError(StrCat("train: weight_decay entry ", wd, " must be >= 0"));
  }
  if (!(holdout_ratio >= 0 && holdout_ratio <= 0.5)) {
    throw ConfigError(StrCat("train: holdout_ratio = ", holdout_ratio, " must be in [0, 0.5]"));
  }
  if (max_holdout < 0) throw ConfigError(StrCat("train: max_holdout = ", max_holdout, " must be >= 0"));
  if (termination_epochs < 0) {
    throw ConfigError(StrCat("train: termination_epochs = ", termination_epochs, " must be >= 0"));
  }
  if (patience < 1) throw ConfigError(StrCat("train: patience = ", patience, " must be >= 1"));
  if (!(min_improvement >= 0)) {
    throw ConfigError(StrCat("train: min_improvement = ", min_improvement, " must be >= 0"));
  }
  if (!(logvar_bound_weight >= 0)) {
    throw ConfigError(StrCat("train: logvar_bound_weight = ", logvar_bound_weight, " must be >= 0"));
  }
}

void to_json(nlohmann::json& j, const EpochMetrics& m) {
  j = {{"epoch", m.epoch},          {"train_nll", m.train_nll}, {"holdout_nll", m.holdout_nll},
       {"holdout_mse", m.holdout_mse}, {"seconds", m.seconds},   {"samples_per_second", m.samples_per_second}};
  if (!m.extra.empty()) j["extra"] = m.extra;
}

void from_json(const nlohmann::json& j, EpochMetrics& m) {
  j.at("epoch").get_to(m.epoch);
  j.at("train_nll").get_to(m.train_nll);
  j.at("holdout_nll").get_to(m.holdout_nll);
  j.at("holdout_mse").get_to(m.holdout_mse);
  j.at("seconds").get_to(m.seconds);
  j.at("samples_per_second").get_to(m.samples_per_second);
  if (j.contains("extra")) j.at("extra").get_to(m.extra);
}

void to_json(nlohmann::json& j, const TrainReport& r) {
  j = {{"epochs", r.epochs},           {"best_holdout_mse", r.best_holdout_mse}, {"best_epoch", r.best_epoch},
       {"elites", r.elites},           {"stopped_early", r.stopped_early},      {"train_rows", r.train_rows},
       {"holdout_rows", r.holdout_rows}, {"seconds", r.seconds}};
}

void from_json(const nlohmann::json& j, TrainReport& r) {
  j.at("epochs").get_to(r.epochs);
  j.at("best_holdout_mse").get_to(r.best_holdout_mse);
  j.at("best_epoch").get_to(r.best_epoch);
  j.at("elites").get_to(r.elites);
  j.at("stopped_early").get_to(r.stopped_early);
  j.at("train_rows").get_to(r.train_rows);
  j.at("holdout_rows").get_to(r.holdout_rows);
  j.at("seconds").get_to(r.seconds);
}

}  // namespace augur::models
