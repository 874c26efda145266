#include "augur/models/ensemble/fused_ensemble.h"

#include <ATen/ATen.h>

#include <Eigen/Core>
#if defined(__AVX512BF16__)
#include <immintrin.h>
#endif
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>

#include "augur/core/error.h"
#include "augur/core/executor.h"
#include "augur/core/rng.h"
#include "augur/models/ensemble/ensemble_weights.h"
#include "augur/models/termination.h"
#include "dense_kernel.h"

#ifdef AUGUR_HAVE_ONEDNN
// oneDNN's C BLAS-like entry points (dnnl.h, oneDNN 2.x; declared here because Debian ships libdnnl without its
// headers unless libdnnl-dev is installed). Row-major: C = alpha * op(A) * op(B) + beta * C. dnnl_dim_t is
// int64_t, dnnl_status_t an enum with dnnl_success = 0, bfloat16 values are passed as uint16_t.
extern "C" {
int dnnl_sgemm(char transa, char transb, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
               const float* B, int64_t ldb, float beta, float* C, int64_t ldc);
int dnnl_gemm_bf16bf16f32(char transa, char transb, int64_t M, int64_t N, int64_t K, float alpha, const uint16_t* A,
                          int64_t lda, const uint16_t* B, int64_t ldb, float beta, float* C, int64_t ldc);
}
#endif

namespace augur::models {
namespace {

std::atomic<int64_t> g_gemm_min_rows{FusedEnsemble::kOneDnnMinRows};
std::atomic<bool> g_dense_kernel{true};

// fp32 -> bfloat16, round to nearest even (inputs here are finite).
inline uint16_t ToBf16(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof(u));
  u += 0x7FFFu + ((u >> 16) & 1u);
  return static_cast<uint16_t>(u >> 16);
}

void ToBf16(const float* in, int64_t n, uint16_t* out) {
  int64_t i = 0;
#if defined(__AVX512BF16__) && defined(__AVX512F__)
  // 16 values per instruction (round to nearest even, as the scalar tail).
  for (; i + 16 <= n; i += 16) {
    const __m256bh packed = _mm512_cvtneps_pbh(_mm512_loadu_ps(in + i));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i), reinterpret_cast<const __m256i&>(packed));
  }
#endif
  for (; i < n; ++i) out[i] = ToBf16(in[i]);
}

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using RowVector = Eigen::Matrix<float, 1, Eigen::Dynamic>;

std::vector<float> ToVector(const at::Tensor& t) {
  at::Tensor c = t.detach().to(at::kCPU, at::kFloat).contiguous();
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

// out = softplus(x) as ATen computes it (threshold 20: linear above), vectorized.
template <typename In>
void Softplus(const In& x, Eigen::Map<Eigen::ArrayXf> out) {
  out = (x > 20.f).select(x, x.exp().log1p());
}

// Scratch slots.
constexpr int kInput = 0, kBufferA = 1, kBufferB = 2, kAccumulator = 3, kBf16 = 4, kStd = 5, kNoise = 6,
              kOutput = 7;

}  // namespace

bool FusedEnsemble::has_onednn() {
#ifdef AUGUR_HAVE_ONEDNN
  return true;
#else
  return false;
#endif
}
int64_t FusedEnsemble::gemm_min_rows() { return g_gemm_min_rows.load(std::memory_order_relaxed); }
void FusedEnsemble::set_gemm_min_rows(int64_t rows) { g_gemm_min_rows.store(rows, std::memory_order_relaxed); }
bool FusedEnsemble::has_dense_kernel() { return kernels::dense_kernel_available(); }
bool FusedEnsemble::dense_kernel() {
  return kernels::dense_kernel_available() && g_dense_kernel.load(std::memory_order_relaxed);
}
void FusedEnsemble::set_dense_kernel(bool on) { g_dense_kernel.store(on, std::memory_order_relaxed); }

FusedEnsemble::FusedEnsemble(const EnsembleWeights& w, Activation activation, Precision precision)
    : activation_(activation), precision_(has_onednn() ? precision : Precision::kFp32) {
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
  if (precision_ == Precision::kBf16) {
    weight16_.resize(members_);
    for (int64_t m = 0; m < members_; ++m) {
      for (const std::vector<float>& layer : weight_[m]) {
        weight16_[m].emplace_back(layer.size());
        ToBf16(layer.data(), static_cast<int64_t>(layer.size()), weight16_[m].back().data());
      }
    }
    bool even_hidden = true;
    for (size_t l = 0; l + 1 < layers; ++l) even_hidden = even_hidden && out_dims_[l] % 2 == 0;
    if (kernels::dense_bf16_available() && even_hidden) {
      packed16_.resize(members_);
      for (int64_t m = 0; m < members_; ++m) {
        for (size_t l = 0; l < layers; ++l) {
          packed16_[m].emplace_back(((in_dims_[l] + 1) / 2) * out_dims_[l] * 2);
          kernels::PackBf16Pairs(in_dims_[l], out_dims_[l], weight16_[m][l].data(), packed16_[m].back().data());
        }
      }
    }
  }
  max_logvar_ = ToVector(w.max_logvar);
  min_logvar_ = ToVector(w.min_logvar);
  input_mean_ = ToVector(w.input_mean);
  input_inv_std_ = ToVector(w.input_std);
  for (float& s : input_inv_std_) s = 1.f / s;
  target_mean_ = ToVector(w.target_mean);
  target_std_ = ToVector(w.target_std);
  // Per-output constants repeated for kTileRows rows, so that the output epilogue runs on flat arrays.
  const int64_t d = obs_dim_ + 1;
  for (std::vector<float>* tiled : {&tiled_max_logvar_, &tiled_min_logvar_, &tiled_target_mean_, &tiled_target_std_,
                                    &tiled_exp_max_logvar_, &tiled_exp_min_logvar_}) {
    tiled->resize(kTileRows * d);
  }
  for (int64_t i = 0; i < kTileRows * d; ++i) {
    tiled_max_logvar_[i] = max_logvar_[i % d];
    tiled_min_logvar_[i] = min_logvar_[i % d];
    tiled_exp_max_logvar_[i] = std::exp(max_logvar_[i % d]);
    tiled_exp_min_logvar_[i] = std::exp(min_logvar_[i % d]);
    exp_bounds_ = exp_bounds_ && std::isfinite(tiled_exp_max_logvar_[i]) && tiled_exp_max_logvar_[i] < 1e30f &&
                  std::isfinite(tiled_exp_min_logvar_[i]);
    tiled_target_mean_[i] = target_mean_[i % d];
    tiled_target_std_[i] = target_std_[i % d];
  }
}

void FusedEnsemble::OutputStd(int64_t rows, const float* y, float* out, float* tmp) const {
  // out [rows, D] = exp(0.5 * bounded log-variance) of y's second half, as the tensor path computes it:
  // lv = max - softplus(max - raw); lv = min + softplus(lv - min); softplus linear above 20 (ATen's threshold).
  const int64_t d = obs_dim_ + 1, n = rows * d;
  for (int64_t r = 0; r < rows; ++r) std::memcpy(out + r * d, y + r * 2 * d + d, d * sizeof(float));
  if (kernels::dense_kernel_available() && exp_bounds_) {
    kernels::BoundedStd(n, out, tiled_max_logvar_.data(), tiled_exp_max_logvar_.data(), tiled_exp_min_logvar_.data());
    return;
  }
  Eigen::Map<Eigen::ArrayXf> lv(out, n);
  Eigen::Map<const Eigen::ArrayXf> max_lv(tiled_max_logvar_.data(), n), min_lv(tiled_min_logvar_.data(), n);
  Eigen::Map<Eigen::ArrayXf> t(tmp, n);
  t = max_lv - lv;
  Softplus(t, t);
  lv = max_lv - t;
  t = lv - min_lv;
  Softplus(t, t);
  lv = ((min_lv + t) * 0.5f).exp();
}

void FusedEnsemble::WriteRows(const CpuStep& step, int64_t begin, int64_t rows, const float* y, float* std_buf,
                              float* noise) const {
  // Denormalized sample (or mean) of (delta obs, reward) for rows [begin, begin + rows), kTileRows at a time:
  // value = target_mean + target_std * (mean + std * z), z ~ N(0, 1) from step.rng in row order.
  const int64_t o = obs_dim_, d = obs_dim_ + 1;
  for (int64_t r0 = 0; r0 < rows; r0 += kTileRows) {
    const int64_t n_rows = std::min(kTileRows, rows - r0), n = n_rows * d;
    const float* yc = y + r0 * 2 * d;
    Eigen::Map<Eigen::ArrayXf> value(noise, n);
    if (step.rng != nullptr) {
      OutputStd(n_rows, yc, std_buf, noise);
      step.rng->FillNormal(std::span<float>(noise, n));
      value *= Eigen::Map<const Eigen::ArrayXf>(std_buf, n);
    } else {
      value.setZero();
    }
    for (int64_t r = 0; r < n_rows; ++r) {
      for (int64_t k = 0; k < d; ++k) noise[r * d + k] += yc[r * 2 * d + k];
    }
    value = Eigen::Map<const Eigen::ArrayXf>(tiled_target_mean_.data(), n) +
            Eigen::Map<const Eigen::ArrayXf>(tiled_target_std_.data(), n) * value;
    for (int64_t r = 0; r < n_rows; ++r) {
      const int64_t row = begin + r0 + r;
      const float* v = noise + r * d;
      const float* s = step.state + row * o;
      float* next = step.next_state + row * o;
      for (int64_t k = 0; k < o; ++k) next[k] = s[k] + v[k];
      step.reward[row] = v[o];
    }
  }
}

void FusedEnsemble::MaxStdNorm(int64_t rows, const float* y, float* std_buf, float* tmp, float* uncertainty) const {
  // uncertainty[r] = max(uncertainty[r], ||target_std * std_r||) for the rows of y [rows, 2D].
  const int64_t d = obs_dim_ + 1;
  for (int64_t r0 = 0; r0 < rows; r0 += kTileRows) {
    const int64_t n_rows = std::min(kTileRows, rows - r0), n = n_rows * d;
    OutputStd(n_rows, y + r0 * 2 * d, std_buf, tmp);
    Eigen::Map<Eigen::ArrayXf> s(std_buf, n);
    s = (s * Eigen::Map<const Eigen::ArrayXf>(tiled_target_std_.data(), n)).square();
    for (int64_t r = 0; r < n_rows; ++r) {
      float sum = 0.f;
      for (int64_t k = 0; k < d; ++k) sum += std_buf[r * d + k];
      uncertainty[r0 + r] = std::max(uncertainty[r0 + r], std::sqrt(sum));
    }
  }
}

const float* FusedEnsemble::Forward(int64_t member, int64_t n, const float* x, float* a, float* b, uint16_t* h16,
                                    float* out_last) const {
  const float* in = x;
  float* buffers[2] = {a, b};
  int cur = 0;
  const size_t layers = in_dims_.size();
  if (precision_ == Precision::kBf16 && dense_kernel() && !packed16_.empty()) {
    // bf16 layers through the vdpbf16ps kernel: the normalized inputs rounded once (rows padded to an even
    // count of values), hidden layers written directly as bf16 into a / b, the last layer in fp32.
    const int64_t ld0 = (in_dims_[0] + 1) / 2 * 2;
    for (int64_t r = 0; r < n; ++r) {
      ToBf16(x + r * in_dims_[0], in_dims_[0], h16 + r * ld0);
      if (ld0 != in_dims_[0]) h16[r * ld0 + in_dims_[0]] = 0;
    }
    const uint16_t* in16 = h16;
    int64_t ld = ld0;
    const kernels::DenseAct hidden_act =
        activation_ == Activation::kSilu ? kernels::DenseAct::kSilu : kernels::DenseAct::kRelu;
    for (size_t l = 0; l < layers; ++l) {
      if (l + 1 == layers) {
        float* target = out_last != nullptr ? out_last : buffers[cur];
        kernels::DenseBf16(n, in_dims_[l], out_dims_[l], in16, ld, packed16_[member][l].data(),
                           bias_[member][l].data(), target, nullptr, out_dims_[l], kernels::DenseAct::kNone);
        return target;
      }
      uint16_t* y16 = reinterpret_cast<uint16_t*>(buffers[cur]);
      kernels::DenseBf16(n, in_dims_[l], out_dims_[l], in16, ld, packed16_[member][l].data(), bias_[member][l].data(),
                         nullptr, y16, out_dims_[l], hidden_act);
      in16 = y16;
      ld = out_dims_[l];  // even for the hidden widths this path takes (checked in the constructor)
      cur ^= 1;
    }
  }
  if (precision_ == Precision::kFp32 && dense_kernel()) {
    // Register-blocked layers with the bias and activation fused (dense_kernel.h).
    const kernels::DenseAct hidden_act =
        activation_ == Activation::kSilu ? kernels::DenseAct::kSilu : kernels::DenseAct::kRelu;
    for (size_t l = 0; l < layers; ++l) {
      const bool last = l + 1 == layers;
      float* target = last && out_last != nullptr ? out_last : buffers[cur];
      kernels::Dense(n, in_dims_[l], out_dims_[l], in, in_dims_[l], weight_[member][l].data(),
                     bias_[member][l].data(), target, out_dims_[l], last ? kernels::DenseAct::kNone : hidden_act);
      in = target;
      cur ^= 1;
    }
    return in;
  }
  [[maybe_unused]] const bool onednn = has_onednn() && n >= gemm_min_rows();
  const bool bf16 = precision_ == Precision::kBf16;
  for (size_t l = 0; l < layers; ++l) {
    Eigen::Map<const RowMatrix> input(in, n, in_dims_[l]);                          // [n, in]
    Eigen::Map<const RowMatrix> weight(weight_[member][l].data(), in_dims_[l], out_dims_[l]);  // [in, out]
    Eigen::Map<const RowVector> bias(bias_[member][l].data(), out_dims_[l]);        // [out]
    Eigen::Map<RowMatrix> out(buffers[cur], n, out_dims_[l]);                       // [n, out]
#ifdef AUGUR_HAVE_ONEDNN
    if (bf16) {
      // Whatever the row count: bf16 exists only through oneDNN.
      ToBf16(in, n * in_dims_[l], h16);
      const int status = dnnl_gemm_bf16bf16f32('N', 'N', n, out_dims_[l], in_dims_[l], 1.f, h16, in_dims_[l],
                                               weight16_[member][l].data(), out_dims_[l], 0.f, buffers[cur],
                                               out_dims_[l]);
      AUGUR_CHECK_EQ(status, 0) << "dnnl_gemm_bf16bf16f32 failed";
    } else if (onednn) {
      const int status = dnnl_sgemm('N', 'N', n, out_dims_[l], in_dims_[l], 1.f, in, in_dims_[l],
                                    weight_[member][l].data(), out_dims_[l], 0.f, buffers[cur], out_dims_[l]);
      AUGUR_CHECK_EQ(status, 0) << "dnnl_sgemm failed";
    } else {
      out.noalias() = input * weight;
    }
#else
    (void)bf16;
    (void)h16;
    out.noalias() = input * weight;
#endif
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
  if (out_last != nullptr) {
    std::memcpy(out_last, in, sizeof(float) * n * out_dims_.back());
    return out_last;
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
  // bf16 layer inputs, two per float of the slot.
  uint16_t* h16 = precision_ == Precision::kBf16
                      ? reinterpret_cast<uint16_t*>(
                            scratch.Floats(kBf16, (rows * std::max(in_ + 1, widest_) + 1) / 2).data())
                      : nullptr;

  // Normalized inputs [rows, O + A].
  if (kernels::dense_kernel_available()) {
    kernels::NormalizeInputs(rows, o, a_dim, step.state, step.action, input_mean_.data(), input_inv_std_.data(), x);
  } else {
    for (int64_t r = 0; r < rows; ++r) {
      const float* s = step.state + r * o;
      const float* act = step.action + r * a_dim;
      float* xr = x + r * in_;
      for (int64_t i = 0; i < o; ++i) xr[i] = (s[i] - input_mean_[i]) * input_inv_std_[i];
      for (int64_t i = 0; i < a_dim; ++i) xr[o + i] = (act[i] - input_mean_[o + i]) * input_inv_std_[o + i];
    }
  }

  const int64_t tile = kTileRows * d;
  float* std_buf = scratch.Floats(kStd, tile).data();
  float* noise = scratch.Floats(kNoise, tile).data();

  if (step.uncertainty != nullptr) std::fill(step.uncertainty, step.uncertainty + rows, 0.f);
  if (expectation) {
    float* acc = scratch.Floats(kAccumulator, rows * d).data();
    std::fill(acc, acc + rows * d, 0.f);
    for (int64_t m = 0; m < members_; ++m) {
      const float* y = Forward(m, rows, x, buf_a, buf_b, h16);  // [rows, 2D]
      for (int64_t r = 0; r < rows; ++r) {
        for (int64_t k = 0; k < d; ++k) acc[r * d + k] += y[r * 2 * d + k];
      }
      if (step.uncertainty != nullptr) MaxStdNorm(rows, y, std_buf, noise, step.uncertainty);
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
    float* out = scratch.Floats(kOutput, rows * out_).data();  // the slot the branch below uses: no growth between
    for (int64_t m = 0; m < members_; ++m) {
      const float* y = Forward(m, rows, x, buf_a, buf_b, h16, out);
      MaxStdNorm(rows, y, std_buf, noise, step.uncertainty);
      const int64_t begin = step.member_begin[m];
      WriteRows(step, begin, step.member_begin[m + 1] - begin, y + begin * 2 * d, std_buf, noise);
    }
  } else {
    // Every group's outputs into one [rows, 2D] buffer, then one epilogue pass over all rows.
    float* y = scratch.Floats(kOutput, rows * out_).data();
    for (int64_t m = 0; m < members_; ++m) {
      const int64_t begin = step.member_begin[m], n = step.member_begin[m + 1] - begin;
      if (n == 0) continue;
      Forward(m, n, x + begin * in_, buf_a, buf_b, h16, y + begin * out_);
    }
    WriteRows(step, 0, rows, y, std_buf, noise);
  }

  if (termination != nullptr && termination->can_terminate()) {
    termination->DoneCpu(rows, o, step.next_state, step.done);
  } else {
    std::fill(step.done, step.done + rows, 0.f);
  }
}

}  // namespace augur::models
