// A register-blocked dense layer for the fused ensemble's small member groups (private to models/):
// y[n, out] = act(x[n, in] * w[in, out] + b[out]), all row-major, on the calling thread, no allocation.
// Built with AVX-512 (AUGUR_NATIVE on an AVX-512 host) it keeps a block of rows x up to 64 output columns (zmm)
// or 32 (ymm, where out % 16 leaves half a zmm idle: 36, 200) in registers across the whole k loop, adds the
// bias and applies the activation in registers (SiLU through a polynomial exp and one division), and stores once.
// dense_kernel_available() is false in a build without AVX-512: callers use their other GEMM.
// Sums run over k in order with one FMA per term: results agree with a BLAS GEMM to float rounding (~1e-6).
#pragma once

#include <cstdint>

namespace augur::models::kernels {

enum class DenseAct { kNone, kSilu, kRelu };

bool dense_kernel_available();

// ldx / ldy: row strides of x and y (>= in / out). w is [in, out] with row stride out.
void Dense(int64_t n, int64_t in, int64_t out, const float* x, int64_t ldx, const float* w, const float* b, float* y,
           int64_t ldy, DenseAct act);

// The bf16 variant (AVX-512 BF16 builds): x rounded to bf16 with an even row stride ldx (a padded odd k must
// hold a finite value; its weights are zero), weights packed by PackBf16Pairs, products summed pairwise by
// vdpbf16ps into fp32 accumulators; the bias and the activation in fp32. Output: fp32 rows in y, or (y ==
// nullptr) rounded to bf16 in y16 (the next layer's input); ldy is the output's row stride in elements.
bool dense_bf16_available();
// w: bf16 [in, out] row-major -> packed [(in + 1) / 2][out][2] (k pairs interleaved per column, odd tail zero).
void PackBf16Pairs(int64_t in, int64_t out, const uint16_t* w, uint16_t* packed);
void DenseBf16(int64_t n, int64_t in, int64_t out, const uint16_t* x, int64_t ldx, const uint16_t* packed,
               const float* b, float* y, uint16_t* y16, int64_t ldy, DenseAct act);

// x[r, :] = ([state[r, :], action[r, :]] - mean) * inv_std for r < rows (x row-major [rows, s_dim + a_dim]), with
// the same two roundings per value as the scalar loop (subtract, then multiply).
void NormalizeInputs(int64_t rows, int64_t s_dim, int64_t a_dim, const float* state, const float* action,
                     const float* mean, const float* inv_std, float* x);

// lv[i] <- exp(0.5 * bounded(lv[i])), the predicted std of a raw log-variance output under the ensemble's soft
// bounds, bounded(v) = lo + softplus(hi - softplus(hi - v) - lo) with hi = max_lv[i], lo = min_lv[i]. Since
// exp(softplus(y)) = 1 + exp(y), exp(bounded(v)) = exp(lo) + exp(hi) / (1 + exp(hi - v)): one exp, one
// division and one square root per value (exp_max_lv[i] = exp(hi), exp_min_lv[i] = exp(lo), finite). Matches
// the two-softplus form (ATen's softplus is linear above 20: a difference below exp(-20) relative) to ~1e-7.
void BoundedStd(int64_t n, float* lv, const float* max_lv, const float* exp_max_lv, const float* exp_min_lv);

}  // namespace augur::models::kernels
