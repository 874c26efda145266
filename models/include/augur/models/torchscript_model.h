// A world model trained in Python: a TorchScript module with the signature
//
//   forward(state: Tensor[B, S], action: Tensor[B, A]) -> Tuple[Tensor[B, S], Tensor[B, S], Tensor[B]]
//                                                        (next-state mean, next-state log-variance, reward)
//
// exported with torch.jit.script(module).save(path) (or torch.jit.trace). Inputs and outputs are in the
// environment's own units (normalize inside the module). A reward of shape [B, 1] is accepted too. Step
// samples next = mean + exp(logvar / 2) * noise when the context has a generator, else returns the mean;
// termination comes from the known rule of `env_id` (models/termination.h); uncertainty is ||std||.
// LibTorch 1.13 reads TorchScript files written by PyTorch <= 1.13; a newer file gets a DataError that says
// which version wrote it and how to re-export.
#pragma once

#include <memory>
#include <string>

#include "augur/core/spaces.h"
#include "augur/core/world_model.h"

namespace augur::models {

class TerminationFn;

struct TorchScriptModelOptions {
  int64_t obs_dim = 0;      // S = O (the state is the observation)
  int64_t action_dim = 0;   // A
  Box action_bounds;        // [A] bounds planners must respect; empty = unbounded
  std::string env_id;       // selects the known termination rule ("" = never terminates)
  void Validate() const;
};

class TorchScriptModel : public WorldModel {
 public:
  // Loads the module and checks its signature with a forward on a batch of zeros. Throws NotFoundError for a
  // missing file, DataError for a file LibTorch cannot read (corrupt, or written by a newer PyTorch), and
  // ShapeError when the module's outputs do not follow the documented signature.
  static std::unique_ptr<TorchScriptModel> Load(const std::string& path, const TorchScriptModelOptions& options);
  ~TorchScriptModel() override;

  const ModelSpec& spec() const override { return spec_; }
  at::Tensor Encode(const at::Tensor& obs) const override;
  Transition Step(const at::Tensor& state, const at::Tensor& action, StepContext& ctx) const override;

 private:
  struct Module;
  TorchScriptModel(std::unique_ptr<Module> module, const TorchScriptModelOptions& options, std::string path);
  // Runs the module and checks the output shapes: mean [B, S], logvar [B, S], reward [B].
  void Forward(const at::Tensor& state, const at::Tensor& action, at::Tensor* mean, at::Tensor* logvar,
               at::Tensor* reward) const;

  std::unique_ptr<Module> module_;
  ModelSpec spec_;
  std::string path_;
  std::unique_ptr<TerminationFn> termination_;
};

}  // namespace augur::models
