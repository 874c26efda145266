#include "augur/models/dataset_adapter.h"

#include <ATen/ATen.h>

#include "augur/core/error.h"

namespace augur::models {

TransitionBatch ToTransitions(const data::Dataset& dataset) {
  if (dataset.empty()) throw ConfigError("cannot train on an empty dataset; collect or import some data first");
  TransitionBatch batch;
  batch.obs = dataset.observations();
  batch.actions = dataset.actions();
  batch.next_obs = dataset.next_observations();
  batch.rewards = dataset.rewards();
  batch.terminals = dataset.terminals().to(at::kFloat);
  return batch;
}

}  // namespace augur::models
