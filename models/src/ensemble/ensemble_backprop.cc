#include "augur/models/ensemble/ensemble_backprop.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <Eigen/Core>
#include <algorithm>
#include <cstring>

#include "augur/core/error.h"

#ifdef AUGUR_HAVE_ONEDNN
// oneDNN's row-major C = alpha * op(A) * op(B) + beta * C (dnnl.h, oneDNN 2.x; Debian ships libdnnl without
// headers, see models/CMakeLists.txt). Inside a parallel region it runs on the calling thread only.
extern "C" int dnnl_sgemm(char transa, char transb, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
                          int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc);
#endif

namespace augur::models {
namespace {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstRowMap = Eigen::Map<const RowMatrix, 0, Eigen::OuterStride<>>;
using RowMap = Eigen::Map<RowMatrix, 0, Eigen::OuterStride<>>;
using Array = Eigen::ArrayXf;
using ArrayMap = Eigen::Map<Eigen::ArrayXf>;
using ConstArrayMap = Eigen::Map<const Eigen::ArrayXf>;

// Row-major C[m, n] = op(A) op(B), op(A) [m, k], op(B) [k, n]; A stored [m, k] (or [k, m] when ta), B [k, n]
// (or [n, k] when tb), with leading dimensions lda, ldb, ldc.
void Gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b,
          int64_t ldb, float* c, int64_t ldc) {
  if (m == 0 || n == 0) return;
#ifdef AUGUR_HAVE_ONEDNN
  const int status = dnnl_sgemm(ta ? 'T' : 'N', tb ? 'T' : 'N', m, n, k, 1.f, a, lda, b, ldb, 0.f, c, ldc);
  AUGUR_CHECK_EQ(status, 0) << "dnnl_sgemm failed";
#else
  RowMap out(c, m, n, Eigen::OuterStride<>(ldc));
  const ConstRowMap am(a, ta ? k : m, ta ? m : k, Eigen::OuterStride<>(lda));
  const ConstRowMap bm(b, tb ? n : k, tb ? k : n, Eigen::OuterStride<>(ldb));
  if (ta && tb) out.noalias() = am.transpose() * bm.transpose();
  else if (ta) out.noalias() = am.transpose() * bm;
  else if (tb) out.noalias() = am * bm.transpose();
  else out.noalias() = am * bm;
#endif
}

const float* Data(const at::Tensor& t) { return t.data_ptr<float>(); }
float* MutableData(const at::Tensor& t) { return t.data_ptr<float>(); }

void CheckTensor(const at::Tensor& t, at::IntArrayRef sizes, const char* what) {
  if (!t.defined() || t.device().type() != at::kCPU || t.scalar_type() != at::kFloat || !t.is_contiguous() ||
      t.sizes() != sizes) {
    throw ShapeError(StrCat("ensemble backprop: ", what, " must be a contiguous CPU float tensor of shape ", sizes,
                            ", got ", t.defined() ? StrCat(t.sizes(), " ", t.scalar_type()) : std::string("undefined")));
  }
}

}  // namespace

bool EnsembleBackprop::uses_onednn() {
#ifdef AUGUR_HAVE_ONEDNN
  return true;
#else
  return false;
#endif
}

EnsembleBackprop::EnsembleBackprop(const EnsembleWeights& shape, Activation activation, int64_t max_rows)
    : activation_(activation), members_(shape.members()), max_rows_(max_rows) {
  if (shape.weight.empty() || max_rows < 1) {
    throw ShapeError(StrCat("ensemble backprop: needs at least one layer and max_rows >= 1, got ",
                            shape.weight.size(), " layers and max_rows ", max_rows));
  }
  layers_ = static_cast<int64_t>(shape.weight.size()) - 1;
  for (const at::Tensor& w : shape.weight) {
    in_dims_.push_back(w.size(1));
    out_dims_.push_back(w.size(2));
  }
  d_ = out_dims_.back() / 2;
  const size_t rows = static_cast<size_t>(members_ * max_rows);
  for (int64_t l = 0; l <= layers_; ++l) {
    act_.emplace_back(rows * in_dims_[l]);
    dz_.emplace_back(rows * out_dims_[l]);
    if (l < layers_ && activation_ == Activation::kSilu) sig_.emplace_back(rows * out_dims_[l]);
  }
  out_.resize(rows * 2 * d_);
  target_.resize(rows * d_);
  bound_grad_.resize(2 * members_ * 2 * d_);
  nll_.resize(2 * members_);
}

double EnsembleBackprop::LossAndGrad(const EnsembleWeights& params, const EnsembleWeights& grads, const at::Tensor& x,
                                     const at::Tensor& y, const int64_t* index, int64_t rows, double bound_weight,
                                     const BlockDone& done) {
  if (rows < 1 || rows > max_rows_) {
    throw ShapeError(StrCat("ensemble backprop: rows = ", rows, " must lie in [1, ", max_rows_, "]"));
  }
  if (static_cast<int64_t>(params.weight.size()) != layers_ + 1 ||
      static_cast<int64_t>(grads.weight.size()) != layers_ + 1) {
    throw ShapeError(StrCat("ensemble backprop: expected ", layers_ + 1, " layers of parameters and gradients"));
  }
  for (int64_t l = 0; l <= layers_; ++l) {
    CheckTensor(params.weight[l], {members_, in_dims_[l], out_dims_[l]}, "weight");
    CheckTensor(grads.weight[l], {members_, in_dims_[l], out_dims_[l]}, "weight gradient");
    CheckTensor(params.bias[l], {members_, 1, out_dims_[l]}, "bias");
    CheckTensor(grads.bias[l], {members_, 1, out_dims_[l]}, "bias gradient");
  }
  for (const at::Tensor* t : {&params.max_logvar, &params.min_logvar, &grads.max_logvar, &grads.min_logvar}) {
    CheckTensor(*t, {d_}, "log-variance bound");
  }
  const int64_t in0 = in_dims_[0], d = d_, n_data = x.defined() ? x.size(0) : 0;
  CheckTensor(x, {n_data, in0}, "x");
  CheckTensor(y, {n_data, d}, "y");
  const float* xd = Data(x);
  const float* yd = Data(y);
  const float* max_lv = Data(params.max_logvar);
  const float* min_lv = Data(params.min_logvar);
  const float inv_count = 1.f / static_cast<float>(rows * d);
  const int64_t tasks = 2 * members_, half_rows = (rows + 1) / 2;
  for (int64_t i = 0; i < members_ * rows; ++i) {
    if (index[i] < 0 || index[i] >= n_data) {
      throw ShapeError(StrCat("ensemble backprop: index[", i / rows, ", ", i % rows, "] = ", index[i],
                              " is out of range [0, ", n_data, ")"));
    }
  }
  std::fill(bound_grad_.begin(), bound_grad_.end(), 0.f);
  std::fill(nll_.begin(), nll_.end(), 0.0);

  // Phase 1: per (member, half of the rows): forward, loss gradient at the output, backward input chain.
  at::parallel_for(0, tasks, 1, [&](int64_t begin, int64_t end) {
    for (int64_t t = begin; t < end; ++t) {
      const int64_t m = t / 2, r0 = (t % 2) * half_rows, nr = t % 2 ? rows - half_rows : half_rows;
      if (nr == 0) continue;
      const int64_t base = m * max_rows_ + r0;  // first buffer row of this task
      // Gather the minibatch rows.
      for (int64_t r = 0; r < nr; ++r) {
        const int64_t row = index[m * rows + r0 + r];
        std::memcpy(&act_[0][(base + r) * in0], xd + row * in0, in0 * sizeof(float));
        std::memcpy(&target_[(base + r) * d], yd + row * d, d * sizeof(float));
      }
      // Forward.
      for (int64_t l = 0; l <= layers_; ++l) {
        const int64_t in = in_dims_[l], out = out_dims_[l];
        float* z = l < layers_ ? &act_[l + 1][base * out] : &out_[base * out];
        Gemm(false, false, nr, out, in, &act_[l][base * in], in, Data(params.weight[l]) + m * in * out, out, z, out);
        const ConstArrayMap b(Data(params.bias[l]) + m * out, out);
        for (int64_t r = 0; r < nr; ++r) {
          ArrayMap zr(z + r * out, out);
          zr += b;
          if (l == layers_) continue;
          if (activation_ == Activation::kSilu) {
            ArrayMap s(&sig_[l][(base + r) * out], out);
            s = 1.f / (1.f + (-zr).exp());
            zr *= s;
          } else {
            zr = zr.max(0.f);
          }
        }
      }
      // Loss and its gradient at the output, vectorized over the task's [nr, D] block.
      const int64_t n = nr * d;
      Array mu(n), raw(n), bmax(n), bmin(n);
      for (int64_t r = 0; r < nr; ++r) {
        const float* o = &out_[(base + r) * 2 * d];
        std::memcpy(&mu[r * d], o, d * sizeof(float));
        std::memcpy(&raw[r * d], o + d, d * sizeof(float));
        std::memcpy(&bmax[r * d], max_lv, d * sizeof(float));
        std::memcpy(&bmin[r * d], min_lv, d * sizeof(float));
      }
      // logvar = min + softplus(u), u = max - softplus(v) - min, v = max - raw; softplus as ATen (threshold 20),
      // its derivative as ATen's softplus_backward: e / (e + 1) below the threshold, 1 above. log(1 + e) instead
      // of log1p(e): Eigen vectorizes log but not log1p; the difference (< 1e-7 absolute) is below float
      // rounding of the bounds it is added to.
      const Array v = bmax - raw, ev = v.exp();
      const Array sv = (v > 20.f).select(1.f, ev / (ev + 1.f));
      const Array u = bmax - (v > 20.f).select(v, (ev + 1.f).log()) - bmin, eu = u.exp();
      const Array su = (u > 20.f).select(1.f, eu / (eu + 1.f));
      const Array logvar = bmin + (u > 20.f).select(u, (eu + 1.f).log());
      const Array diff = mu - ConstArrayMap(&target_[base * d], n);
      const Array inv_var = (-logvar).exp(), q = diff.square() * inv_var;
      nll_[t] = static_cast<double>((q + logvar).sum()) * inv_count;
      const Array g_mean = (2.f * inv_count) * diff * inv_var;
      const Array g_logvar = inv_count * (1.f - q);  // d loss / d logvar
      const Array g_upper = g_logvar * su;            // d loss / d (max - softplus(v))
      const Array g_raw = g_upper * sv;
      const Array g_min = g_logvar * (1.f - su), g_max = g_upper * (1.f - sv);
      float* bound = &bound_grad_[t * 2 * d];
      Eigen::Map<Eigen::VectorXf>(bound, d) = Eigen::Map<const Eigen::MatrixXf>(g_max.data(), d, nr).rowwise().sum();
      Eigen::Map<Eigen::VectorXf>(bound + d, d) = Eigen::Map<const Eigen::MatrixXf>(g_min.data(), d, nr).rowwise().sum();
      float* dout = &dz_[layers_][base * 2 * d];
      for (int64_t r = 0; r < nr; ++r) {
        std::memcpy(dout + r * 2 * d, &g_mean[r * d], d * sizeof(float));
        std::memcpy(dout + r * 2 * d + d, &g_raw[r * d], d * sizeof(float));
      }
      // Backward through the input gradients: dZ_{l-1} = (dZ_l W_l^T) * act'(z_{l-1}).
      for (int64_t l = layers_; l >= 1; --l) {
        const int64_t in = in_dims_[l], out = out_dims_[l];
        float* dprev = &dz_[l - 1][base * in];
        Gemm(false, true, nr, in, out, &dz_[l][base * out], out, Data(params.weight[l]) + m * in * out, out, dprev,
             in);
        ArrayMap g(dprev, nr * in);
        const ConstArrayMap a(&act_[l][base * in], nr * in);
        if (activation_ == Activation::kSilu) {
          const ConstArrayMap s(&sig_[l - 1][base * in], nr * in);
          g *= s + a * (1.f - s);  // silu'(z) = s + z s (1 - s), with a = z s
        } else {
          g = (a > 0.f).select(g, 0.f);
        }
      }
    }
  });

  // Phase 2: per (member, half of each layer's input rows): weight gradients A^T dZ; bias gradients (column
  // sums of dZ) split the same way over the output columns.
  at::parallel_for(0, tasks, 1, [&](int64_t begin, int64_t end) {
    for (int64_t t = begin; t < end; ++t) {
      const int64_t m = t / 2, half = t % 2;
      for (int64_t l = 0; l <= layers_; ++l) {
        const int64_t in = in_dims_[l], out = out_dims_[l];
        const int64_t i0 = half * ((in + 1) / 2), ni = half ? in - (in + 1) / 2 : (in + 1) / 2;
        const float* a = &act_[l][m * max_rows_ * in];
        const float* g = &dz_[l][m * max_rows_ * out];
        Gemm(true, false, ni, out, rows, a + i0, in, g, out, MutableData(grads.weight[l]) + (m * in + i0) * out,
             out);
        if (done && ni > 0) done(l, false, (m * in + i0) * out, (m * in + i0 + ni) * out);
        const int64_t c0 = half * ((out + 1) / 2), nc = half ? out - (out + 1) / 2 : (out + 1) / 2;
        Eigen::Map<Eigen::RowVectorXf> bias_grad(MutableData(grads.bias[l]) + m * out + c0, nc);
        bias_grad = ConstRowMap(g + c0, rows, nc, Eigen::OuterStride<>(out)).colwise().sum();
        if (done && nc > 0) done(l, true, m * out + c0, m * out + c0 + nc);
      }
    }
  });

  float* g_max = MutableData(grads.max_logvar);
  float* g_min = MutableData(grads.min_logvar);
  for (int64_t j = 0; j < d; ++j) {
    float gmax = static_cast<float>(bound_weight), gmin = -static_cast<float>(bound_weight);
    for (int64_t t = 0; t < tasks; ++t) {
      gmax += bound_grad_[t * 2 * d + j];
      gmin += bound_grad_[t * 2 * d + d + j];
    }
    g_max[j] = gmax;
    g_min[j] = gmin;
  }
  double nll = 0;
  for (double v : nll_) nll += v;
  return nll;
}

}  // namespace augur::models
