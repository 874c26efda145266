// LearnedTermination: a small MLP classifier done = sigmoid(f(normalized next_obs)) > 0.5, trained with BCE on
// the data's terminals when the environment has no known termination rule.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

#include "augur/models/host_mlp.h"
#include "augur/models/termination.h"

namespace augur::models {

struct ClassifierWeights {
  std::vector<at::Tensor> weight;  // per layer [in, out]; the last layer has out = 1 (the logit)
  std::vector<at::Tensor> bias;    // per layer [out]
  at::Tensor obs_mean;             // [O] normalizer of next_obs (the model's input normalizer, obs part)
  at::Tensor obs_std;              // [O]

  bool empty() const { return weight.empty(); }
};

class LearnedTermination final : public TerminationFn {
 public:
  explicit LearnedTermination(ClassifierWeights weights);

  std::string name() const override { return "learned"; }
  bool can_terminate() const override { return true; }
  // next_obs [B, O] -> done [B] bool (SiLU hidden layers, on next_obs's device).
  at::Tensor Done(const at::Tensor& next_obs) const override;
  // Host copy (HostMlp, Eigen); per-thread buffers grow once and are then reused.
  void DoneCpu(int64_t rows, int64_t obs_dim, const float* next_obs, float* done) const override;
  // next_obs [B, O] -> logits [B].
  at::Tensor Logits(const at::Tensor& next_obs) const;

  const ClassifierWeights& weights() const { return weights_; }

 private:
  ClassifierWeights weights_;
  HostMlp host_;
  std::vector<float> mean_, inv_std_;
};

}  // namespace augur::models
