// Tokenizer: per-dimension discretization of trajectory values into N bins (Trajectory Transformer, Janner et
// al. 2021: every dimension of observation, action, reward and reward-to-go gets its own 100 bins, uniform or
// quantile). Tokens decode to bin centres (the midpoint of the bin's edges). Saved in the checkpoint as its
// edges, never refitted at inference.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

namespace augur::models {

enum class BinKind { kUniform, kQuantile };

// "uniform" | "quantile"; throws ConfigError otherwise.
BinKind ParseBinKind(const std::string& text);
std::string BinKindName(BinKind kind);

class Tokenizer {
 public:
  Tokenizer() = default;
  // Fits the edges of every column of `values` [N, D] float. Uniform: N equal bins between the column's min and
  // max. Quantile: edges at the k/N quantiles (bins of equal mass). A constant column decodes to its value.
  // Throws ConfigError when bins < 2, DataError when values hold NaN/Inf or N == 0.
  static Tokenizer Fit(const at::Tensor& values, int64_t bins, BinKind kind);
  // From saved edges [D, bins + 1] (ascending per row). Throws DataError naming `source` when they are not.
  static Tokenizer FromEdges(const at::Tensor& edges, const std::string& source);

  int64_t dims() const { return dims_; }
  int64_t bins() const { return bins_; }
  const at::Tensor& edges() const { return edges_; }  // [D, bins + 1]

  // values [B, k] -> tokens [B, k] int64 for dimensions first_dim .. first_dim + k - 1. Out-of-range values
  // go to the first or last bin; NaN is a DataError.
  at::Tensor Encode(const at::Tensor& values, int64_t first_dim) const;
  // tokens [B, k] int64 -> bin centres [B, k] float. An id out of [0, bins) is a RangeError.
  at::Tensor Decode(const at::Tensor& tokens, int64_t first_dim) const;
  // [bins] float centres of dimension `dim`.
  at::Tensor Centres(int64_t dim) const;

 private:
  void CheckDims(int64_t first_dim, int64_t k, const char* what) const;
  int64_t dims_ = 0, bins_ = 0;
  at::Tensor edges_;    // [D, bins + 1]
  at::Tensor centres_;  // [D, bins]
};

}  // namespace augur::models
