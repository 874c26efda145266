// WindowSampler: fixed-length windows of consecutive steps for sequence and diffusion models. A window never
// crosses an episode boundary; episodes shorter than the window are skipped (never padded), and
// skipped_episodes() says how many.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

#include "augur/data/dataset.h"

namespace augur::data {

// B windows of L steps.
struct WindowBatch {
  at::Tensor starts;             // [B] int64 first row of each window
  at::Tensor observations;       // [B, L, O]
  at::Tensor actions;            // [B, L, A]
  at::Tensor rewards;            // [B, L]
  at::Tensor terminals;          // [B, L] bool (true only at the last step of an episode)
  at::Tensor timeouts;           // [B, L] bool
  at::Tensor next_observations;  // [B, L, O]
};

class WindowSampler {
 public:
  // Windows of `length` steps of `dataset` (kept by reference: it must outlive the sampler). Every valid
  // window start is equally likely. The k-th call draws from Rng(seed, StreamId({stream, k})).
  // Throws ConfigError when length < 1 or no episode is at least `length` steps long (naming the longest).
  WindowSampler(const Dataset& dataset, int64_t length, uint64_t seed, uint64_t stream = 0);

  // [batch] int64 window starts.
  at::Tensor SampleStarts(int64_t batch);
  WindowBatch Sample(int64_t batch);
  // The windows starting at `starts` [B] (e.g. for a deterministic sweep).
  WindowBatch Gather(const at::Tensor& starts) const;

  int64_t length() const { return length_; }
  int64_t num_windows() const { return num_windows_; }        // valid window starts
  int64_t skipped_episodes() const { return skipped_episodes_; }  // episodes shorter than the window

 private:
  const Dataset& dataset_;
  int64_t length_;
  uint64_t seed_, stream_;
  uint64_t calls_ = 0;
  // Episodes with at least one window: first row and cumulative window count (for uniform sampling).
  std::vector<int64_t> episode_begin_, cumulative_windows_;
  int64_t num_windows_ = 0;
  int64_t skipped_episodes_ = 0;
};

}  // namespace augur::data
