#include "augur/models/ensemble/ensemble_weights.h"

#include <ATen/ATen.h>

#include <cmath>

#include "augur/core/torch_rng.h"

namespace augur::models {

EnsembleWeights EnsembleWeights::Init(const EnsembleOptions& options, int64_t obs_dim, int64_t action_dim,
                                      uint64_t seed) {
  at::Generator gen = MakeCpuGenerator(seed, /*stream=*/0x1417);
  EnsembleWeights w;
  const int64_t in = obs_dim + action_dim, d = obs_dim + 1;
  int64_t prev = in;
  for (int64_t l = 0; l <= options.layers; ++l) {
    const int64_t out = l < options.layers ? options.hidden : 2 * d;
    // Truncated normal (cut at 2 std) with std 1 / (2 sqrt(in)), as MBPO initializes its ensemble layers.
    const double std = 1.0 / (2.0 * std::sqrt(static_cast<double>(prev)));
    w.weight.push_back(at::randn({options.members, prev, out}, gen, at::kFloat).clamp_(-2, 2).mul_(std));
    w.bias.push_back(at::zeros({options.members, 1, out}, at::kFloat));
    prev = out;
  }
  w.max_logvar = at::full({d}, options.max_logvar_init, at::kFloat);
  w.min_logvar = at::full({d}, options.min_logvar_init, at::kFloat);
  w.input_mean = at::zeros({in}, at::kFloat);
  w.input_std = at::ones({in}, at::kFloat);
  w.target_mean = at::zeros({d}, at::kFloat);
  w.target_std = at::ones({d}, at::kFloat);
  return w;
}

EnsembleWeights EnsembleWeights::Select(const std::vector<int64_t>& members, const at::Device& device) const {
  at::Tensor index = at::tensor(members, at::kLong);
  EnsembleWeights w;
  for (size_t l = 0; l < weight.size(); ++l) {
    w.weight.push_back(weight[l].detach().index_select(0, index).contiguous().to(device));
    w.bias.push_back(bias[l].detach().index_select(0, index).contiguous().to(device));
  }
  w.max_logvar = max_logvar.detach().to(device);
  w.min_logvar = min_logvar.detach().to(device);
  w.input_mean = input_mean.to(device);
  w.input_std = input_std.to(device);
  w.target_mean = target_mean.to(device);
  w.target_std = target_std.to(device);
  return w;
}

EnsembleOutput ForwardEnsemble(const EnsembleWeights& w, Activation activation, const at::Tensor& x) {
  at::Tensor h = x;  // [E, n, In]
  const size_t last = w.weight.size() - 1;
  for (size_t l = 0; l < last; ++l) {
    h = at::baddbmm(w.bias[l], h, w.weight[l]);  // [E, n, H]
    h = activation == Activation::kSilu ? at::silu(h) : at::relu(h);
  }
  at::Tensor out = at::baddbmm(w.bias[last], h, w.weight[last]);  // [E, n, 2D]
  const int64_t d = out.size(-1) / 2;
  EnsembleOutput o;
  o.mean = out.narrow(-1, 0, d);  // [E, n, D]
  at::Tensor logvar = out.narrow(-1, d, d);
  logvar = w.max_logvar - at::softplus(w.max_logvar - logvar);
  o.logvar = w.min_logvar + at::softplus(logvar - w.min_logvar);  // [E, n, D]
  return o;
}

}  // namespace augur::models
