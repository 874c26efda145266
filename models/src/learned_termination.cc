#include "augur/models/learned_termination.h"

#include <ATen/ATen.h>

#include "augur/core/error.h"

namespace augur::models {

LearnedTermination::LearnedTermination(ClassifierWeights weights) : weights_(std::move(weights)) {
  AUGUR_CHECK(!weights_.empty()) << "learned termination without weights";
  host_ = HostMlp(weights_.weight, weights_.bias);
  mean_ = ToFloatVector(weights_.obs_mean);
  inv_std_ = ToFloatVector(weights_.obs_std);
  for (float& s : inv_std_) s = 1.f / s;
}

at::Tensor LearnedTermination::Logits(const at::Tensor& next_obs) const {
  const at::Device device = next_obs.device();
  at::Tensor h = (next_obs - weights_.obs_mean.to(device)) / weights_.obs_std.to(device);  // [B, O]
  const size_t last = weights_.weight.size() - 1;
  for (size_t l = 0; l <= last; ++l) {
    h = at::addmm(weights_.bias[l].to(device), h, weights_.weight[l].to(device));  // [B, out]
    if (l < last) h = at::silu(h);
  }
  return h.squeeze(1);  // [B]
}

at::Tensor LearnedTermination::Done(const at::Tensor& next_obs) const {
  at::NoGradGuard no_grad;
  return Logits(next_obs) > 0;
}

void LearnedTermination::DoneCpu(int64_t rows, int64_t obs_dim, const float* next_obs, float* done) const {
  if (obs_dim != static_cast<int64_t>(mean_.size())) {
    throw ShapeError(StrCat("learned termination: observations have ", obs_dim, " values but the classifier takes ",
                            mean_.size()));
  }
  thread_local std::vector<float> x, logits;
  if (x.size() < static_cast<size_t>(rows * obs_dim)) x.resize(rows * obs_dim);
  if (logits.size() < static_cast<size_t>(rows)) logits.resize(rows);
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t i = 0; i < obs_dim; ++i) x[r * obs_dim + i] = (next_obs[r * obs_dim + i] - mean_[i]) * inv_std_[i];
  }
  host_.Forward(rows, x.data(), logits.data());
  for (int64_t r = 0; r < rows; ++r) done[r] = logits[r] > 0.f ? 1.f : 0.f;
}

}  // namespace augur::models
