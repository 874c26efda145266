// The networks of the VQ world model as plain tensors, with one forward definition shared by training (under
// autograd) and the tensor inference path.
//
// Features f(s, a) = [(s - mean_s) / std_s, one_hot(a) or (a - mean_a) / std_a]            [B, F]
// Encoder  (f, y, done) -> z_e [B, D], y = the normalized target (s' - s, r)               (training only)
// Prior    f -> logits [B, K]                                                               p(code | s, a)
// Decoder  (f, e_code) -> [normalized (s' - s, r), done logit]  [B, S + 2]
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "augur/models/vq/vq_options.h"

namespace augur::models {

// An MLP: hidden layers with SiLU, a linear output layer. weight[l] is [in, out], bias[l] is [out].
struct MlpWeights {
  std::vector<at::Tensor> weight;
  std::vector<at::Tensor> bias;
};

// x [B, in] -> [B, out].
at::Tensor MlpForward(const MlpWeights& mlp, const at::Tensor& x);

struct VqWeights {
  MlpWeights encoder, prior, decoder;
  at::Tensor codebook;                  // [K, D]
  at::Tensor input_mean, input_std;     // [S + A] normalizer of (s, a) (the action part unused when one-hot)
  at::Tensor target_mean, target_std;   // [S + 1] normalizer of (s' - s, r)

  // Uniform(+-1/sqrt(in)) layers (nn.Linear's default) and codebook from a generator keyed by `seed`,
  // identity normalizers.
  static VqWeights Init(const VqOptions& options, int64_t state_dim, int64_t action_dim, uint64_t seed);
  // Every parameter tensor with its checkpoint name ("encoder.0.weight", ..., "codebook"); not the normalizers.
  void ForEachParameter(const std::function<void(const std::string&, at::Tensor&)>& f);
  VqWeights To(const at::Device& device) const;  // a detached copy
};

// Feature width F.
int64_t VqFeatureDim(const VqOptions& options, int64_t state_dim, int64_t action_dim);
// f(s, a) [B, F]; a discrete action is one float holding the index.
at::Tensor VqFeatures(const VqWeights& w, const VqOptions& options, const at::Tensor& state, const at::Tensor& action);

}  // namespace augur::models
