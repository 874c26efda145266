#include "augur/rollouts/replay_buffer.h"

#include <ATen/ATen.h>

#include "augur/core/error.h"
#include "augur/core/world_model.h"

namespace augur::rollouts {

ReplayBuffer::ReplayBuffer(int64_t capacity, int64_t obs_dim, int64_t action_dim)
    : capacity_(capacity), obs_dim_(obs_dim), action_dim_(action_dim) {
  if (capacity < 1 || obs_dim < 1 || action_dim < 1) {
    throw ConfigError(StrCat("ReplayBuffer: capacity = ", capacity, ", obs_dim = ", obs_dim, ", action_dim = ",
                             action_dim, " must all be >= 1"));
  }
  data_.observations = at::zeros({capacity, obs_dim});
  data_.actions = at::zeros({capacity, action_dim});
  data_.rewards = at::zeros({capacity});
  data_.next_observations = at::zeros({capacity, obs_dim});
  data_.dones = at::zeros({capacity});
}

void ReplayBuffer::Add(const TransitionRows& rows) {
  const int64_t n = rows.size();
  if (n == 0) return;
  CheckMatrix(rows.observations, n, obs_dim_, "ReplayBuffer::Add observations");
  CheckMatrix(rows.actions, n, action_dim_, "ReplayBuffer::Add actions");
  CheckMatrix(rows.next_observations, n, obs_dim_, "ReplayBuffer::Add next_observations");
  if (!rows.dones.defined() || rows.dones.numel() != n || rows.rewards.numel() != n) {
    throw ShapeError(StrCat("ReplayBuffer::Add: rewards and dones must have ", n, " entries"));
  }
  // Only the newest `capacity` rows can be kept.
  const int64_t skip = std::max<int64_t>(0, n - capacity_);
  const int64_t count = n - skip;
  at::Tensor idx = (at::arange(count, at::kLong) + next_) % capacity_;
  auto put = [&](at::Tensor& dst, const at::Tensor& src) {
    dst.index_copy_(0, idx, src.slice(0, skip, n).to(at::kFloat).reshape(dst.dim() == 1 ? at::IntArrayRef{count}
                                                                                         : at::IntArrayRef{count, dst.size(1)}));
  };
  put(data_.observations, rows.observations);
  put(data_.actions, rows.actions);
  put(data_.rewards, rows.rewards);
  put(data_.next_observations, rows.next_observations);
  put(data_.dones, rows.dones);
  next_ = (next_ + count) % capacity_;
  size_ = std::min(capacity_, size_ + count);
}

TransitionRows ReplayBuffer::Gather(const at::Tensor& indices) const {
  return {data_.observations.index_select(0, indices), data_.actions.index_select(0, indices),
          data_.rewards.index_select(0, indices), data_.next_observations.index_select(0, indices),
          data_.dones.index_select(0, indices)};
}

TransitionRows ReplayBuffer::Sample(int64_t n, Rng& rng) const {
  if (size_ == 0) throw StateError("ReplayBuffer::Sample: the buffer is empty; add rollouts first");
  at::Tensor idx = at::empty({n}, at::kLong);
  int64_t* p = idx.data_ptr<int64_t>();
  for (int64_t i = 0; i < n; ++i) p[i] = static_cast<int64_t>(rng.UniformInt(static_cast<uint64_t>(size_)));
  return Gather(idx);
}

}  // namespace augur::rollouts
