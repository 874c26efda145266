// Test helper: a two-step stochastic MDP with enumerable outcomes, as a ChanceModel (both paths).
// State (t, x). Step 0 (t = 0): action a, outcome k in {0, 1} with P0[a] = a == 0 ? (0.5, 0.5) : (0.8, 0.2),
// reward r0[a][k] = a == 0 ? (1, 0) : (0, 3), next state (1, k). Step 1 (t = 1): any action, outcome k with
// P1[x] = x == 0 ? (0.25, 0.75) : (0.6, 0.4), reward r1[x][k] = x == 0 ? (4, 0) : (1, 2), next (2, x), done.
// `probs_scale` multiplies every probability (bad-input tests: 0.9 makes rows sum to 0.9).
#pragma once

#include <ATen/ATen.h>

#include <cstdint>

#include "augur/core/chance_model.h"
#include "augur/core/error.h"

namespace augur::testing {

class TwoStepChanceMdp : public ChanceModel {
 public:
  explicit TwoStepChanceMdp(float probs_scale = 1.f) : scale_(probs_scale) {
    spec_.type = "two-step-mdp";
    spec_.obs_dim = spec_.state_dim = 2;
    spec_.action_dim = 1;
    spec_.action_space = Discrete{2};
    spec_.stochastic = true;
    spec_.predicts_done = true;
  }
  const ModelSpec& spec() const override { return spec_; }
  int64_t num_outcomes() const override { return 2; }
  at::Tensor Encode(const at::Tensor& obs) const override { return obs; }
  bool has_cpu_path() const override { return true; }

  static void Probs(const float* s, int a, float* p) {
    if (s[0] < 0.5f) {
      p[0] = a == 0 ? 0.5f : 0.8f;
    } else {
      p[0] = s[1] < 0.5f ? 0.25f : 0.6f;
    }
    p[1] = 1.f - p[0];
  }
  static void Outcome(const float* s, int a, int64_t k, float* next, float& reward, bool& done) {
    if (s[0] < 0.5f) {
      reward = a == 0 ? (k == 0 ? 1.f : 0.f) : (k == 0 ? 0.f : 3.f);
      next[0] = 1.f;
      next[1] = static_cast<float>(k);
      done = false;
    } else {
      reward = s[1] < 0.5f ? (k == 0 ? 4.f : 0.f) : (k == 0 ? 1.f : 2.f);
      next[0] = 2.f;
      next[1] = s[1];
      done = true;
    }
  }

  void OutcomeProbsCpu(int64_t rows, const float* state, const float* action, float* probs, Scratch*) const override {
    for (int64_t r = 0; r < rows; ++r) {
      Probs(state + 2 * r, static_cast<int>(action[r]), probs + 2 * r);
      probs[2 * r] *= scale_;
      probs[2 * r + 1] *= scale_;
    }
  }
  void StepOutcomeCpu(const CpuStep& step, const int64_t* outcome) const override {
    for (int64_t r = 0; r < step.rows; ++r) {
      bool done = false;
      Outcome(step.state + 2 * r, static_cast<int>(step.action[r]), outcome[r], step.next_state + 2 * r,
              step.reward[r], done);
      step.done[r] = done ? 1.f : 0.f;
    }
  }
  // The mean-free WorldModel step: the most likely outcome.
  void StepCpu(const CpuStep& step) const override {
    for (int64_t r = 0; r < step.rows; ++r) {
      float p[2];
      Probs(step.state + 2 * r, static_cast<int>(step.action[r]), p);
      const int64_t k = p[0] >= p[1] ? 0 : 1;
      bool done = false;
      Outcome(step.state + 2 * r, static_cast<int>(step.action[r]), k, step.next_state + 2 * r, step.reward[r], done);
      step.done[r] = done ? 1.f : 0.f;
      if (step.uncertainty) step.uncertainty[r] = 0.f;
    }
  }

  Transition Step(const at::Tensor& state, const at::Tensor& action, StepContext&) const override {
    return Run(state, action, nullptr);
  }
  at::Tensor OutcomeProbs(const at::Tensor& state, const at::Tensor& action) const override {
    const at::Tensor s = state.contiguous(), a = action.contiguous();
    at::Tensor p = at::empty({s.size(0), 2});
    OutcomeProbsCpu(s.size(0), s.data_ptr<float>(), a.data_ptr<float>(), p.data_ptr<float>(), nullptr);
    return p;
  }
  Transition StepOutcome(const at::Tensor& state, const at::Tensor& action, const at::Tensor& outcome) const override {
    const at::Tensor k = outcome.to(at::kLong).contiguous();
    return Run(state, action, k.data_ptr<int64_t>());
  }

 private:
  Transition Run(const at::Tensor& state, const at::Tensor& action, const int64_t* outcome) const {
    CheckMatrix(state, -1, 2, "state");
    CheckMatrix(action, state.size(0), 1, "action");
    return RunCpuStepOnTensors(state, action, 2, [this, outcome](CpuStep& step) {
      if (outcome) {
        StepOutcomeCpu(step, outcome);
      } else {
        StepCpu(step);
      }
    });
  }
  ModelSpec spec_;
  float scale_;
};

}  // namespace augur::testing
