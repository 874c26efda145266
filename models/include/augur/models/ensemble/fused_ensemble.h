// The fused CPU inference path of the ensemble: weights exported from EnsembleWeights into contiguous
// row-major float buffers, then per member group one Eigen GEMM per layer with the bias and activation fused.
// Compiled for the host ISA (AUGUR_NATIVE); single-threaded per call: callers parallelize over row chunks
// on their Executor. Buffers come from the caller's Scratch, so a warm call does not allocate (Eigen's GEMM
// may still use its own blocking buffers at large shapes).
#pragma once

#include <cstdint>
#include <vector>

#include "augur/core/world_model.h"
#include "augur/models/ensemble/ensemble_options.h"

namespace augur::models {

struct EnsembleWeights;
class TerminationFn;

class FusedEnsemble {
 public:
  FusedEnsemble() = default;
  // Copies w (any device; members = the inference members, e.g. the elites) into host float buffers.
  FusedEnsemble(const EnsembleWeights& w, Activation activation);

  int64_t members() const { return members_; }
  bool empty() const { return members_ == 0; }

  // One step as in WorldModel::StepCpu. Rows of member m are [member_begin[m], member_begin[m+1]); empty
  // member_begin = expectation (mean of the members' means, no sampling). With step.uncertainty set, every
  // member runs on every row (members x the cost) to take max_m ||std_m|| (denormalized (delta obs, reward)).
  // Noise: one standard normal per output from step.rng, row by row in row order.
  void Step(const CpuStep& step, const TerminationFn* termination) const;

 private:
  // out [n, 2D] = network of `member` on normalized inputs x [n, In], using scratch buffers a and b.
  const float* Forward(int64_t member, int64_t n, const float* x, float* a, float* b) const;

  Activation activation_ = Activation::kSilu;
  int64_t members_ = 0, obs_dim_ = 0, action_dim_ = 0, in_ = 0, out_ = 0, widest_ = 0;
  std::vector<int64_t> in_dims_, out_dims_;                 // per layer
  std::vector<std::vector<std::vector<float>>> weight_;     // [member][layer] row-major [in, out]
  std::vector<std::vector<std::vector<float>>> bias_;       // [member][layer] [out]
  std::vector<float> max_logvar_, min_logvar_;              // [D]
  std::vector<float> input_mean_, input_inv_std_;           // [In]
  std::vector<float> target_mean_, target_std_;             // [D]
};

}  // namespace augur::models
