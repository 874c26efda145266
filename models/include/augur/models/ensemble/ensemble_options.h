// Options of the probabilistic ensemble (PETS/MBPO): E Gaussian MLPs predicting (delta obs, reward).
#pragma once

#include <cstdint>
#include <string>

namespace augur {
class SpecParams;
}

namespace augur::models {

enum class Activation { kSilu, kRelu };

// Arithmetic of the fused CPU path's matrix products (StepCpu; the tensor path Step is always fp32).
//  - kFp32: fp32 everywhere.
//  - kBf16: weights and layer inputs rounded to bfloat16, products accumulated in fp32 (oneDNN's
//    gemm_bf16bf16f32; fast with AVX-512 BF16), bias, activation and output head in fp32. An inference-only
//    approximation (relative error ~1e-2 per layer): use it for planning only where it has been checked to give
//    the same decisions (see bench/README.md). Without oneDNN in the build it falls back to fp32.
enum class Precision { kFp32, kBf16 };

struct EnsembleOptions {
  int64_t members = 7;            // E: networks trained on bootstrap resamples
  int64_t elites = 5;             // members kept for inference (best held-out MSE), 1 <= elites <= members
  int64_t hidden = 200;           // width of every hidden layer
  int64_t layers = 4;             // hidden layers (>= 1)
  Activation activation = Activation::kSilu;  // hidden activation ("silu" = swish, or "relu")
  double max_logvar_init = 0.5;   // initial learned upper bound of the log-variance
  double min_logvar_init = -10;   // initial learned lower bound of the log-variance
  Precision precision = Precision::kFp32;  // fused CPU inference arithmetic ("fp32" or "bf16"); not a trained property

  // Throws ConfigError naming the option and its allowed range.
  void Validate() const;
  // Reads every key (with defaults) from a factory spec's parameters.
  static EnsembleOptions FromSpec(SpecParams& params);
  // "ensemble:members=7,elites=5,hidden=200,layers=4,act=silu,max_logvar=0.5,min_logvar=-10" (plus
  // ",precision=bf16" only when not fp32, so fp32 strings are unchanged).
  std::string ToSpecString() const;
};

}  // namespace augur::models
