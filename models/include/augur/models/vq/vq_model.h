// VqModel: the VQ world model of VQM (Ozair et al. 2021, "Vector Quantized Models for Planning") as a
// LearnedModel and a ChanceModel. A conditional VQ-VAE over transitions (s, a) -> s' whose K codes stand for
// the stochastic outcome, a prior p(code | s, a) and a decoder (s, a, code) -> (s', r, done); search expands
// the K codes as chance outcomes with the prior's probabilities.
//
// State = observation. OutcomeProbs = softmax(prior logits). StepOutcome(k) decodes code k: next_state =
// s + the denormalized delta, reward, done = (done logit > 0). Step: the most likely code (argmax of the
// logits, the lowest index on ties) without a generator (Step) / Rng (StepCpu), else a code drawn from the
// prior: so the mean-free Step is a deterministic "most likely outcome" model. One member (member_begin is
// ignored). The fused CPU path (HostMlp, Eigen) matches the tensor path to atol 1e-5 + rtol 1e-5 on the same
// code. Discrete actions (options().actions > 0) are one-hot encoded; an index outside [0, n), a fraction or
// NaN is a RangeError naming the value.
#pragma once

#include <ATen/core/Tensor.h>

#include <memory>
#include <string>
#include <vector>

#include "augur/core/chance_model.h"
#include "augur/models/factory.h"
#include "augur/models/host_mlp.h"
#include "augur/models/learned_model.h"
#include "augur/models/vq/vq_network.h"
#include "augur/models/vq/vq_options.h"

namespace augur::models {

class VqModel final : public LearnedModel, public ChanceModel {
 public:
  VqModel(const VqOptions& options, const ModelInputs& inputs);
  ~VqModel() override;

  // Loads a checkpoint written by Save, checking the card against `expect` (see models::Load).
  static std::unique_ptr<VqModel> Load(const std::string& path, const LoadExpectations& expect = {});

  const ModelSpec& spec() const override { return spec_; }
  at::Tensor Encode(const at::Tensor& obs) const override;
  Transition Step(const at::Tensor& state, const at::Tensor& action, StepContext& ctx) const override;
  bool has_cpu_path() const override { return true; }
  void StepCpu(const CpuStep& step) const override;

  int64_t num_outcomes() const override { return options_.codes; }
  at::Tensor OutcomeProbs(const at::Tensor& state, const at::Tensor& action) const override;
  Transition StepOutcome(const at::Tensor& state, const at::Tensor& action, const at::Tensor& outcome) const override;
  void OutcomeProbsCpu(int64_t rows, const float* state, const float* action, float* probs,
                       Scratch* scratch) const override;
  void StepOutcomeCpu(const CpuStep& step, const int64_t* outcome) const override;

  TrainReport Train(const TransitionBatch& data, const TrainOptions& options, Progress* progress) override;
  void Save(const std::string& path) const override;
  const ModelCard& card() const override { return card_; }
  bool trained() const override { return trained_; }

  const VqOptions& options() const { return options_; }
  const VqWeights& weights() const { return weights_; }
  // The encoder's code of each observed transition [B] (int64).
  at::Tensor AssignCodes(const at::Tensor& obs, const at::Tensor& action, const at::Tensor& next_obs,
                         const at::Tensor& reward, const at::Tensor& done) const;

 private:
  void Prepare();  // host copies and the card's normalizers, after Train or Load
  void CheckInputs(const at::Tensor& state, const at::Tensor& action, const char* call) const;
  void CheckActionsCpu(int64_t rows, const float* action) const;
  at::Tensor Logits(const at::Tensor& state, const at::Tensor& action) const;  // [B, K]
  Transition Decode(const at::Tensor& state, const at::Tensor& action, const at::Tensor& codes) const;
  void FeaturesCpu(int64_t rows, const float* state, const float* action, float* features, int64_t stride) const;
  void DecodeCpu(const CpuStep& step, const int64_t* codes) const;

  VqOptions options_;
  ModelInputs inputs_;
  ModelSpec spec_;
  ModelCard card_;
  VqWeights weights_;
  HostMlp prior_, decoder_;
  std::vector<float> codebook_, input_mean_, input_std_, target_mean_, target_std_;
  int64_t feature_dim_ = 0;
  bool trained_ = false;
};

}  // namespace augur::models
