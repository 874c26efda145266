#include "augur/data/normalizer.h"

#include <ATen/ATen.h>

#include <cmath>

#include "augur/core/error.h"
#include "internal/checks.h"

namespace augur::data {

Normalizer::Normalizer(int64_t dim) : mean_(dim, 0.f), std_(dim, 1.f) {}

Normalizer::Normalizer(std::vector<float> mean, std::vector<float> std, float epsilon, int64_t count)
    : mean_(std::move(mean)), std_(std::move(std)), epsilon_(epsilon), count_(count) {
  if (mean_.size() != std_.size()) {
    throw ConfigError(StrCat("Normalizer: mean has ", mean_.size(), " values but std has ", std_.size()));
  }
  for (size_t i = 0; i < std_.size(); ++i) {
    if (!(std_[i] > 0.f) || !std::isfinite(std_[i]) || !std::isfinite(mean_[i])) {
      throw ConfigError(StrCat("Normalizer: dim ", i, " has mean ", mean_[i], " and std ", std_[i],
                               "; std must be finite and > 0, mean finite"));
    }
  }
}

Normalizer Normalizer::Fit(const at::Tensor& x, float epsilon) {
  if (!x.defined() || x.dim() < 1 || x.dim() > 2 || x.size(0) == 0) {
    throw ShapeError("Normalizer::Fit needs a non-empty [N, D] or [N] tensor");
  }
  if (!(epsilon > 0.f)) throw ConfigError(StrCat("Normalizer::Fit: epsilon ", epsilon, " must be > 0"));
  at::Tensor x2 = (x.dim() == 1 ? x.unsqueeze(1) : x).to(at::kCPU).to(at::kDouble);
  internal::CheckFinite(x2, "x", "Normalizer::Fit");
  at::Tensor mean = x2.mean(0);
  at::Tensor std = x2.std(0, /*unbiased=*/false).clamp_min(epsilon);
  at::Tensor m = mean.to(at::kFloat).contiguous(), s = std.to(at::kFloat).contiguous();
  return Normalizer({m.data_ptr<float>(), m.data_ptr<float>() + m.numel()},
                    {s.data_ptr<float>(), s.data_ptr<float>() + s.numel()}, epsilon, x.size(0));
}

void Normalizer::CheckDim(const at::Tensor& x) const {
  if (!x.defined() || x.dim() < 1 || x.size(-1) != dim()) {
    throw ShapeError(StrCat("Normalizer of dim ", dim(), " applied to a tensor of shape ",
                            x.defined() ? x.sizes() : at::IntArrayRef{}, "; the last dim must be ", dim()));
  }
}

at::Tensor Normalizer::Normalize(const at::Tensor& x) const {
  CheckDim(x);
  auto opts = at::TensorOptions().dtype(at::kFloat);
  at::Tensor m = at::from_blob(const_cast<float*>(mean_.data()), {dim()}, opts).to(x.device(), x.scalar_type());
  at::Tensor s = at::from_blob(const_cast<float*>(std_.data()), {dim()}, opts).to(x.device(), x.scalar_type());
  return (x - m) / s;
}

at::Tensor Normalizer::Denormalize(const at::Tensor& x) const {
  CheckDim(x);
  auto opts = at::TensorOptions().dtype(at::kFloat);
  at::Tensor m = at::from_blob(const_cast<float*>(mean_.data()), {dim()}, opts).to(x.device(), x.scalar_type());
  at::Tensor s = at::from_blob(const_cast<float*>(std_.data()), {dim()}, opts).to(x.device(), x.scalar_type());
  return x * s + m;
}

}  // namespace augur::data
