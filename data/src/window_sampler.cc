#include "augur/data/window_sampler.h"

#include <ATen/ATen.h>

#include <algorithm>

#include "augur/core/error.h"
#include "augur/core/rng.h"

namespace augur::data {

WindowSampler::WindowSampler(const Dataset& dataset, int64_t length, uint64_t seed, uint64_t stream)
    : dataset_(dataset), length_(length), seed_(seed), stream_(stream) {
  if (length < 1) throw ConfigError(StrCat("WindowSampler: length ", length, " must be >= 1"));
  int64_t longest = 0;
  for (int64_t e = 0; e < dataset.num_episodes(); ++e) {
    const int64_t len = dataset.EpisodeLength(e);
    longest = std::max(longest, len);
    if (len < length) {
      ++skipped_episodes_;
      continue;
    }
    episode_begin_.push_back(dataset.EpisodeBegin(e));
    num_windows_ += len - length + 1;
    cumulative_windows_.push_back(num_windows_);
  }
  if (num_windows_ == 0) {
    throw ConfigError(StrCat("WindowSampler: no episode has ", length, " steps (the longest of ",
                             dataset.num_episodes(), " has ", longest, "); use a shorter window"));
  }
}

at::Tensor WindowSampler::SampleStarts(int64_t batch) {
  if (batch < 1) throw ConfigError(StrCat("WindowSampler: batch ", batch, " must be >= 1"));
  Rng rng(seed_, StreamId({stream_, calls_++}));
  at::Tensor starts = at::empty({batch}, at::kLong);
  int64_t* p = starts.data_ptr<int64_t>();
  for (int64_t i = 0; i < batch; ++i) {
    const auto w = static_cast<int64_t>(rng.UniformInt(static_cast<uint64_t>(num_windows_)));
    // Episode holding window w: first cumulative count above w.
    const auto it = std::upper_bound(cumulative_windows_.begin(), cumulative_windows_.end(), w);
    const auto e = it - cumulative_windows_.begin();
    const int64_t before = e == 0 ? 0 : cumulative_windows_[e - 1];
    p[i] = episode_begin_[e] + (w - before);
  }
  return starts;
}

WindowBatch WindowSampler::Sample(int64_t batch) { return Gather(SampleStarts(batch)); }

WindowBatch WindowSampler::Gather(const at::Tensor& starts) const {
  if (starts.dim() != 1) throw ShapeError("WindowSampler::Gather needs starts of shape [B]");
  at::Tensor cpu = starts.to(at::kCPU).to(at::kLong).contiguous();
  const std::vector<int64_t>& ep = dataset_.episode_starts();
  for (int64_t i = 0; i < cpu.size(0); ++i) {
    const int64_t s = cpu.data_ptr<int64_t>()[i];
    const auto it = std::upper_bound(ep.begin(), ep.end(), s);
    const int64_t e = (it - ep.begin()) - 1;
    if (s < 0 || s >= dataset_.size() || s + length_ > dataset_.EpisodeEnd(e)) {
      throw RangeError(StrCat("WindowSampler::Gather: a window of ", length_, " steps at row ", s,
                              " crosses an episode end or the dataset end (", dataset_.size(), " rows)"));
    }
  }
  at::Tensor rows = cpu.unsqueeze(1) + at::arange(length_, at::kLong).unsqueeze(0);  // [B, L]
  at::Tensor flat = rows.reshape({-1}).to(dataset_.rewards().device());
  const int64_t b = starts.size(0);
  auto take = [&](const at::Tensor& col) {
    at::Tensor g = col.index_select(0, flat);
    std::vector<int64_t> shape = {b, length_};
    for (int64_t i = 1; i < g.dim(); ++i) shape.push_back(g.size(i));
    return g.reshape(shape);
  };
  WindowBatch w;
  w.starts = starts;
  w.observations = take(dataset_.observations());
  w.actions = take(dataset_.actions());
  w.rewards = take(dataset_.rewards());
  w.terminals = take(dataset_.terminals());
  w.timeouts = take(dataset_.timeouts());
  w.next_observations = take(dataset_.next_observations());
  return w;
}

}  // namespace augur::data
