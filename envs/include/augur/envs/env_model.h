// EnvModel: a reference simulator behind the WorldModel contract, the "perfect model" baseline that every
// learned model is compared against. The state is the observation, so it needs an env whose observation
// determines the simulator state (CanSetFromObservation(); the classic control envs). Deterministic.
#pragma once

#include <memory>

#include "augur/core/world_model.h"
#include "augur/envs/env.h"

namespace augur::envs {

class EnvModel : public WorldModel {
 public:
  // Throws ConfigError when `prototype` cannot be set from an observation.
  explicit EnvModel(const Env& prototype);
  ~EnvModel() override;

  const ModelSpec& spec() const override { return spec_; }
  // The identity (a copy): the state is the observation.
  at::Tensor Encode(const at::Tensor& obs) const override;
  // CPU tensors only (the simulators run on the CPU); ctx is ignored (deterministic, one member).
  Transition Step(const at::Tensor& state, const at::Tensor& action, StepContext& ctx) const override;
  bool has_cpu_path() const override { return true; }
  // Sets a per-thread clone of the env from each state row, steps it and reads the result.
  void StepCpu(const CpuStep& step) const override;

 private:
  struct Clones;
  ModelSpec spec_;
  std::unique_ptr<Env> prototype_;
  std::unique_ptr<Clones> clones_;
};

// The ModelSpec of a simulator used as a model: "env:<id>", state = observation, one member, predicts done.
ModelSpec EnvModelSpec(const EnvSpec& env, bool stochastic);

}  // namespace augur::envs
