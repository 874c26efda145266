// The fused CPU inference path of the ensemble: weights exported from EnsembleWeights into contiguous
// row-major float buffers, then per member group one GEMM per layer followed by the bias and activation in one
// pass over the output. The GEMM is oneDNN's (dnnl_sgemm, or dnnl_gemm_bf16bf16f32 at Precision::kBf16) when
// the build found libdnnl and the member group has at least gemm_min_rows() rows, else Eigen's (compiled for
// the host ISA, AUGUR_NATIVE). Both run on the calling thread: callers parallelize over row chunks on their
// Executor (inside Executor tasks OpenMP, which oneDNN uses, is limited to one thread). In AVX-512 builds fp32
// layers use augur's own register-blocked kernel instead (dense_kernel() below). Buffers come from the
// caller's Scratch, so a warm call does not grow them (Eigen's and oneDNN's GEMMs may still use their own
// blocking buffers at large shapes). oneDNN sums in another order than Eigen or the tensor path: results
// agree to about 1e-6 relative in fp32.
#pragma once

#include <cstdint>
#include <vector>

#include "augur/core/world_model.h"
#include "augur/models/ensemble/ensemble_options.h"

namespace augur::models {

struct EnsembleWeights;
class TerminationFn;

class FusedEnsemble {
 public:
  FusedEnsemble() = default;
  // Copies w (any device; members = the inference members, e.g. the elites) into host float buffers.
  FusedEnsemble(const EnsembleWeights& w, Activation activation, Precision precision = Precision::kFp32);

  int64_t members() const { return members_; }
  Precision precision() const { return precision_; }
  // Whether this build calls oneDNN's GEMM (libdnnl found at configure time).
  static bool has_onednn();
  // Member groups with at least this many rows use oneDNN's GEMM (when present). Default kOneDnnMinRows;
  // the setter (process-wide, for benchmarks comparing the kernels) takes effect on the next Step.
  static int64_t gemm_min_rows();
  static void set_gemm_min_rows(int64_t rows);
  // Measured on the 2-core AVX-512 machine (bench/README.md): dnnl_sgemm beats Eigen's GEMM from 16 rows (the
  // smallest size measured) at widths 64 and 200, by 1.2x to 1.7x; smaller groups stay on Eigen.
  static constexpr int64_t kOneDnnMinRows = 16;
  // fp32 layers through augur's register-blocked AVX-512 kernel (models/src/ensemble/dense_kernel.h: bias and
  // activation fused, ~110 GFLOP/s per core at widths 64 and 200, ahead of dnnl_sgemm plus a separate
  // activation pass at every row count measured) instead of the oneDNN / Eigen GEMMs above. Available in
  // AVX-512 builds (AUGUR_NATIVE on an AVX-512 host); on by default there. The setter (process-wide, for
  // benchmarks comparing the kernels) takes effect on the next Step.
  static bool has_dense_kernel();
  static bool dense_kernel();
  static void set_dense_kernel(bool on);
  bool empty() const { return members_ == 0; }

  // One step as in WorldModel::StepCpu. Rows of member m are [member_begin[m], member_begin[m+1]); empty
  // member_begin = expectation (mean of the members' means, no sampling). With step.uncertainty set, every
  // member runs on every row (members x the cost) to take max_m ||std_m|| (denormalized (delta obs, reward)).
  // Noise: standard normals from step.rng (Rng::FillNormal, kTileRows rows of outputs per call), in row order.
  void Step(const CpuStep& step, const TerminationFn* termination) const;

 private:
  // out [n, 2D] = network of `member` on normalized inputs x [n, In], using scratch buffers a and b.
  // h16 (bf16 only): scratch of n * max(in_, widest_) bfloat16 values for the rounded layer inputs.
  // out_last: where the last layer writes (then returned), or nullptr (a or b).
  const float* Forward(int64_t member, int64_t n, const float* x, float* a, float* b, uint16_t* h16,
                       float* out_last = nullptr) const;
  // Output epilogue, vectorized over kTileRows rows at a time (std_buf and noise: kTileRows * D floats each).
  // out [rows, D] = predicted std (normalized units) of the network outputs y [rows, 2D].
  // tmp: kTileRows * D floats of scratch.
  void OutputStd(int64_t rows, const float* y, float* out, float* tmp) const;
  // Writes next_state / reward of rows [begin, begin + rows) from y (the group's outputs, first row = begin).
  void WriteRows(const CpuStep& step, int64_t begin, int64_t rows, const float* y, float* std_buf,
                 float* noise) const;
  // uncertainty[r] = max(uncertainty[r], norm of the denormalized predicted std of row r), r < rows.
  void MaxStdNorm(int64_t rows, const float* y, float* std_buf, float* tmp, float* uncertainty) const;

  static constexpr int64_t kTileRows = 64;

  Activation activation_ = Activation::kSilu;
  Precision precision_ = Precision::kFp32;
  int64_t members_ = 0, obs_dim_ = 0, action_dim_ = 0, in_ = 0, out_ = 0, widest_ = 0;
  std::vector<int64_t> in_dims_, out_dims_;                 // per layer
  std::vector<std::vector<std::vector<float>>> weight_;     // [member][layer] row-major [in, out]
  std::vector<std::vector<std::vector<float>>> bias_;       // [member][layer] [out]
  std::vector<std::vector<std::vector<uint16_t>>> weight16_;  // bf16 copies of weight_ (Precision::kBf16 only)
  // weight16_ in kernels::PackBf16Pairs' layout, for the vdpbf16ps kernel (AVX-512 BF16 builds; hidden widths
  // even), else empty.
  std::vector<std::vector<std::vector<uint16_t>>> packed16_;
  std::vector<float> max_logvar_, min_logvar_;              // [D]
  std::vector<float> input_mean_, input_inv_std_;           // [In]
  std::vector<float> target_mean_, target_std_;             // [D]
  // The four above repeated kTileRows times ([kTileRows * D]).
  std::vector<float> tiled_max_logvar_, tiled_min_logvar_, tiled_target_mean_, tiled_target_std_;
  // exp of the tiled bounds, for kernels::BoundedStd (used when exp_bounds_: all finite, exp(max) < 1e30).
  std::vector<float> tiled_exp_max_logvar_, tiled_exp_min_logvar_;
  bool exp_bounds_ = true;
};

}  // namespace augur::models
