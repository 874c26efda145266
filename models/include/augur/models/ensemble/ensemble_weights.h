// The ensemble's parameters and normalizers as plain ATen tensors: what training produces, checkpoints store
// and both inference paths read. Layers 0..L-1 are hidden (activation applied), layer L is the output layer.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

#include "augur/models/ensemble/ensemble_options.h"

namespace augur::models {

struct EnsembleWeights {
  std::vector<at::Tensor> weight;  // per layer [E, in, out]
  std::vector<at::Tensor> bias;    // per layer [E, 1, out]
  at::Tensor max_logvar;           // [D] learned soft upper bound, D = O + 1
  at::Tensor min_logvar;           // [D] learned soft lower bound
  at::Tensor input_mean;           // [O + A]
  at::Tensor input_std;            // [O + A], floored
  at::Tensor target_mean;          // [D]
  at::Tensor target_std;           // [D], floored

  int64_t members() const { return weight.empty() ? 0 : weight[0].size(0); }
  // Freshly initialized parameters (truncated normal, std 1 / (2 sqrt(in)), zero bias) and identity normalizers.
  static EnsembleWeights Init(const EnsembleOptions& options, int64_t obs_dim, int64_t action_dim, uint64_t seed);
  // The members listed in `members` (elites), in that order, on `device`.
  EnsembleWeights Select(const std::vector<int64_t>& members, const at::Device& device) const;
};

// Raw network outputs in normalized target space.
struct EnsembleOutput {
  at::Tensor mean;    // [E, n, D]
  at::Tensor logvar;  // [E, n, D], soft-bounded
};

// x: normalized inputs [E, n, O + A] -> outputs of every member on its own rows. ATen ops only.
EnsembleOutput ForwardEnsemble(const EnsembleWeights& w, Activation activation, const at::Tensor& x);

}  // namespace augur::models
