#include "augur/models/sequence/tokenizer.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>

#include "augur/core/error.h"

namespace augur::models {

BinKind ParseBinKind(const std::string& text) {
  if (text == "uniform") return BinKind::kUniform;
  if (text == "quantile") return BinKind::kQuantile;
  throw ConfigError(StrCat("tokenizer: bins kind '", text, "' is not one of: uniform, quantile"));
}

std::string BinKindName(BinKind kind) { return kind == BinKind::kUniform ? "uniform" : "quantile"; }

namespace {

at::Tensor CentresOf(const at::Tensor& edges) {  // [D, N + 1] -> [D, N]
  const int64_t n = edges.size(1) - 1;
  return ((edges.narrow(1, 0, n) + edges.narrow(1, 1, n)) * 0.5).contiguous();
}

}  // namespace

Tokenizer Tokenizer::Fit(const at::Tensor& values, int64_t bins, BinKind kind) {
  if (bins < 2) throw ConfigError(StrCat("tokenizer: bins = ", bins, " must be >= 2"));
  if (values.dim() != 2 || values.size(0) == 0) {
    throw DataError(StrCat("tokenizer: fitting needs values [N, D] with N >= 1, got ", values.sizes()));
  }
  const at::Tensor v = values.to(at::kFloat).contiguous();
  if (!at::isfinite(v).all().item<bool>()) throw DataError("tokenizer: values to fit hold NaN or Inf");
  const int64_t n = v.size(0), d = v.size(1);
  at::Tensor edges = at::empty({d, bins + 1}, at::kFloat);
  auto e = edges.accessor<float, 2>();
  const at::Tensor sorted = std::get<0>(v.sort(0)).contiguous();  // [N, D]
  auto s = sorted.accessor<float, 2>();
  for (int64_t j = 0; j < d; ++j) {
    const float lo = s[0][j], hi = s[n - 1][j];
    for (int64_t k = 0; k <= bins; ++k) {
      if (kind == BinKind::kUniform) {
        e[j][k] = k == bins ? hi : lo + (hi - lo) * static_cast<float>(k) / static_cast<float>(bins);
      } else {
        // edge k at the (k * n / N)-th smallest value: bin k - 1 then holds the rows below it (n / N each)
        const int64_t row = std::min<int64_t>(n - 1, k * n / bins);
        e[j][k] = s[row][j];
      }
    }
  }
  return FromEdges(edges, "tokenizer fit");
}

Tokenizer Tokenizer::FromEdges(const at::Tensor& edges, const std::string& source) {
  if (edges.dim() != 2 || edges.size(1) < 3 || edges.scalar_type() != at::kFloat) {
    throw DataError(StrCat(source, ": tokenizer edges must be float [D, bins + 1] with bins >= 2, got ",
                           edges.sizes()));
  }
  const at::Tensor e = edges.contiguous();
  if (!at::isfinite(e).all().item<bool>() ||
      (e.narrow(1, 1, e.size(1) - 1) < e.narrow(1, 0, e.size(1) - 1)).any().item<bool>()) {
    throw DataError(StrCat(source, ": tokenizer edges are not finite and ascending in every dimension"));
  }
  Tokenizer t;
  t.dims_ = e.size(0);
  t.bins_ = e.size(1) - 1;
  t.edges_ = e.clone();
  t.centres_ = CentresOf(t.edges_);
  return t;
}

void Tokenizer::CheckDims(int64_t first_dim, int64_t k, const char* what) const {
  if (first_dim < 0 || first_dim + k > dims_) {
    throw ShapeError(StrCat("tokenizer ", what, ": dimensions [", first_dim, ", ", first_dim + k,
                            ") are outside the tokenizer's ", dims_, " dimensions"));
  }
}

at::Tensor Tokenizer::Encode(const at::Tensor& values, int64_t first_dim) const {
  if (values.dim() != 2) throw ShapeError(StrCat("tokenizer encode: values must be [B, k], got ", values.sizes()));
  const int64_t b = values.size(0), k = values.size(1);
  CheckDims(first_dim, k, "encode");
  const at::Tensor v = values.to(at::kFloat).contiguous();
  at::Tensor out = at::empty({b, k}, at::kLong);
  const float* x = v.data_ptr<float>();
  int64_t* o = out.data_ptr<int64_t>();
  const float* edges = edges_.data_ptr<float>();
  for (int64_t j = 0; j < k; ++j) {
    // Interior edges e[1 .. N-1]: the token is how many of them are <= x.
    const float* interior = edges + (first_dim + j) * (bins_ + 1) + 1;
    for (int64_t i = 0; i < b; ++i) {
      const float xi = x[i * k + j];
      if (std::isnan(xi)) throw DataError(StrCat("tokenizer encode: NaN in row ", i, ", dimension ", first_dim + j));
      o[i * k + j] = std::upper_bound(interior, interior + bins_ - 1, xi) - interior;
    }
  }
  return out;
}

at::Tensor Tokenizer::Decode(const at::Tensor& tokens, int64_t first_dim) const {
  if (tokens.dim() != 2 || tokens.scalar_type() != at::kLong) {
    throw ShapeError(StrCat("tokenizer decode: tokens must be int64 [B, k], got ", tokens.sizes()));
  }
  const int64_t k = tokens.size(1);
  CheckDims(first_dim, k, "decode");
  if (tokens.numel() > 0 && (tokens.min().item<int64_t>() < 0 || tokens.max().item<int64_t>() >= bins_)) {
    throw RangeError(StrCat("tokenizer decode: token ids must be in [0, ", bins_, "), got [",
                            tokens.min().item<int64_t>(), ", ", tokens.max().item<int64_t>(), "]"));
  }
  // centres of dims first_dim.. as [k, N]; gather per column.
  const at::Tensor c = centres_.narrow(0, first_dim, k);               // [k, N]
  const at::Tensor flat = tokens + at::arange(k, at::kLong) * bins_;   // [B, k] into c.view(-1)
  return c.reshape({-1}).index_select(0, flat.reshape({-1})).view({tokens.size(0), k});
}

at::Tensor Tokenizer::Centres(int64_t dim) const {
  CheckDims(dim, 1, "centres");
  return centres_[dim];
}

}  // namespace augur::models
