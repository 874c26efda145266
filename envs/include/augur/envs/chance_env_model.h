// ChanceEnvModel: a reference simulator with enumerable stochastic outcomes (Env::num_outcomes() > 0, e.g.
// SlipperyGrid-v0) behind the ChanceModel contract: the TRUE chance model, against which learned chance models
// (models/vq) are measured and with which search builds exact chance nodes. The state is the observation.
//
// OutcomeProbs / StepOutcome set a per-thread clone of the env from each state row and ask it. Step keeps its
// WorldModel meaning: with a generator (Step) or an Rng (StepCpu) each row draws its outcome from the
// probabilities; without, the most likely outcome (the lowest index on ties): the "mean-free" deterministic
// model that knows only the likeliest move.
#pragma once

#include <memory>
#include <vector>

#include "augur/core/chance_model.h"
#include "augur/envs/env.h"

namespace augur::envs {

class ChanceEnvModel : public ChanceModel {
 public:
  // Throws ConfigError when `prototype` has no enumerable outcomes or cannot be set from an observation.
  explicit ChanceEnvModel(const Env& prototype);
  ~ChanceEnvModel() override;

  const ModelSpec& spec() const override { return spec_; }
  int64_t num_outcomes() const override { return k_; }
  at::Tensor Encode(const at::Tensor& obs) const override;
  // CPU tensors only; ctx.member_begin is ignored (one member).
  Transition Step(const at::Tensor& state, const at::Tensor& action, StepContext& ctx) const override;
  at::Tensor OutcomeProbs(const at::Tensor& state, const at::Tensor& action) const override;
  Transition StepOutcome(const at::Tensor& state, const at::Tensor& action, const at::Tensor& outcome) const override;

  bool has_cpu_path() const override { return true; }
  void StepCpu(const CpuStep& step) const override;
  void OutcomeProbsCpu(int64_t rows, const float* state, const float* action, float* probs,
                       Scratch* scratch) const override;
  void StepOutcomeCpu(const CpuStep& step, const int64_t* outcome) const override;

 private:
  struct Clones;
  // Steps row r with outcome `k` (the clone already set from the row).
  void StepRow(Env& env, const CpuStep& step, int64_t r, int64_t k) const;
  void CheckInputs(const at::Tensor& state, const at::Tensor& action, const char* call) const;

  ModelSpec spec_;
  int64_t k_ = 0;
  std::unique_ptr<Env> prototype_;
  std::unique_ptr<Clones> clones_;
};

// Total-variation distance between the next-state distributions of two chance models at each row of
// (state [B, S], action [B, A]): every outcome's (next state rounded to the nearest multiple of `resolution`,
// done) is one event, the probabilities of outcomes with the same event are summed, and
// TV = 1/2 sum_e |p_model(e) - p_truth(e)|. Outcomes of probability below 1e-6 are ignored. For a learned
// model against the true one (ChanceEnvModel) on a grid env, resolution 1 reads each decoded state as the
// cell it is nearest to.
std::vector<double> OutcomeTotalVariation(const ChanceModel& model, const ChanceModel& truth, const at::Tensor& state,
                                          const at::Tensor& action, double resolution = 1.0);

}  // namespace augur::envs
