#include "augur/models/vq/vq_network.h"

#include <ATen/ATen.h>

#include <cmath>

#include "augur/core/error.h"
#include "augur/core/torch_rng.h"

namespace augur::models {
namespace {

MlpWeights InitMlp(int64_t in, int64_t hidden, int64_t layers, int64_t out, at::Generator& gen) {
  MlpWeights mlp;
  int64_t prev = in;
  for (int64_t l = 0; l <= layers; ++l) {
    const int64_t next = l == layers ? out : hidden;
    const double bound = 1.0 / std::sqrt(static_cast<double>(prev));
    mlp.weight.push_back(at::rand({prev, next}, gen, at::kFloat) * (2 * bound) - bound);
    mlp.bias.push_back(at::rand({next}, gen, at::kFloat) * (2 * bound) - bound);
    prev = next;
  }
  return mlp;
}

MlpWeights MlpTo(const MlpWeights& m, const at::Device& device) {
  MlpWeights out;
  for (const auto& t : m.weight) out.weight.push_back(t.detach().to(device).clone());
  for (const auto& t : m.bias) out.bias.push_back(t.detach().to(device).clone());
  return out;
}

}  // namespace

at::Tensor MlpForward(const MlpWeights& mlp, const at::Tensor& x) {
  at::Tensor h = x;
  const size_t last = mlp.weight.size() - 1;
  for (size_t l = 0; l <= last; ++l) {
    h = at::addmm(mlp.bias[l], h, mlp.weight[l]);
    if (l < last) h = at::silu(h);
  }
  return h;
}

int64_t VqFeatureDim(const VqOptions& options, int64_t state_dim, int64_t action_dim) {
  return state_dim + (options.actions > 0 ? options.actions : action_dim);
}

VqWeights VqWeights::Init(const VqOptions& o, int64_t s, int64_t a, uint64_t seed) {
  at::Generator gen = MakeCpuGenerator(seed, /*stream=*/0x5e9);
  const int64_t f = VqFeatureDim(o, s, a);
  VqWeights w;
  w.encoder = InitMlp(f + s + 2, o.hidden, o.layers, o.code_dim, gen);
  w.prior = InitMlp(f, o.hidden, o.layers, o.codes, gen);
  w.decoder = InitMlp(f + o.code_dim, o.hidden, o.layers, s + 2, gen);
  w.codebook = at::randn({o.codes, o.code_dim}, gen, at::kFloat);
  w.input_mean = at::zeros({s + a});
  w.input_std = at::ones({s + a});
  w.target_mean = at::zeros({s + 1});
  w.target_std = at::ones({s + 1});
  return w;
}

void VqWeights::ForEachParameter(const std::function<void(const std::string&, at::Tensor&)>& f) {
  auto each = [&](const char* name, MlpWeights& m) {
    for (size_t l = 0; l < m.weight.size(); ++l) {
      f(StrCat(name, ".", l, ".weight"), m.weight[l]);
      f(StrCat(name, ".", l, ".bias"), m.bias[l]);
    }
  };
  each("encoder", encoder);
  each("prior", prior);
  each("decoder", decoder);
  f("codebook", codebook);
}

VqWeights VqWeights::To(const at::Device& device) const {
  VqWeights w;
  w.encoder = MlpTo(encoder, device);
  w.prior = MlpTo(prior, device);
  w.decoder = MlpTo(decoder, device);
  w.codebook = codebook.detach().to(device).clone();
  w.input_mean = input_mean.detach().to(device).clone();
  w.input_std = input_std.detach().to(device).clone();
  w.target_mean = target_mean.detach().to(device).clone();
  w.target_std = target_std.detach().to(device).clone();
  return w;
}

at::Tensor VqFeatures(const VqWeights& w, const VqOptions& o, const at::Tensor& state, const at::Tensor& action) {
  const int64_t s = state.size(1);
  const at::Tensor sn = (state - w.input_mean.narrow(0, 0, s)) / w.input_std.narrow(0, 0, s);
  if (o.actions > 0) {
    const at::Tensor index = action.select(1, 0).to(at::kLong);
    return at::cat({sn, at::one_hot(index, o.actions).to(sn.scalar_type())}, 1);
  }
  const int64_t a = action.size(1);
  return at::cat({sn, (action - w.input_mean.narrow(0, s, a)) / w.input_std.narrow(0, s, a)}, 1);
}

}  // namespace augur::models
