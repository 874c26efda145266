#include "augur/envs/env_model.h"

#include <ATen/ATen.h>
#include <tbb/enumerable_thread_specific.h>

#include "augur/core/error.h"

namespace augur::envs {

struct EnvModel::Clones {
  explicit Clones(const Env& prototype) : envs([&prototype] { return prototype.Clone(); }) {}
  tbb::enumerable_thread_specific<std::unique_ptr<Env>> envs;
};

EnvModel::EnvModel(const Env& prototype) : prototype_(prototype.Clone()) {
  if (!prototype.CanSetFromObservation()) {
    throw ConfigError(StrCat("EnvModel: env '", prototype.spec().id,
                             "' cannot be set from an observation (its observation omits part of the simulator "
                             "state); roll it out from recorded simulator states instead"));
  }
  clones_ = std::make_unique<Clones>(*prototype_);
  spec_ = EnvModelSpec(prototype.spec(), /*stochastic=*/false);
}

ModelSpec EnvModelSpec(const EnvSpec& env, bool stochastic) {
  ModelSpec spec;
  spec.type = "env:" + env.id;
  spec.state_kind = StateKind::kObservation;
  spec.obs_dim = spec.state_dim = env.obs_dim();
  spec.action_dim = env.action_dim();
  spec.action_space = env.action;
  spec.stochastic = stochastic;
  spec.members = 1;
  spec.predicts_done = true;
  return spec;
}

EnvModel::~EnvModel() = default;

at::Tensor EnvModel::Encode(const at::Tensor& obs) const {
  CheckMatrix(obs, -1, spec_.obs_dim, "EnvModel::Encode obs");
  return obs.clone();
}

Transition EnvModel::Step(const at::Tensor& state, const at::Tensor& action, StepContext&) const {
  CheckMatrix(state, -1, spec_.state_dim, "EnvModel::Step state");
  CheckMatrix(action, state.size(0), spec_.action_dim, "EnvModel::Step action");
  if (!state.device().is_cpu() || !action.device().is_cpu()) {
    throw ConfigError("EnvModel::Step: the reference simulators run on the CPU; pass CPU tensors");
  }
  return RunCpuStepOnTensors(state, action, spec_.state_dim, [this](CpuStep& step) { StepCpu(step); });
}

void EnvModel::StepCpu(const CpuStep& step) const {
  Env& env = *clones_->envs.local();
  const int64_t s_dim = spec_.state_dim, a_dim = spec_.action_dim;
  for (int64_t r = 0; r < step.rows; ++r) {
    env.SetFromObservation({step.state + r * s_dim, static_cast<size_t>(s_dim)});
    const StepInfo info =
        env.StepInto({step.action + r * a_dim, static_cast<size_t>(a_dim)}, {step.next_state + r * s_dim,
                                                                             static_cast<size_t>(s_dim)});
    step.reward[r] = static_cast<float>(info.reward);
    step.done[r] = info.terminated ? 1.f : 0.f;
    if (step.uncertainty) step.uncertainty[r] = 0.f;
  }
}

}  // namespace augur::envs
