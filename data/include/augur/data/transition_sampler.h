// TransitionSampler: uniform minibatches of transitions, with replacement, reproducible for a seed.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>

#include "augur/core/rng.h"
#include "augur/data/dataset.h"

namespace augur::data {

// A minibatch of rows gathered from a dataset.
struct TransitionBatch {
  at::Tensor indices;            // [B] int64 rows
  at::Tensor observations;       // [B, O]
  at::Tensor actions;            // [B, A]
  at::Tensor rewards;            // [B]
  at::Tensor terminals;          // [B] bool
  at::Tensor timeouts;           // [B] bool
  at::Tensor next_observations;  // [B, O]
};

// Gathers rows `indices` [B] int64 of a dataset; the batch lives on the dataset's device.
TransitionBatch Gather(const Dataset& dataset, const at::Tensor& indices);

class TransitionSampler {
 public:
  // Samples rows of `dataset` (kept by reference: it must outlive the sampler). The k-th call draws from
  // Rng(seed, StreamId({stream, k})): batches depend only on (seed, stream, call count).
  TransitionSampler(const Dataset& dataset, uint64_t seed, uint64_t stream = 0);

  // [batch] int64 row indices, uniform over [0, N). Throws ConfigError for batch < 1 or an empty dataset.
  at::Tensor SampleIndices(int64_t batch);
  TransitionBatch Sample(int64_t batch);

 private:
  const Dataset& dataset_;
  uint64_t seed_, stream_;
  uint64_t calls_ = 0;
};

}  // namespace augur::data
