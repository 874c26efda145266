#include "augur/models/torchscript_model.h"

#include <torch/script.h>
#include <torch/version.h>

#include <filesystem>
#include <mutex>

#include "augur/core/error.h"
#include "augur/models/termination.h"

namespace augur::models {

struct TorchScriptModel::Module {
  torch::jit::script::Module module;
};

void TorchScriptModelOptions::Validate() const {
  if (obs_dim < 1 || action_dim < 1) {
    throw ConfigError(StrCat("TorchScript model: obs_dim = ", obs_dim, " and action_dim = ", action_dim,
                             " must both be >= 1"));
  }
  if (action_bounds.dim() != 0 && action_bounds.dim() != action_dim) {
    throw ShapeError(StrCat("TorchScript model: action bounds have ", action_bounds.dim(), " dimensions but the model ",
                            action_dim));
  }
}

std::unique_ptr<TorchScriptModel> TorchScriptModel::Load(const std::string& path,
                                                         const TorchScriptModelOptions& options) {
  options.Validate();
  if (!std::filesystem::exists(path)) {
    throw NotFoundError(StrCat("TorchScript model file ", path, " does not exist"));
  }
  auto module = std::make_unique<Module>();
  try {
    module->module = torch::jit::load(path, torch::kCPU);
  } catch (const c10::Error& e) {
    const std::string what = e.what_without_backtrace();
    if (what.find("version") != std::string::npos) {
      throw DataError(StrCat("cannot load TorchScript file ", path, ": ", what.substr(0, what.find('\n')),
                             ". This LibTorch is ", TORCH_VERSION, "; re-export the module with PyTorch <= ",
                             TORCH_VERSION_MAJOR, ".", TORCH_VERSION_MINOR, " (torch.jit.script(m).save(path))"));
    }
    throw DataError(StrCat("cannot load TorchScript file ", path, " (corrupt or not a TorchScript archive): ",
                           what.substr(0, what.find('\n'))));
  }
  module->module.eval();
  std::unique_ptr<TorchScriptModel> model(new TorchScriptModel(std::move(module), options, path));
  // Check the signature now, with a clear message, rather than in the middle of a plan.
  at::Tensor mean, logvar, reward;
  model->Forward(at::zeros({2, options.obs_dim}), at::zeros({2, options.action_dim}), &mean, &logvar, &reward);
  return model;
}

TorchScriptModel::TorchScriptModel(std::unique_ptr<Module> module, const TorchScriptModelOptions& options,
                                   std::string path)
    : module_(std::move(module)), path_(std::move(path)), termination_(MakeTermination(options.env_id)) {
  spec_.type = "torchscript";
  spec_.state_kind = StateKind::kObservation;
  spec_.obs_dim = options.obs_dim;
  spec_.state_dim = options.obs_dim;
  spec_.action_dim = options.action_dim;
  spec_.action_space = options.action_bounds.dim() ? options.action_bounds
                                                   : Box::Uniform(options.action_dim, -INFINITY, INFINITY);
  spec_.stochastic = true;
  spec_.members = 1;
  spec_.predicts_done = termination_->can_terminate();
}

TorchScriptModel::~TorchScriptModel() = default;

at::Tensor TorchScriptModel::Encode(const at::Tensor& obs) const {
  CheckMatrix(obs, -1, spec_.obs_dim, "TorchScript model: obs");
  return obs;
}

void TorchScriptModel::Forward(const at::Tensor& state, const at::Tensor& action, at::Tensor* mean,
                               at::Tensor* logvar, at::Tensor* reward) const {
  const int64_t rows = state.size(0), s = spec_.state_dim;
  c10::IValue out;
  try {
    torch::NoGradGuard no_grad;
    // forward() is const for the module's state; jit modules are safe to call from several threads.
    out = const_cast<torch::jit::script::Module&>(module_->module).forward({state, action});
  } catch (const std::exception& e) {
    // The interpreter's message ends with the Python-side error ("RuntimeError: mat1 and mat2 shapes ...").
    std::string what = e.what();
    while (!what.empty() && (what.back() == '\n' || what.back() == ' ')) what.pop_back();
    const size_t last = what.rfind('\n');
    if (last != std::string::npos) what = what.substr(last + 1);
    throw ShapeError(StrCat("TorchScript model ", path_, ": forward(state [", rows, ", ", s, "], action [", rows,
                            ", ", spec_.action_dim, "]) failed: ", what));
  }
  const std::string expected = StrCat("augur expects forward(state, action) -> (mean [B, ", s, "], logvar [B, ", s,
                                      "], reward [B])");
  if (!out.isTuple() || out.toTuple()->elements().size() != 3) {
    throw ShapeError(StrCat("TorchScript model ", path_, " returned ", out.tagKind(), "; ", expected));
  }
  const auto& elements = out.toTuple()->elements();
  for (int i = 0; i < 3; ++i) {
    if (!elements[i].isTensor()) {
      throw ShapeError(StrCat("TorchScript model ", path_, ": output ", i, " is ", elements[i].tagKind(), "; ",
                              expected));
    }
  }
  *mean = elements[0].toTensor().to(at::kFloat);
  *logvar = elements[1].toTensor().to(at::kFloat);
  *reward = elements[2].toTensor().to(at::kFloat);
  if (reward->dim() == 2 && reward->size(1) == 1) *reward = reward->squeeze(1);
  const auto bad = [&](const at::Tensor& t, std::initializer_list<int64_t> want) {
    return t.sizes() != at::IntArrayRef(want);
  };
  if (bad(*mean, {rows, s}) || bad(*logvar, {rows, s}) || bad(*reward, {rows})) {
    throw ShapeError(StrCat("TorchScript model ", path_, " returned shapes ", mean->sizes(), ", ", logvar->sizes(),
                            ", ", reward->sizes(), " for a batch of ", rows, "; ", expected));
  }
}

Transition TorchScriptModel::Step(const at::Tensor& state, const at::Tensor& action, StepContext& ctx) const {
  CheckMatrix(state, -1, spec_.state_dim, "TorchScript model: state");
  CheckMatrix(action, state.size(0), spec_.action_dim, "TorchScript model: action");
  at::Tensor mean, logvar, reward;
  Forward(state, action, &mean, &logvar, &reward);
  const at::Tensor std = (0.5 * logvar).exp();
  Transition t;
  if (ctx.generator) {
    t.next_state = mean + std * at::randn(mean.sizes(), *ctx.generator, mean.options());
  } else {
    t.next_state = mean;
  }
  t.reward = reward;
  t.done = termination_->Done(t.next_state);
  t.uncertainty = std.norm(2, {1});
  return t;
}

}  // namespace augur::models
