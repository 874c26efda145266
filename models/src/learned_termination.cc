#include "augur/models/learned_termination.h"

#include <ATen/ATen.h>

#include <Eigen/Core>
#include <algorithm>

#include "augur/core/error.h"

namespace augur::models {
namespace {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using RowVector = Eigen::Matrix<float, 1, Eigen::Dynamic>;

std::vector<float> ToVector(const at::Tensor& t) {
  at::Tensor c = t.detach().to(at::kCPU, at::kFloat).contiguous();
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

}  // namespace

LearnedTermination::LearnedTermination(ClassifierWeights weights) : weights_(std::move(weights)) {
  AUGUR_CHECK(!weights_.empty()) << "learned termination without weights";
  for (size_t l = 0; l < weights_.weight.size(); ++l) {
    host_weight_.push_back(ToVector(weights_.weight[l]));
    host_bias_.push_back(ToVector(weights_.bias[l]));
    widest_ = std::max(widest_, weights_.weight[l].size(1));
  }
  mean_ = ToVector(weights_.obs_mean);
  inv_std_ = ToVector(weights_.obs_std);
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
  thread_local std::vector<float> x, a, b;
  if (x.size() < static_cast<size_t>(rows * obs_dim)) x.resize(rows * obs_dim);
  if (a.size() < static_cast<size_t>(rows * widest_)) a.resize(rows * widest_), b.resize(rows * widest_);
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t i = 0; i < obs_dim; ++i) x[r * obs_dim + i] = (next_obs[r * obs_dim + i] - mean_[i]) * inv_std_[i];
  }
  const float* in = x.data();
  float* buffers[2] = {a.data(), b.data()};
  int cur = 0;
  int64_t in_dim = obs_dim;
  for (size_t l = 0; l < host_weight_.size(); ++l) {
    const int64_t out_dim = static_cast<int64_t>(host_bias_[l].size());
    Eigen::Map<const RowMatrix> input(in, rows, in_dim);
    Eigen::Map<const RowMatrix> weight(host_weight_[l].data(), in_dim, out_dim);
    Eigen::Map<RowMatrix> out(buffers[cur], rows, out_dim);
    out.noalias() = input * weight;
    out.rowwise() += Eigen::Map<const RowVector>(host_bias_[l].data(), out_dim);
    if (l + 1 < host_weight_.size()) {
      auto h = out.array();
      h = h / (1.f + (-h).exp());
    }
    in = buffers[cur];
    cur ^= 1;
    in_dim = out_dim;
  }
  for (int64_t r = 0; r < rows; ++r) done[r] = in[r] > 0.f ? 1.f : 0.f;
}

}  // namespace augur::models
