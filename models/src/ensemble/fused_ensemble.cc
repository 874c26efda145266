#include "augur/models/ensemble/fused_ensemble.h"

#include <ATen/ATen.h>

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <limits>

#include "augur/core/error.h"
#include "augur/core/executor.h"
#include "augur/core/rng.h"
#include "augur/models/ensemble/ensemble_weights.h"
#include "augur/models/termination.h"

namespace augur::models {
namespace {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using RowVector = Eigen::Matrix<float, 1, Eigen::Dynamic>;

std::vector<float> ToVector(const at::Tensor& t) {
  at::Tensor c = t.detach().to(at::kCPU, at::kFloat).contiguous();
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

// softplus as ATen computes it (threshold 20: linear above).
inline float Softplus(float x) { return x > 20.f ? x : std::log1p(std::exp(x)); }

// Scratch slots.
constexpr int kInput = 0, kBufferA = 1, kBufferB = 2, kAccumulator = 3;

}  // namespace

FusedEnsemble::FusedEnsemble(const EnsembleWeights& w, Activation activation) : activation_(activation) {
  members_ = w.members();
  const size_t layers = w.weight.size();
  in_ = w.weight[0].size(1);
  out_ = w.weight.back().size(2);
  obs_dim_ = out_ / 2 - 1;
  action_dim_ = in_ - obs_dim_;
  weight_.resize(members_);
  bias_.resize(members_);
  for (size_t l = 0; l < layers; ++l) {
    in_dims_.push_back(w.weight[l].size(1));
    out_dims_.push_back(w.weight[l].size(2));
    widest_ = std::max(widest_, out_dims_.back());
    for (int64_t m = 0; m < members_; ++m) {
      weight_[m].push_back(ToVector(w.weight[l][m]));  // [in, out] row-major
      bias_[m].push_back(ToVector(w.bias[l][m]));      // [out]
    }
  }
  max_logvar_ = ToVector(w.max_logvar);
  min_logvar_ = ToVector(w.min_logvar);
  input_mean_ = ToVector(w.input_mean);
  input_inv_std_ = ToVector(w.input_std);
  for (float& s : input_inv_std_) s = 1.f / s;
  target_mean_ = ToVector(w.target_mean);
  target_std_ = ToVector(w.target_std);
}

const float* FusedEnsemble::Forward(int64_t member, int64_t n, const float* x, float* a, float* b) const {
  const float* in = x;
  float* buffers[2] = {a, b};
  int cur = 0;
  const size_t layers = in_dims_.size();
  for (size_t l = 0; l < layers; ++l) {
    Eigen::Map<const RowMatrix> input(in, n, in_dims_[l]);                          // [n, in]
    Eigen::Map<const RowMatrix> weight(weight_[member][l].data(), in_dims_[l], out_dims_[l]);  // [in, out]
    Eigen::Map<const RowVector> bias(bias_[member][l].data(), out_dims_[l]);        // [out]
    Eigen::Map<RowMatrix> out(buffers[cur], n, out_dims_[l]);                       // [n, out]
    out.noalias() = input * weight;
    out.rowwise() += bias;
    if (l + 1 < layers) {
      auto h = out.array();
      if (activation_ == Activation::kSilu) {
        h = h / (1.f + (-h).exp());
      } else {
        h = h.max(0.f);
      }
    }
    in = buffers[cur];
    cur ^= 1;
  }
  return in;  // [n, 2D]
}

void FusedEnsemble::Step(const CpuStep& step, const TerminationFn* termination) const {
  AUGUR_CHECK(step.scratch != nullptr) << "CpuStep::scratch is required";
  AUGUR_CHECK(members_ > 0) << "fused ensemble used before export";
  const int64_t rows = step.rows, o = obs_dim_, a_dim = action_dim_, d = obs_dim_ + 1;
  if (rows == 0) return;
  const bool expectation = step.member_begin.empty();
  if (!expectation) {
    const auto& mb = step.member_begin;
    if (static_cast<int64_t>(mb.size()) != members_ + 1 || mb.front() != 0 || mb.back() != rows) {
      throw ShapeError(StrCat("ensemble step: member_begin must have members + 1 = ", members_ + 1,
                              " offsets from 0 to rows = ", rows, " but has ", mb.size(), " offsets from ",
                              mb.empty() ? -1 : mb.front(), " to ", mb.empty() ? -1 : mb.back()));
    }
    for (int64_t m = 0; m < members_; ++m) {
      if (mb[m + 1] < mb[m]) throw ShapeError("ensemble step: member_begin offsets must be non-decreasing");
    }
  }
  Scratch& scratch = *step.scratch;
  float* x = scratch.Floats(kInput, rows * in_).data();
  float* buf_a = scratch.Floats(kBufferA, rows * widest_).data();
  float* buf_b = scratch.Floats(kBufferB, rows * widest_).data();

  // Normalized inputs [rows, O + A].
  for (int64_t r = 0; r < rows; ++r) {
    const float* s = step.state + r * o;
    const float* act = step.action + r * a_dim;
    float* xr = x + r * in_;
    for (int64_t i = 0; i < o; ++i) xr[i] = (s[i] - input_mean_[i]) * input_inv_std_[i];
    for (int64_t i = 0; i < a_dim; ++i) xr[o + i] = (act[i] - input_mean_[o + i]) * input_inv_std_[o + i];
  }

  auto bounded_logvar = [&](float raw, int64_t k) {
    float lv = max_logvar_[k] - Softplus(max_logvar_[k] - raw);
    return min_logvar_[k] + Softplus(lv - min_logvar_[k]);
  };
  // Writes row r from its normalized output row `y` ([2D]: mean then raw log-variance).
  auto write_row = [&](int64_t r, const float* y) {
    for (int64_t k = 0; k < d; ++k) {
      float v = y[k];
      if (step.rng != nullptr) v += std::exp(0.5f * bounded_logvar(y[d + k], k)) * step.rng->Normal();
      const float value = target_mean_[k] + target_std_[k] * v;
      if (k < o) {
        step.next_state[r * o + k] = step.state[r * o + k] + value;
      } else {
        step.reward[r] = value;
      }
    }
  };
  auto std_norm = [&](const float* y) {
    float sum = 0.f;
    for (int64_t k = 0; k < d; ++k) {
      const float s = target_std_[k] * std::exp(0.5f * bounded_logvar(y[d + k], k));
      sum += s * s;
    }
    return std::sqrt(sum);
  };

  if (step.uncertainty != nullptr) std::fill(step.uncertainty, step.uncertainty + rows, 0.f);
  if (expectation) {
    float* acc = scratch.Floats(kAccumulator, rows * d).data();
    std::fill(acc, acc + rows * d, 0.f);
    for (int64_t m = 0; m < members_; ++m) {
      const float* y = Forward(m, rows, x, buf_a, buf_b);  // [rows, 2D]
      for (int64_t r = 0; r < rows; ++r) {
        const float* yr = y + r * 2 * d;
        for (int64_t k = 0; k < d; ++k) acc[r * d + k] += yr[k];
        if (step.uncertainty != nullptr) step.uncertainty[r] = std::max(step.uncertainty[r], std_norm(yr));
      }
    }
    const float inv = 1.f / static_cast<float>(members_);
    for (int64_t r = 0; r < rows; ++r) {
      for (int64_t k = 0; k < d; ++k) {
        const float value = target_mean_[k] + target_std_[k] * (acc[r * d + k] * inv);
        if (k < o) {
          step.next_state[r * o + k] = step.state[r * o + k] + value;
        } else {
          step.reward[r] = value;
        }
      }
    }
  } else if (step.uncertainty != nullptr) {
    // Every member on every row for the max-norm; each group's rows take their own member's output.
    for (int64_t m = 0; m < members_; ++m) {
      const float* y = Forward(m, rows, x, buf_a, buf_b);
      for (int64_t r = 0; r < rows; ++r) step.uncertainty[r] = std::max(step.uncertainty[r], std_norm(y + r * 2 * d));
      for (int64_t r = step.member_begin[m]; r < step.member_begin[m + 1]; ++r) write_row(r, y + r * 2 * d);
    }
  } else {
    for (int64_t m = 0; m < members_; ++m) {
      const int64_t begin = step.member_begin[m], n = step.member_begin[m + 1] - begin;
      if (n == 0) continue;
      const float* y = Forward(m, n, x + begin * in_, buf_a, buf_b);
      for (int64_t r = 0; r < n; ++r) write_row(begin + r, y + r * 2 * d);
    }
  }

  if (termination != nullptr && termination->can_terminate()) {
    termination->DoneCpu(rows, o, step.next_state, step.done);
  } else {
    std::fill(step.done, step.done + rows, 0.f);
  }
}

}  // namespace augur::models
