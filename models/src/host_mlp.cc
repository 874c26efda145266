#include "augur/models/host_mlp.h"

#include <ATen/ATen.h>

#include <Eigen/Core>
#include <algorithm>

#include "augur/core/error.h"

namespace augur::models {
namespace {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using RowVector = Eigen::Matrix<float, 1, Eigen::Dynamic>;

}  // namespace

std::vector<float> ToFloatVector(const at::Tensor& t) {
  at::Tensor c = t.detach().to(at::kCPU, at::kFloat).contiguous();
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

HostMlp::HostMlp(const std::vector<at::Tensor>& weight, const std::vector<at::Tensor>& bias) {
  AUGUR_CHECK(!weight.empty() && weight.size() == bias.size()) << "HostMlp: " << weight.size() << " weights, "
                                                               << bias.size() << " biases";
  dims_.push_back(weight[0].size(0));
  for (size_t l = 0; l < weight.size(); ++l) {
    AUGUR_CHECK_EQ(weight[l].size(0), dims_.back());
    weight_.push_back(ToFloatVector(weight[l]));
    bias_.push_back(ToFloatVector(bias[l]));
    dims_.push_back(weight[l].size(1));
  }
  in_dim_ = dims_.front();
  out_dim_ = dims_.back();
  widest_ = *std::max_element(dims_.begin() + 1, dims_.end());
}

void HostMlp::Forward(int64_t rows, const float* x, float* out) const {
  thread_local std::vector<float> a, b;
  const size_t need = static_cast<size_t>(rows * widest_);
  if (a.size() < need) a.resize(need), b.resize(need);
  const float* in = x;
  float* buffers[2] = {a.data(), b.data()};
  int cur = 0;
  const size_t last = weight_.size() - 1;
  for (size_t l = 0; l <= last; ++l) {
    const int64_t in_dim = dims_[l], out_dim = dims_[l + 1];
    float* target = l == last ? out : buffers[cur];
    Eigen::Map<const RowMatrix> input(in, rows, in_dim);
    Eigen::Map<const RowMatrix> w(weight_[l].data(), in_dim, out_dim);
    Eigen::Map<RowMatrix> y(target, rows, out_dim);
    y.noalias() = input * w;
    y.rowwise() += Eigen::Map<const RowVector>(bias_[l].data(), out_dim);
    if (l < last) {
      auto h = y.array();
      h = h / (1.f + (-h).exp());  // SiLU
    }
    in = target;
    cur ^= 1;
  }
}

}  // namespace augur::models
