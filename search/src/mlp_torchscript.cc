// The only search TU with the heavy torch headers: reads an MLP's Linear layers from a TorchScript module, and
// runs a TorchScript module as an evaluator.
#include <torch/cuda.h>
#include <torch/script.h>
#include <torch/version.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "augur/core/error.h"
#include "augur/search/mlp_evaluator.h"
#include "augur/search/torchscript_evaluator.h"

namespace augur::search {

MlpWeights LoadMlpWeights(const std::string& torchscript_path, MlpActivation activation) {
  if (!std::filesystem::exists(torchscript_path)) {
    throw IoError(StrCat("LoadMlpWeights: no file '", torchscript_path, "'"));
  }
  torch::jit::Module module;
  try {
    module = torch::jit::load(torchscript_path, torch::kCPU);
  } catch (const c10::Error& e) {
    throw IoError(
        StrCat("LoadMlpWeights: '", torchscript_path, "' is not a TorchScript module: ", e.what_without_backtrace()));
  }
  std::vector<at::Tensor> tensors;
  std::vector<std::string> names;
  for (const auto& p : module.named_parameters(/*recurse=*/true)) {
    names.push_back(p.name);
    tensors.push_back(p.value.detach().to(torch::kFloat).contiguous());
  }
  if (tensors.empty() || tensors.size() % 2 != 0) {
    throw DataError(StrCat("LoadMlpWeights: '", torchscript_path, "' has ", tensors.size(),
                           " parameters; a stack of Linear layers has a weight and a bias per layer"));
  }
  MlpWeights w;
  w.activation = activation;
  for (size_t i = 0; i < tensors.size(); i += 2) {
    const at::Tensor& weight = tensors[i];
    const at::Tensor& bias = tensors[i + 1];
    if (weight.dim() != 2 || bias.dim() != 1 || bias.size(0) != weight.size(0)) {
      throw DataError(StrCat("LoadMlpWeights: parameters '", names[i], "' ", weight.sizes(), " and '", names[i + 1],
                             "' ", bias.sizes(), " are not a Linear layer's weight [out, in] and bias [out]"));
    }
    if (w.sizes.empty()) w.sizes.push_back(weight.size(1));
    if (weight.size(1) != w.sizes.back()) {
      throw DataError(StrCat("LoadMlpWeights: layer '", names[i], "' takes ", weight.size(1),
                             " inputs but the layer before gives ", w.sizes.back()));
    }
    w.sizes.push_back(weight.size(0));
    w.weight.emplace_back(weight.data_ptr<float>(), weight.data_ptr<float>() + weight.numel());
    w.bias.emplace_back(bias.data_ptr<float>(), bias.data_ptr<float>() + bias.numel());
  }
  w.Validate();
  return w;
}

struct TorchScriptEvaluator::Impl {
  torch::jit::Module module;
  at::Device device = at::kCPU;
  std::string path;

  // forward(states) as a float32 CPU tensor [rows, cols]; ShapeError when it is not a matrix of `rows` rows.
  at::Tensor Forward(const float* states, int64_t rows, int64_t state_dim) {
    c10::InferenceMode guard;
    at::Tensor x = at::from_blob(const_cast<float*>(states), {rows, state_dim}, at::kFloat);
    if (device != at::kCPU) x = x.to(device);
    c10::IValue out;
    try {
      out = module.forward({x});
    } catch (const std::exception& e) {
      // c10::Error from an operator, std::runtime_error from the TorchScript interpreter (with its traceback).
      throw ShapeError(StrCat("TorchScriptEvaluator: '", path, "' failed on states [", rows, ", ", state_dim,
                              "] (is state_dim right?): ", e.what()));
    }
    if (!out.isTensor()) {
      throw ShapeError(StrCat("TorchScriptEvaluator: '", path, "' forward returned ", out.tagKind(),
                              "; it must return one tensor [B, 1 + K] (value, then K prior logits)"));
    }
    at::Tensor y = out.toTensor();
    if (y.dim() != 2 || y.size(0) != rows) {
      throw ShapeError(StrCat("TorchScriptEvaluator: '", path, "' returned ", y.sizes(), " for states [", rows, ", ",
                              state_dim, "]; it must return [", rows, ", 1 + K] (value, then K prior logits)"));
    }
    return y.to(at::kCPU, at::kFloat).contiguous();
  }
};

TorchScriptEvaluator::TorchScriptEvaluator(const std::string& path, int64_t state_dim, const std::string& device)
    : impl_(std::make_unique<Impl>()), state_dim_(state_dim) {
  if (state_dim < 1) throw ConfigError(StrCat("TorchScriptEvaluator: state_dim = ", state_dim, " must be >= 1"));
  if (!std::filesystem::exists(path)) throw IoError(StrCat("TorchScriptEvaluator: no file '", path, "'"));
  impl_->path = path;
  try {
    impl_->device = at::Device(device);
  } catch (const c10::Error&) {
    throw ConfigError(StrCat("TorchScriptEvaluator: unknown device '", device, "'; use cpu, cuda or cuda:N"));
  }
  if (impl_->device.is_cuda() && !torch::cuda::is_available()) {
    throw ConfigError(StrCat("TorchScriptEvaluator: device '", device,
                             "' asked for but this LibTorch sees no CUDA device; use cpu"));
  }
  if (!impl_->device.is_cpu() && !impl_->device.is_cuda()) {
    throw ConfigError(StrCat("TorchScriptEvaluator: device '", device, "' is not supported; use cpu, cuda or cuda:N"));
  }
  try {
    impl_->module = torch::jit::load(path, impl_->device);
  } catch (const c10::Error& e) {
    throw IoError(StrCat("TorchScriptEvaluator: '", path, "' is not a TorchScript module this LibTorch (",
                         TORCH_VERSION, ") can load: ", e.what_without_backtrace()));
  }
  impl_->module.eval();
  const std::vector<float> zero(static_cast<size_t>(state_dim), 0.f);
  const at::Tensor probe = impl_->Forward(zero.data(), 1, state_dim);
  num_actions_ = probe.size(1) - 1;
  if (num_actions_ < 1) {
    throw ShapeError(StrCat("TorchScriptEvaluator: '", path, "' returned ", probe.sizes(),
                            " for one state; it must return [B, 1 + K] with K >= 1 prior logits"));
  }
}

TorchScriptEvaluator::~TorchScriptEvaluator() = default;

int64_t TorchScriptEvaluator::Evaluate(std::span<const float> states, int64_t batch, uint64_t, uint64_t,
                                       std::span<float> values, std::span<float> priors, Scratch&) {
  if (batch <= 0) return 0;
  const int64_t k = num_actions_;
  if (static_cast<int64_t>(states.size()) < batch * state_dim_ || static_cast<int64_t>(values.size()) < batch ||
      static_cast<int64_t>(priors.size()) < batch * k) {
    throw ShapeError(StrCat("TorchScriptEvaluator::Evaluate: batch ", batch, " needs ", batch * state_dim_,
                            " state floats, ", batch, " values and ", batch * k, " priors; got ", states.size(), ", ",
                            values.size(), " and ", priors.size()));
  }
  const at::Tensor out = impl_->Forward(states.data(), batch, state_dim_);
  if (out.size(1) != 1 + k) {
    throw ShapeError(StrCat("TorchScriptEvaluator: '", impl_->path, "' returned ", out.sizes(), " for a batch of ",
                            batch, " after [1, ", 1 + k, "] for one state; the output width must not change"));
  }
  const float* y = out.data_ptr<float>();
  for (int64_t r = 0; r < batch; ++r) {
    const float* row = y + r * (1 + k);
    float* prior = priors.data() + r * k;
    float top = row[1];
    bool finite = std::isfinite(row[0]);
    for (int64_t j = 1; j <= k; ++j) {
      finite = finite && std::isfinite(row[j]);
      top = std::max(top, row[j]);
    }
    if (!finite) {
      throw DataError(StrCat("TorchScriptEvaluator: '", impl_->path, "' returned a NaN or infinite value or logit ",
                             "for row ", r, " of a batch of ", batch));
    }
    values[r] = row[0];
    float sum = 0.f;
    for (int64_t j = 0; j < k; ++j) sum += prior[j] = std::exp(row[1 + j] - top);
    for (int64_t j = 0; j < k; ++j) prior[j] /= sum;
  }
  return 0;
}

}  // namespace augur::search
