// TransitionBatch: the plain training input of learned dynamics models (an adapter from data::Dataset comes later).
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <span>

namespace augur::models {

struct TransitionBatch {
  at::Tensor obs;        // [N, O] float
  at::Tensor actions;    // [N, A] float
  at::Tensor next_obs;   // [N, O] float
  at::Tensor rewards;    // [N] float
  at::Tensor terminals;  // [N] float or bool (1 = the transition ended the episode); may be undefined

  int64_t size() const { return obs.defined() ? obs.size(0) : 0; }

  // Copies of row-major buffers: obs and next_obs [N * obs_dim], actions [N * action_dim], rewards and
  // terminals [N] (terminals may be empty: undefined). Sizes are checked by Validate, not here.
  static TransitionBatch FromRows(int64_t obs_dim, int64_t action_dim, std::span<const float> obs,
                                  std::span<const float> actions, std::span<const float> next_obs,
                                  std::span<const float> rewards, std::span<const float> terminals);

  // Throws ShapeError (naming the column and both shapes) when a column does not match [N, obs_dim],
  // [N, action_dim] or [N], and DataError naming the column and the first bad row on NaN or Inf.
  void Validate(int64_t obs_dim, int64_t action_dim) const;
};

}  // namespace augur::models
