// HostMlp: a host (Eigen) copy of a small SiLU MLP for the fused CPU paths, matching MlpForward / torch's
// addmm + silu to float rounding. Hidden activations live in per-thread buffers that grow once and are then
// reused: no allocation once warm.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

namespace augur::models {

class HostMlp {
 public:
  HostMlp() = default;
  // weight[l] [in, out], bias[l] [out]; SiLU after every layer but the last.
  HostMlp(const std::vector<at::Tensor>& weight, const std::vector<at::Tensor>& bias);

  bool empty() const { return weight_.empty(); }
  int64_t in_dim() const { return in_dim_; }
  int64_t out_dim() const { return out_dim_; }
  // x [rows, in_dim] row-major -> out [rows, out_dim].
  void Forward(int64_t rows, const float* x, float* out) const;

 private:
  std::vector<std::vector<float>> weight_, bias_;  // row-major [in, out], [out]
  std::vector<int64_t> dims_;                      // in, hidden..., out
  int64_t in_dim_ = 0, out_dim_ = 0, widest_ = 0;
};

// A tensor's values as floats (CPU, contiguous copy).
std::vector<float> ToFloatVector(const at::Tensor& t);

}  // namespace augur::models
