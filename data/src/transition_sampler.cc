#include "augur/data/transition_sampler.h"

#include <ATen/ATen.h>

#include "augur/core/error.h"

namespace augur::data {

TransitionBatch Gather(const Dataset& d, const at::Tensor& cpu_indices) {
  // Index on the dataset's device (the columns may live on CUDA).
  const at::Tensor indices = cpu_indices.to(d.rewards().device());
  TransitionBatch b;
  b.indices = indices;
  b.observations = d.observations().index_select(0, indices);
  b.actions = d.actions().index_select(0, indices);
  b.rewards = d.rewards().index_select(0, indices);
  b.terminals = d.terminals().index_select(0, indices);
  b.timeouts = d.timeouts().index_select(0, indices);
  b.next_observations = d.next_observations().index_select(0, indices);
  return b;
}

TransitionSampler::TransitionSampler(const Dataset& dataset, uint64_t seed, uint64_t stream)
    : dataset_(dataset), seed_(seed), stream_(stream) {}

at::Tensor TransitionSampler::SampleIndices(int64_t batch) {
  if (batch < 1) throw ConfigError(StrCat("TransitionSampler: batch ", batch, " must be >= 1"));
  if (dataset_.empty()) throw ConfigError("TransitionSampler: the dataset is empty");
  Rng rng(seed_, StreamId({stream_, calls_++}));
  at::Tensor idx = at::empty({batch}, at::kLong);
  int64_t* p = idx.data_ptr<int64_t>();
  const auto n = static_cast<uint64_t>(dataset_.size());
  for (int64_t i = 0; i < batch; ++i) p[i] = static_cast<int64_t>(rng.UniformInt(n));
  return idx;
}

TransitionBatch TransitionSampler::Sample(int64_t batch) { return Gather(dataset_, SampleIndices(batch)); }

}  // namespace augur::data
