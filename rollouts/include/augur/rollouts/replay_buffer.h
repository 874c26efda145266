// ReplayBuffer: a fixed-capacity ring buffer of transitions (the synthetic buffer of MBPO-style training).
// Rows are preallocated float tensors; Add overwrites the oldest rows once full; Sample draws uniformly with
// replacement from the rows held, from a caller's Rng (reproducible for a seed).
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>

#include "augur/core/rng.h"

namespace augur::rollouts {

struct TransitionRows {
  at::Tensor observations;       // [n, O]
  at::Tensor actions;            // [n, A]
  at::Tensor rewards;            // [n]
  at::Tensor next_observations;  // [n, O]
  at::Tensor dones;              // [n] float 0/1
  int64_t size() const { return rewards.defined() ? rewards.size(0) : 0; }
};

class ReplayBuffer {
 public:
  // Throws ConfigError unless capacity, obs_dim and action_dim are >= 1.
  ReplayBuffer(int64_t capacity, int64_t obs_dim, int64_t action_dim);

  int64_t capacity() const { return capacity_; }
  int64_t size() const { return size_; }
  // Appends rows (float CPU tensors of matching shapes; ShapeError otherwise), overwriting the oldest.
  void Add(const TransitionRows& rows);
  // `n` rows drawn uniformly with replacement. Throws StateError when the buffer is empty.
  TransitionRows Sample(int64_t n, Rng& rng) const;
  // Rows at `indices` [n] int64 in [0, size()).
  TransitionRows Gather(const at::Tensor& indices) const;

 private:
  int64_t capacity_, obs_dim_, action_dim_;
  int64_t size_ = 0, next_ = 0;
  TransitionRows data_;
};

}  // namespace augur::rollouts
