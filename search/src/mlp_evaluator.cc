#include "augur/search/mlp_evaluator.h"

#include <Eigen/Core>
#include <algorithm>
#include <cmath>

#include "augur/core/error.h"
#include "augur/core/executor.h"
#include "augur/core/rng.h"

namespace augur::search {
namespace {
// Evaluator scratch slots (kPlannerSlots + 32 and above; RolloutEvaluator uses + 32 .. + 38).
constexpr int kHiddenA = kPlannerSlots + 40;
constexpr int kHiddenB = kPlannerSlots + 41;

// The dense layer kernel: y[rows, pad] = act(x[rows, in] * Wt[in, pad] + bias), Wt pre-packed (MlpEvaluator's
// constructor). A tile of RB rows x CB vectors of 8 outputs stays in registers over the whole reduction: per
// input, CB weight vectors are loaded once and each feeds RB fused multiply-adds (a register-blocked small
// GEMM; 4 x 32 tiles for a batch, 1 x 64 for a single row, 8 x 8..16 for a narrow output layer). GCC vector
// extensions: AVX2/AVX-512 code with -march=native, plain SSE (or scalar) elsewhere.
using V8 = float __attribute__((vector_size(32)));
using V8u = float __attribute__((vector_size(32), aligned(4)));  // unaligned loads and stores
enum class Act { kNone, kRelu };

template <int RB, int CB, Act kAct>
inline void Tile(const float* x, int64_t ldx, int64_t in, const float* wt, int64_t ldw, const float* bias, float* y,
                 int64_t ldy) {
  V8 acc[RB][CB];
  for (int j = 0; j < CB; ++j) {
    const V8 b = *reinterpret_cast<const V8u*>(bias + 8 * j);
    for (int r = 0; r < RB; ++r) acc[r][j] = b;
  }
  for (int64_t i = 0; i < in; ++i) {
    V8 w[CB];
    for (int j = 0; j < CB; ++j) w[j] = *reinterpret_cast<const V8u*>(wt + i * ldw + 8 * j);
    for (int r = 0; r < RB; ++r) {
      const V8 xb = V8{} + x[r * ldx + i];
      for (int j = 0; j < CB; ++j) acc[r][j] += xb * w[j];
    }
  }
  for (int r = 0; r < RB; ++r) {
    for (int j = 0; j < CB; ++j) {
      V8 v = acc[r][j];
      if constexpr (kAct == Act::kRelu) v = v > V8{} ? v : V8{};
      *reinterpret_cast<V8u*>(y + r * ldy + 8 * j) = v;
    }
  }
}

template <int RB, Act kAct>
void Columns(int cb, const float* x, int64_t ldx, int64_t in, const float* wt, int64_t ldw, const float* bias,
             float* y, int64_t ldy) {
  switch (cb) {
    case 1: return Tile<RB, 1, kAct>(x, ldx, in, wt, ldw, bias, y, ldy);
    case 2: return Tile<RB, 2, kAct>(x, ldx, in, wt, ldw, bias, y, ldy);
    case 3: return Tile<RB, 3, kAct>(x, ldx, in, wt, ldw, bias, y, ldy);
    case 4: return Tile<RB, 4, kAct>(x, ldx, in, wt, ldw, bias, y, ldy);
    case 5: return Tile<RB, 5, kAct>(x, ldx, in, wt, ldw, bias, y, ldy);
    case 6: return Tile<RB, 6, kAct>(x, ldx, in, wt, ldw, bias, y, ldy);
    case 7: return Tile<RB, 7, kAct>(x, ldx, in, wt, ldw, bias, y, ldy);
    default: return Tile<RB, 8, kAct>(x, ldx, in, wt, ldw, bias, y, ldy);
  }
}

constexpr int64_t kLanes = 8;

template <Act kAct>
void DenseAct(int64_t rows, const float* x, int64_t ldx, int64_t in, const float* wt, const float* bias, int64_t pad,
              float* y) {
  const int64_t vectors = pad / kLanes;
  if (rows < 4) {  // a single state (or a few): each row alone, up to 8 vectors (64 outputs) of accumulators
    for (int64_t r = 0; r < rows; ++r) {
      for (int64_t c = 0; c < vectors; c += 8) {
        const int cb = static_cast<int>(std::min<int64_t>(8, vectors - c));
        Columns<1, kAct>(cb, x + r * ldx, ldx, in, wt + c * kLanes, pad, bias + c * kLanes, y + r * pad + c * kLanes,
                         pad);
      }
    }
    return;
  }
  // A batch: tiles of 4 rows x 4 vectors (16 accumulators); a narrow remainder of 1..2 vectors (the output layer)
  // 8 rows at a time. The last rows: 4-row tiles, the last one moved back to end at `rows` (rows it overlaps are
  // recomputed to the same values: every output is the same sequence of multiply-adds whatever the tile).
  for (int64_t c = 0; c < vectors; c += 4) {
    const int cb = static_cast<int>(std::min<int64_t>(4, vectors - c));
    const float* w = wt + c * kLanes;
    const float* b = bias + c * kLanes;
    int64_t r = 0;
    if (cb >= 3) {
      for (; r + 4 <= rows; r += 4) Columns<4, kAct>(cb, x + r * ldx, ldx, in, w, pad, b, y + r * pad + c * kLanes, pad);
    } else {
      for (; r + 8 <= rows; r += 8) Columns<8, kAct>(cb, x + r * ldx, ldx, in, w, pad, b, y + r * pad + c * kLanes, pad);
    }
    for (; r < rows; r += 4) {
      const int64_t at = std::min(r, rows - 4);
      Columns<4, kAct>(cb, x + at * ldx, ldx, in, w, pad, b, y + at * pad + c * kLanes, pad);
    }
  }
}

void Dense(int64_t rows, const float* x, int64_t ldx, int64_t in, const float* wt, const float* bias, int64_t pad,
           float* y, Act act) {
  if (act == Act::kRelu) {
    DenseAct<Act::kRelu>(rows, x, ldx, in, wt, bias, pad, y);
  } else {
    DenseAct<Act::kNone>(rows, x, ldx, in, wt, bias, pad, y);
  }
}
}  // namespace

MlpWeights MlpWeights::Random(std::vector<int64_t> sizes, uint64_t seed, MlpActivation activation) {
  MlpWeights w;
  w.sizes = std::move(sizes);
  w.activation = activation;
  if (w.sizes.size() < 2) throw ConfigError(StrCat("MlpWeights: ", w.sizes.size(), " sizes; needs >= 2 (in, out)"));
  Rng rng(seed, StreamId({0x6d6c70ULL}));
  for (size_t l = 0; l + 1 < w.sizes.size(); ++l) {
    if (w.sizes[l] < 1 || w.sizes[l + 1] < 1) {
      throw ConfigError(
          StrCat("MlpWeights: layer ", l, " maps ", w.sizes[l], " -> ", w.sizes[l + 1], "; sizes must be >= 1"));
    }
    const float bound = 1.f / std::sqrt(static_cast<float>(w.sizes[l]));
    w.weight.emplace_back(static_cast<size_t>(w.sizes[l + 1] * w.sizes[l]));
    w.bias.emplace_back(static_cast<size_t>(w.sizes[l + 1]));
    rng.FillUniform(w.weight.back(), -bound, bound);
    rng.FillUniform(w.bias.back(), -bound, bound);
  }
  return w;
}

void MlpWeights::Validate() const {
  if (sizes.size() < 2) throw ConfigError(StrCat("MlpWeights: ", sizes.size(), " sizes; needs >= 2 (in, out)"));
  if (weight.size() != sizes.size() - 1 || bias.size() != sizes.size() - 1) {
    throw ShapeError(StrCat("MlpWeights: ", sizes.size(), " sizes need ", sizes.size() - 1, " layers; got ",
                            weight.size(), " weights and ", bias.size(), " biases"));
  }
  for (size_t l = 0; l < weight.size(); ++l) {
    if (sizes[l] < 1 || sizes[l + 1] < 1) {
      throw ConfigError(
          StrCat("MlpWeights: layer ", l, " maps ", sizes[l], " -> ", sizes[l + 1], "; sizes must be >= 1"));
    }
    if (static_cast<int64_t>(weight[l].size()) != sizes[l + 1] * sizes[l] ||
        static_cast<int64_t>(bias[l].size()) != sizes[l + 1]) {
      throw ShapeError(StrCat("MlpWeights: layer ", l, " has ", weight[l].size(), " weights and ", bias[l].size(),
                              " biases; [", sizes[l + 1], ", ", sizes[l], "] needs ", sizes[l + 1] * sizes[l], " and ",
                              sizes[l + 1]));
    }
  }
}

MlpEvaluator::MlpEvaluator(MlpWeights weights) : weights_(std::move(weights)) {
  weights_.Validate();
  if (weights_.sizes.back() < 2) {
    throw ConfigError(StrCat("MlpEvaluator: the last layer has ", weights_.sizes.back(),
                             " outputs; needs 1 + K (the value, then K >= 1 prior logits)"));
  }
  // Pack every layer once: W^T as [in, out padded to 8] (zero columns past out), the bias padded alike, so the
  // kernel reads whole 8-float vectors of one input's weights to all outputs.
  const size_t layers = weights_.weight.size();
  packed_.resize(layers);
  packed_bias_.resize(layers);
  padded_.resize(layers);
  for (size_t l = 0; l < layers; ++l) {
    const int64_t n_in = weights_.sizes[l], n_out = weights_.sizes[l + 1], pad = (n_out + kLanes - 1) / kLanes * kLanes;
    padded_[l] = pad;
    packed_[l].assign(static_cast<size_t>(n_in * pad), 0.f);
    packed_bias_[l].assign(static_cast<size_t>(pad), 0.f);
    for (int64_t o = 0; o < n_out; ++o) {
      for (int64_t i = 0; i < n_in; ++i) packed_[l][i * pad + o] = weights_.weight[l][o * n_in + i];
      packed_bias_[l][o] = weights_.bias[l][o];
    }
    widest_ = std::max(widest_, pad);
  }
}

int64_t MlpEvaluator::Evaluate(std::span<const float> states, int64_t batch, uint64_t, uint64_t,
                               std::span<float> values, std::span<float> priors, Scratch& scratch) {
  if (batch == 0) return 0;
  const int64_t layers = static_cast<int64_t>(packed_.size()), k = num_actions();
  // Scratch::Floats starts every buffer on a 64-byte boundary, which these need: Eigen's vectorized tanh and
  // exp below take a scalar path (other bits) for elements before the first aligned packet, so an unaligned
  // buffer made the result depend on where the allocator put a worker's scratch.
  float* a = scratch.Floats(kHiddenA, static_cast<size_t>(batch * widest_)).data();
  float* b = scratch.Floats(kHiddenB, static_cast<size_t>(batch * widest_)).data();
  const float* in = states.data();
  int64_t ld_in = weights_.sizes.front();
  const bool relu = weights_.activation == MlpActivation::kRelu;
  for (int64_t l = 0; l < layers; ++l) {
    const int64_t pad = padded_[l];
    const bool hidden = l + 1 < layers;
    Dense(batch, in, ld_in, weights_.sizes[l], packed_[l].data(), packed_bias_[l].data(), pad, a,
          hidden && relu ? Act::kRelu : Act::kNone);
    if (hidden && !relu) {
      Eigen::Map<Eigen::ArrayXf> h(a, batch * pad);
      h = h.tanh();  // Eigen's vectorized tanh over the whole layer output
    }
    in = a;
    ld_in = pad;
    std::swap(a, b);
  }
  // `in` holds [batch, pad]: the value, then K logits -> softmax (exp vectorized over the batch's logits).
  float* logits = a;  // the free buffer: [batch, K]
  for (int64_t r = 0; r < batch; ++r) {
    const float* row = in + r * ld_in;
    values[r] = row[0];
    const float top = *std::max_element(row + 1, row + 1 + k);
    for (int64_t j = 0; j < k; ++j) logits[r * k + j] = row[1 + j] - top;
  }
  // Padded to whole 8-float vectors, so every logit takes Eigen's vectorized exp (a row alone and the same row
  // in a batch give the same prior).
  const int64_t n = (batch * k + kLanes - 1) / kLanes * kLanes;
  std::fill(logits + batch * k, logits + n, 0.f);
  Eigen::Map<Eigen::ArrayXf> e(logits, n);
  e = e.exp();
  for (int64_t r = 0; r < batch; ++r) {
    const float* p_in = logits + r * k;
    float sum = 0.f;
    for (int64_t j = 0; j < k; ++j) sum += p_in[j];
    const float inv = 1.f / sum;
    float* p = priors.data() + r * k;
    for (int64_t j = 0; j < k; ++j) p[j] = p_in[j] * inv;
  }
  return 0;
}

}  // namespace augur::search
