// A register-blocked dense layer for the fused ensemble's small member groups (private to models/):
// y[n, out] = act(x[n, in] * w[in, out] + b[out]), all row-major, on the calling thread, no allocation.
// Built with AVX-512 (AUGUR_NATIVE on an AVX-512 host) it keeps a block of rows x up to 64 output columns in
// zmm registers across the whole k loop (weights of a 64 x 64 layer stay in L1), adds the bias and applies the
// activation in registers (SiLU through a Cephes-style exp and a Newton-refined reciprocal), and stores once.
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

// lv[i] <- exp(0.5 * bounded(lv[i])), bounded(v) = lo + softplus(hi - softplus(hi - v) - lo) with hi = max_lv[i],
// lo = min_lv[i] (the ensemble's soft log-variance bounds; softplus as ATen's, linear above 20). i < n.
void BoundedStd(int64_t n, float* lv, const float* max_lv, const float* min_lv);

}  // namespace augur::models::kernels
