// FusedAdam: Adam (Kingma & Ba, 2015) with L2 weight decay per parameter group, the update of
// torch::optim::Adam (weight_decay added to the gradient, bias-corrected moments, eps added after the square
// root), done in one pass over each CPU float parameter instead of about ten ATen ops per parameter. For
// small networks the per-op dispatch of torch's optimizer is a large part of a training step; this removes it.
// Parameters on another device, or of another dtype, take the same update through ATen ops.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

namespace augur::models {

struct AdamGroup {
  std::vector<at::Tensor> params;  // leaf tensors with requires_grad
  double weight_decay = 0.0;       // L2 coefficient added to the gradient (torch's Adam weight_decay)
};

struct AdamConfig {
  double learning_rate = 1e-3;
  double beta1 = 0.9, beta2 = 0.999;
  double eps = 1e-8;
};

class FusedAdam {
 public:
  // Throws ConfigError naming the value when a rate, beta or eps is out of range or a parameter is not a
  // defined floating-point tensor.
  FusedAdam(std::vector<AdamGroup> groups, AdamConfig config);

  // Zeroes every parameter's gradient (keeps the buffers).
  void ZeroGrad();
  // One update of every parameter that has a gradient; parameters without one are skipped (as torch does).
  void Step();

  // Step() in parts, for a caller that updates each block of a parameter as soon as its gradient is final
  // (while it is still in cache): BeginStep() advances the step count of every parameter that has a gradient,
  // then Update(i, begin, end) applies the update to the flat elements [begin, end) of parameter i (numbered in
  // the order the groups list them) on the calling thread. Every element of every parameter with a gradient
  // must be updated exactly once per step; ranges of one parameter may be updated from different threads.
  // Parameters that are not contiguous CPU float take only the whole range [0, numel).
  void BeginStep();
  void Update(size_t param, int64_t begin, int64_t end);
  size_t size() const { return slots_.size(); }

  int64_t steps() const { return step_; }
  const AdamConfig& config() const { return config_; }

 private:
  struct Slot {
    at::Tensor param, exp_avg, exp_avg_sq;
    double weight_decay = 0.0;
    int64_t step = 0;
    bool fused = false, active = false;  // CPU float contiguous; has a gradient this step
    double bias_correction1 = 1, bias_correction2 = 1;
  };
  std::vector<Slot> slots_;
  AdamConfig config_;
  int64_t step_ = 0;
};

}  // namespace augur::models
