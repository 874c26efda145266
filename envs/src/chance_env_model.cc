#include "augur/envs/chance_env_model.h"

#include <ATen/ATen.h>
#include <tbb/enumerable_thread_specific.h>

#include <cmath>
#include <map>
#include <vector>

#include "augur/core/error.h"
#include "augur/core/rng.h"
#include "augur/envs/env_model.h"

namespace augur::envs {

struct ChanceEnvModel::Clones {
  explicit Clones(const Env& prototype) : envs([&prototype] { return prototype.Clone(); }) {}
  tbb::enumerable_thread_specific<std::unique_ptr<Env>> envs;
};

ChanceEnvModel::ChanceEnvModel(const Env& prototype) : k_(prototype.num_outcomes()), prototype_(prototype.Clone()) {
  const EnvSpec& env = prototype.spec();
  if (k_ <= 0) {
    throw ConfigError(StrCat("ChanceEnvModel: env '", env.id, "' has no enumerable stochastic outcomes; use ",
                             "EnvModel for a deterministic env"));
  }
  if (!prototype.CanSetFromObservation()) {
    throw ConfigError(StrCat("ChanceEnvModel: env '", env.id, "' cannot be set from an observation"));
  }
  clones_ = std::make_unique<Clones>(*prototype_);
  spec_ = EnvModelSpec(env, /*stochastic=*/true);
}

ChanceEnvModel::~ChanceEnvModel() = default;

at::Tensor ChanceEnvModel::Encode(const at::Tensor& obs) const {
  CheckMatrix(obs, -1, spec_.obs_dim, "ChanceEnvModel::Encode obs");
  return obs.clone();
}

void ChanceEnvModel::CheckInputs(const at::Tensor& state, const at::Tensor& action, const char* call) const {
  CheckMatrix(state, -1, spec_.state_dim, StrCat("ChanceEnvModel::", call, " state"));
  CheckMatrix(action, state.size(0), spec_.action_dim, StrCat("ChanceEnvModel::", call, " action"));
  if (!state.device().is_cpu() || !action.device().is_cpu()) {
    throw ConfigError("ChanceEnvModel: the reference simulators run on the CPU; pass CPU tensors");
  }
}

void ChanceEnvModel::OutcomeProbsCpu(int64_t rows, const float* state, const float* action, float* probs,
                                     Scratch*) const {
  Env& env = *clones_->envs.local();
  const int64_t s_dim = spec_.state_dim, a_dim = spec_.action_dim;
  for (int64_t r = 0; r < rows; ++r) {
    env.SetFromObservation({state + r * s_dim, static_cast<size_t>(s_dim)});
    env.OutcomeProbs({action + r * a_dim, static_cast<size_t>(a_dim)}, {probs + r * k_, static_cast<size_t>(k_)});
  }
}

void ChanceEnvModel::StepRow(Env& env, const CpuStep& step, int64_t r, int64_t k) const {
  const int64_t s_dim = spec_.state_dim, a_dim = spec_.action_dim;
  const StepInfo info = env.StepOutcome({step.action + r * a_dim, static_cast<size_t>(a_dim)}, k,
                                        {step.next_state + r * s_dim, static_cast<size_t>(s_dim)});
  step.reward[r] = static_cast<float>(info.reward);
  step.done[r] = info.terminated ? 1.f : 0.f;
  if (step.uncertainty) step.uncertainty[r] = 0.f;
}

void ChanceEnvModel::StepOutcomeCpu(const CpuStep& step, const int64_t* outcome) const {
  Env& env = *clones_->envs.local();
  const int64_t s_dim = spec_.state_dim;
  for (int64_t r = 0; r < step.rows; ++r) {
    env.SetFromObservation({step.state + r * s_dim, static_cast<size_t>(s_dim)});
    StepRow(env, step, r, outcome[r]);
  }
}

void ChanceEnvModel::StepCpu(const CpuStep& step) const {
  Env& env = *clones_->envs.local();
  const int64_t s_dim = spec_.state_dim, a_dim = spec_.action_dim;
  std::vector<float> probs(k_);
  for (int64_t r = 0; r < step.rows; ++r) {
    env.SetFromObservation({step.state + r * s_dim, static_cast<size_t>(s_dim)});
    env.OutcomeProbs({step.action + r * a_dim, static_cast<size_t>(a_dim)}, probs);
    int64_t k = 0;
    if (step.rng != nullptr) {
      const float u = step.rng->Uniform();
      float cumulative = probs[0];
      while (k + 1 < k_ && u >= cumulative) cumulative += probs[++k];
    } else {
      for (int64_t j = 1; j < k_; ++j) {
        if (probs[j] > probs[k]) k = j;
      }
    }
    StepRow(env, step, r, k);
  }
}

Transition ChanceEnvModel::Step(const at::Tensor& state, const at::Tensor& action, StepContext& ctx) const {
  CheckInputs(state, action, "Step");
  if (!ctx.generator.has_value()) {
    return RunCpuStepOnTensors(state, action, spec_.state_dim, [this](CpuStep& step) { StepCpu(step); });
  }
  // Sampled: inverse CDF of one uniform per row from the caller's generator.
  const at::Tensor probs = OutcomeProbs(state, action);                                      // [B, K]
  const at::Tensor u = at::rand({state.size(0), 1}, *ctx.generator, at::kFloat).to(at::kCPU);  // [B, 1]
  const at::Tensor outcome = (probs.cumsum(1) <= u).sum(1).clamp_max(k_ - 1);                // [B]
  return StepOutcome(state, action, outcome);
}

at::Tensor ChanceEnvModel::OutcomeProbs(const at::Tensor& state, const at::Tensor& action) const {
  CheckInputs(state, action, "OutcomeProbs");
  const at::Tensor s = state.contiguous(), a = action.contiguous();
  at::Tensor probs = at::empty({s.size(0), k_}, at::kFloat);
  OutcomeProbsCpu(s.size(0), s.data_ptr<float>(), a.data_ptr<float>(), probs.data_ptr<float>(), nullptr);
  return probs;
}

Transition ChanceEnvModel::StepOutcome(const at::Tensor& state, const at::Tensor& action,
                                       const at::Tensor& outcome) const {
  CheckInputs(state, action, "StepOutcome");
  if (outcome.dim() != 1 || outcome.size(0) != state.size(0)) {
    throw ShapeError(StrCat("ChanceEnvModel::StepOutcome: outcome has shape ", outcome.sizes(), " but must be [",
                            state.size(0), "]"));
  }
  const at::Tensor k = outcome.to(at::kCPU, at::kLong).contiguous();
  const int64_t* ks = k.data_ptr<int64_t>();
  return RunCpuStepOnTensors(state, action, spec_.state_dim, [this, ks](CpuStep& step) { StepOutcomeCpu(step, ks); });
}

namespace {

using Event = std::vector<int64_t>;  // rounded next state, then done

// Per row: event -> summed probability.
std::vector<std::map<Event, double>> Events(const ChanceModel& model, const at::Tensor& state, const at::Tensor& action,
                                            double resolution) {
  const int64_t b = state.size(0), k = model.num_outcomes(), s = state.size(1);
  const at::Tensor probs = model.OutcomeProbs(state, action).to(at::kFloat).contiguous();  // [B, K]
  const float* pr = probs.data_ptr<float>();
  std::vector<std::map<Event, double>> events(b);
  for (int64_t j = 0; j < k; ++j) {
    const Transition t = model.StepOutcome(state, action, at::full({b}, j, at::kLong));
    const at::Tensor next = t.next_state.to(at::kFloat).contiguous(), done = t.done.to(at::kBool).contiguous();
    const float* nx = next.data_ptr<float>();
    const bool* dn = done.data_ptr<bool>();
    for (int64_t r = 0; r < b; ++r) {
      const double p = pr[r * k + j];
      if (p < 1e-6) continue;
      Event e(s + 1);
      for (int64_t i = 0; i < s; ++i) e[i] = std::llround(nx[r * s + i] / resolution);
      e[s] = dn[r] ? 1 : 0;
      events[r][e] += p;
    }
  }
  return events;
}

}  // namespace

std::vector<double> OutcomeTotalVariation(const ChanceModel& model, const ChanceModel& truth, const at::Tensor& state,
                                          const at::Tensor& action, double resolution) {
  if (!(resolution > 0)) throw ConfigError(StrCat("OutcomeTotalVariation: resolution = ", resolution, " must be > 0"));
  const auto a = Events(model, state, action, resolution), b = Events(truth, state, action, resolution);
  std::vector<double> tv(a.size());
  for (size_t r = 0; r < a.size(); ++r) {
    double sum = 0;
    for (const auto& [e, p] : a[r]) {
      const auto it = b[r].find(e);
      sum += std::fabs(p - (it == b[r].end() ? 0.0 : it->second));
    }
    for (const auto& [e, q] : b[r]) {
      if (a[r].find(e) == a[r].end()) sum += q;
    }
    tv[r] = 0.5 * sum;
  }
  return tv;
}

}  // namespace augur::envs
