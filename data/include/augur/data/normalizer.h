// Normalizer: per-dimension mean and standard deviation, fitted once on training data and saved with the
// model (ModelCard), never refitted at inference.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

namespace augur::data {

class Normalizer {
 public:
  // Identity normalizer of `dim` dimensions (mean 0, std 1).
  explicit Normalizer(int64_t dim = 0);
  // From stored statistics (e.g. a checkpoint). Throws ConfigError when sizes differ or a std is <= 0.
  Normalizer(std::vector<float> mean, std::vector<float> std, float epsilon = 1e-6f, int64_t count = 0);

  // Fits on rows of x [N, D] (or [N] as D = 1). std = max(population std, epsilon): constant dimensions
  // then pass through shifted, not divided by zero. Throws DataError naming the row and dim of a NaN/Inf,
  // ShapeError when x is not 1-D or 2-D or is empty.
  static Normalizer Fit(const at::Tensor& x, float epsilon = 1e-6f);

  // (x - mean) / std over the last dimension of x [..., D]; same dtype and device as x.
  at::Tensor Normalize(const at::Tensor& x) const;
  // x * std + mean; inverse of Normalize.
  at::Tensor Denormalize(const at::Tensor& x) const;

  int64_t dim() const { return static_cast<int64_t>(mean_.size()); }
  const std::vector<float>& mean() const { return mean_; }
  const std::vector<float>& std() const { return std_; }
  float epsilon() const { return epsilon_; }
  int64_t count() const { return count_; }  // rows it was fitted on

 private:
  void CheckDim(const at::Tensor& x) const;

  std::vector<float> mean_, std_;
  float epsilon_ = 1e-6f;
  int64_t count_ = 0;
};

}  // namespace augur::data
