// ChanceModel: a WorldModel whose transitions have enumerable stochastic outcomes (Stochastic MuZero's chance
// nodes, VQ world models' codes, envs with known outcome probabilities). After state s and action a, outcome
// k in [0, K) happens with probability P(k | s, a); StepOutcome gives the transition of a chosen outcome.
// Search expands (or samples) the outcomes as chance nodes and backs up their expectation.
//
// Step() keeps its WorldModel meaning (a sample when StepContext has a generator, else the most likely
// outcome); the CPU path mirrors the tensor path on raw rows, as WorldModel::StepCpu does.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <span>
#include <string>

#include "augur/core/world_model.h"

namespace augur {

class ChanceModel : public virtual WorldModel {  // virtual: a learned chance model is also a LearnedModel
 public:
  // K: outcomes per (state, action).
  virtual int64_t num_outcomes() const = 0;

  // state [B, S], action [B, A] -> probabilities [B, K] (rows sum to 1).
  virtual at::Tensor OutcomeProbs(const at::Tensor& state, const at::Tensor& action) const = 0;
  // state [B, S], action [B, A], outcome [B] int64 -> the transition of that outcome.
  virtual Transition StepOutcome(const at::Tensor& state, const at::Tensor& action, const at::Tensor& outcome) const = 0;

  // CPU path (when has_cpu_path()): probs [rows, K]; step.rng is ignored, the outcome is given per row.
  // The defaults throw StateError (no CPU path).
  virtual void OutcomeProbsCpu(int64_t rows, const float* state, const float* action, float* probs,
                               Scratch* scratch) const;
  virtual void StepOutcomeCpu(const CpuStep& step, const int64_t* outcome) const;
};

// Throws ConfigError naming `what`, the row and the value when a probability is negative or NaN, or a row of
// probs [rows, k] does not sum to 1 within `tolerance`.
void CheckOutcomeProbs(std::span<const float> probs, int64_t rows, int64_t k, const std::string& what,
                       double tolerance = 1e-4);

}  // namespace augur
