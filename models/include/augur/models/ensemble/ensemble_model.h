// EnsembleModel: the probabilistic ensemble as an augur::WorldModel (state = observation).
//
// Members at inference are the elites only (PETS/MBPO sample from elites): spec().members == elites, and row
// group m of StepContext::member_begin / CpuStep::member_begin uses the m-th elite (best held-out MSE first).
// next_state = obs + denormalized delta; reward = the last output; done from the env's known termination rule.
// done: the env's known termination rule; for an env without one, a classifier learned from the data's terminals
// when any is set (LearnedTermination), else never.
// Sampling: with a generator (Step) or an Rng (StepCpu) each output is mean + std * N(0, 1); without, the mean.
// Expectation (member_begin undefined/empty): the mean of the elites' means, never sampled, with uncertainty.
// Uncertainty (MOPO): max over elites of ||std|| of the denormalized (delta obs, reward) prediction. StepCpu
// computes it when step.uncertainty is set; Step computes it in expectation mode, or always when
// set_tensor_uncertainty(true) (StepContext has no per-call flag yet). Either way every elite then runs on
// every row: elites x the cost of a grouped step.
#pragma once

#include <ATen/core/Tensor.h>

#include <memory>
#include <string>
#include <vector>

#include "augur/models/ensemble/ensemble_options.h"
#include "augur/models/ensemble/ensemble_weights.h"
#include "augur/models/ensemble/fused_ensemble.h"
#include "augur/models/factory.h"
#include "augur/models/learned_model.h"
#include "augur/models/learned_termination.h"
#include "augur/models/termination.h"

namespace augur::models {

class EnsembleModel final : public LearnedModel {
 public:
  EnsembleModel(const EnsembleOptions& options, const ModelInputs& inputs);
  ~EnsembleModel() override;

  // Loads a checkpoint written by Save, checking the card against `expect` (see models::Load).
  static std::unique_ptr<EnsembleModel> Load(const std::string& path, const LoadExpectations& expect = {});

  const ModelSpec& spec() const override { return spec_; }
  // The identity (the state is the observation); throws ShapeError unless obs is [B, O] float.
  at::Tensor Encode(const at::Tensor& obs) const override;
  Transition Step(const at::Tensor& state, const at::Tensor& action, StepContext& ctx) const override;
  bool has_cpu_path() const override { return true; }
  void StepCpu(const CpuStep& step) const override;

  TrainReport Train(const TransitionBatch& data, const TrainOptions& options, Progress* progress) override;
  void Save(const std::string& path) const override;
  const ModelCard& card() const override { return card_; }
  bool trained() const override { return trained_; }

  struct Prediction {
    at::Tensor mean;  // [elites, B, O + 1] denormalized (delta obs, reward)
    at::Tensor std;   // [elites, B, O + 1]
  };
  // Every elite's predictive Gaussian on every row: state [B, O], action [B, A].
  Prediction Predict(const at::Tensor& state, const at::Tensor& action) const;

  // Moves the tensor path's weights to `device` (e.g. CUDA); the fused CPU path keeps its host copy.
  void To(const at::Device& device);
  void set_tensor_uncertainty(bool on) { tensor_uncertainty_ = on; }

  const EnsembleOptions& options() const { return options_; }
  const std::vector<int64_t>& elites() const { return elites_; }
  // All members (CPU), for tests and export.
  const EnsembleWeights& weights() const { return weights_; }
  // The termination classifier's weights; empty unless card().termination == "learned".
  const ClassifierWeights& termination_weights() const { return termination_weights_; }

 private:
  // Installs the learned termination classifier (or the known rule when `w` is empty).
  void SetTermination(ClassifierWeights w);
  // Rebuilds the elite tensors, the fused export and the card's normalizers after Train or Load.
  void Prepare();
  at::Tensor NormalizedInput(const at::Tensor& state, const at::Tensor& action) const;  // [B, In]

  EnsembleOptions options_;
  ModelInputs inputs_;
  ModelSpec spec_;
  ModelCard card_;
  EnsembleWeights weights_;          // all members, CPU
  std::vector<int64_t> elites_;
  EnsembleWeights infer_;            // elites only, on device_
  at::Device device_{at::kCPU};
  FusedEnsemble fused_;
  std::unique_ptr<TerminationFn> termination_;
  ClassifierWeights termination_weights_;  // empty unless the termination is learned
  bool trained_ = false;
  bool tensor_uncertainty_ = false;
};

}  // namespace augur::models
