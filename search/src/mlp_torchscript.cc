// The only search TU with the heavy torch headers: reads an MLP's Linear layers from a TorchScript module.
#include <torch/script.h>

#include <filesystem>

#include "augur/core/error.h"
#include "augur/search/mlp_evaluator.h"

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

}  // namespace augur::search
