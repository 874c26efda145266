#include "dense_kernel.h"

#if defined(__AVX512F__) && defined(__AVX512VL__)
#include <immintrin.h>
#define AUGUR_DENSE_AVX512 1
#endif

#include <algorithm>
#include <cstring>
#include <utility>

#include "augur/core/error.h"

namespace augur::models::kernels {

#ifdef AUGUR_DENSE_AVX512
namespace {

// Vector traits: 16 floats in a zmm or 8 in a ymm. On Zen 4 a 512-bit FMA takes both 256-bit FMA pipes (one per
// cycle), a 256-bit one either (two per cycle): ymm tiles waste fewer lanes where out is not a multiple of 16
// (see Dense).
struct Z {
  using V = __m512;
  using M = __mmask16;
  static constexpr int kW = 16;
  static V Set1(float f) { return _mm512_set1_ps(f); }
  static V Load(const float* p) { return _mm512_loadu_ps(p); }
  static V Load(const float* p, M m) { return _mm512_maskz_loadu_ps(m, p); }
  static void Store(float* p, V v) { _mm512_storeu_ps(p, v); }
  static void Store(float* p, V v, M m) { _mm512_mask_storeu_ps(p, m, v); }
  static V Fma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  static V Fnma(V a, V b, V c) { return _mm512_fnmadd_ps(a, b, c); }
  static V Add(V a, V b) { return _mm512_add_ps(a, b); }
  static V Mul(V a, V b) { return _mm512_mul_ps(a, b); }
  static V Min(V a, V b) { return _mm512_min_ps(a, b); }
  static V Max(V a, V b) { return _mm512_max_ps(a, b); }
  static V Round(V a) { return _mm512_roundscale_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  static V Scalef(V a, V b) { return _mm512_scalef_ps(a, b); }
  static V Div(V a, V b) { return _mm512_div_ps(a, b); }
  static M Mask(int lanes) { return static_cast<M>(lanes >= 16 ? 0xFFFFu : (1u << lanes) - 1u); }
};

struct Y {
  using V = __m256;
  using M = __mmask8;
  static constexpr int kW = 8;
  static V Set1(float f) { return _mm256_set1_ps(f); }
  static V Load(const float* p) { return _mm256_loadu_ps(p); }
  static V Load(const float* p, M m) { return _mm256_maskz_loadu_ps(m, p); }
  static void Store(float* p, V v) { _mm256_storeu_ps(p, v); }
  static void Store(float* p, V v, M m) { _mm256_mask_storeu_ps(p, m, v); }
  static V Fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  static V Fnma(V a, V b, V c) { return _mm256_fnmadd_ps(a, b, c); }
  static V Add(V a, V b) { return _mm256_add_ps(a, b); }
  static V Mul(V a, V b) { return _mm256_mul_ps(a, b); }
  static V Min(V a, V b) { return _mm256_min_ps(a, b); }
  static V Max(V a, V b) { return _mm256_max_ps(a, b); }
  static V Round(V a) { return _mm256_roundscale_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  static V Scalef(V a, V b) { return _mm256_scalef_ps(a, b); }
  static V Div(V a, V b) { return _mm256_div_ps(a, b); }
  static M Mask(int lanes) { return static_cast<M>(lanes >= 8 ? 0xFFu : (1u << lanes) - 1u); }
};

// exp(x), x clamped to [-87, 87]: Cephes expf's range reduction and polynomial (Moshier, Cephes Math Library,
// expf.c: C1 = 0.693359375, C2 = -2.12194440e-4, coefficients below; ~1 ulp), 2^n by scalef.
template <class T>
inline typename T::V Exp(typename T::V x) {
  using V = typename T::V;
  const V one = T::Set1(1.f);
  x = T::Min(T::Max(x, T::Set1(-87.f)), T::Set1(87.f));
  const V n = T::Round(T::Mul(x, T::Set1(1.44269504088896341f)));
  x = T::Fnma(n, T::Set1(0.693359375f), x);
  x = T::Fnma(n, T::Set1(-2.12194440e-4f), x);
  V p = T::Set1(1.9875691500e-4f);
  p = T::Fma(p, x, T::Set1(1.3981999507e-3f));
  p = T::Fma(p, x, T::Set1(8.3334519073e-3f));
  p = T::Fma(p, x, T::Set1(4.1665795894e-2f));
  p = T::Fma(p, x, T::Set1(1.6666665459e-1f));
  p = T::Fma(p, x, T::Set1(5.0000001201e-1f));
  p = T::Fma(p, T::Mul(x, x), T::Add(x, one));
  return T::Scalef(p, n);
}

// silu(h) = h / (1 + exp(-h)) in 12 vector operations: -h = n ln2 + r with |r| <= ln2 / 2 (one rounded ln2:
// the reduction's error n * 1.9e-8 is at most 3e-7 relative for |h| <= 10 and only touches values that are ~0
// beyond), exp(r) by a degree-5 polynomial in q = -r (coefficients: a relative-error minimax fit on
// |q| <= ln2 / 2 made for this kernel with numpy's least squares plus Lawson reweighting; max relative error
// 2.1e-7 evaluated in float, as the degree-6 Taylor polynomial's 2.4e-7), 2^n by scalef, then one correctly
// rounded division. The division (one instruction on the divider) measured faster here than rcp14 + a Newton
// step + a multiply (three on the FMA pipes, which the GEMM loop keeps busy), and is exact to rounding. No
// clamp is needed: for h < -88.7 scalef overflows to inf and h / inf = -0 (silu there is below 1e-36).
// kDegree = 3 (the bf16 kernel, whose outputs are rounded to bf16: half an ulp is 2e-3 relative): the same fit
// at degree 3, max relative error 7.5e-5, two operations fewer.
template <class T, int kDegree = 5>
inline typename T::V Silu(typename T::V h) {
  using V = typename T::V;
  const V n = T::Round(T::Mul(h, T::Set1(-1.44269504088896341f)));
  const V q = T::Fma(n, T::Set1(0.693147180559945309f), h);
  V p;
  if constexpr (kDegree == 3) {
    p = T::Set1(-0.1656649112701416f);
    p = T::Fma(p, q, T::Set1(0.5049578547477722f));
    p = T::Fma(p, q, T::Set1(-1.0001641511917114f));
    p = T::Fma(p, q, T::Set1(0.9999282360076904f));
  } else {
    p = T::Set1(-0.008297647349536419f);
    p = T::Fma(p, q, T::Set1(0.04191543161869049f));
    p = T::Fma(p, q, T::Set1(-0.16667574644088745f));
    p = T::Fma(p, q, T::Set1(0.49998894333839417f));
    p = T::Fma(p, q, T::Set1(-0.9999997019767761f));
    p = T::Fma(p, q, T::Set1(1.0000001192092896f));
  }
  return T::Div(h, T::Add(T::Scalef(p, n), T::Set1(1.f)));
}

// R rows x NV vectors of output columns, accumulated in registers over all of k. The last vector is masked.
template <class T, int R, int NV>
inline void Block(int64_t in, const float* x, int64_t ldx, const float* w, int64_t ldw, const float* b, float* y,
                  int64_t ldy, typename T::M last, DenseAct act) {
  using V = typename T::V;
  constexpr int W = T::kW;
  V acc[R][NV];
#pragma GCC unroll 4
  for (int v = 0; v < NV; ++v) {
    const V bv = v == NV - 1 ? T::Load(b + v * W, last) : T::Load(b + v * W);
#pragma GCC unroll 12
    for (int r = 0; r < R; ++r) acc[r][v] = bv;
  }
  for (int64_t k = 0; k < in; ++k) {
    V wv[NV];
    const float* wk = w + k * ldw;
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) wv[v] = v == NV - 1 ? T::Load(wk + v * W, last) : T::Load(wk + v * W);
#pragma GCC unroll 12
    for (int r = 0; r < R; ++r) {
      const V xb = T::Set1(x[r * ldx + k]);
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) acc[r][v] = T::Fma(xb, wv[v], acc[r][v]);
    }
  }
  if (act == DenseAct::kSilu) {
#pragma GCC unroll 12
    for (int r = 0; r < R; ++r) {
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) acc[r][v] = Silu<T>(acc[r][v]);
    }
  } else if (act == DenseAct::kRelu) {
    const V zero = T::Set1(0.f);
#pragma GCC unroll 12
    for (int r = 0; r < R; ++r) {
#pragma GCC unroll 4
      // max returns its second operand when one is NaN: a NaN stays NaN, as in torch's relu.
      for (int v = 0; v < NV; ++v) acc[r][v] = T::Max(zero, acc[r][v]);
    }
  }
#pragma GCC unroll 12
  for (int r = 0; r < R; ++r) {
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) {
      if (v == NV - 1) {
        T::Store(y + r * ldy + v * W, acc[r][v], last);
      } else {
        T::Store(y + r * ldy + v * W, acc[r][v]);
      }
    }
  }
}

// One block of `rows` (1 .. sizeof...(Rs)) rows: Block<T, rows, NV>.
template <class T, int NV, int... Rs>
inline void BlockOf(int rows, std::integer_sequence<int, Rs...>, int64_t in, const float* x, int64_t ldx,
                    const float* w, int64_t ldw, const float* b, float* y, int64_t ldy, typename T::M last,
                    DenseAct act) {
  (void)((rows == Rs + 1 ? (Block<T, Rs + 1, NV>(in, x, ldx, w, ldw, b, y, ldy, last, act), true) : false) || ...);
}

// All rows of one column tile, in as few blocks as the registers allow (kRows rows: R x NV accumulators plus
// NV weight vectors fit the 32 vector registers), rows spread evenly over the blocks (32 rows at NV = 4:
// 6, 6, 5, 5, 5, 5 rather than 6 x 5 + 2).
template <class T, int NV>
void Tile(int64_t n, int64_t in, const float* x, int64_t ldx, const float* w, int64_t ldw, const float* b, float* y,
          int64_t ldy, typename T::M last, DenseAct act) {
  constexpr int kRows = NV == 4 ? 6 : NV == 3 ? 8 : 12;
  const int64_t blocks = (n + kRows - 1) / kRows;
  if (blocks == 0) return;
  const int64_t base = n / blocks, extra = n % blocks;
  int64_t r = 0;
  for (int64_t i = 0; i < blocks; ++i) {
    const int rows = static_cast<int>(base + (i < extra ? 1 : 0));
    BlockOf<T, NV>(rows, std::make_integer_sequence<int, kRows>(), in, x + r * ldx, ldx, w, ldw, b, y + r * ldy, ldy,
                   last, act);
    r += rows;
  }
}

template <class T>
void Columns(int64_t n, int64_t in, int64_t out, const float* x, int64_t ldx, const float* w, const float* b,
             float* y, int64_t ldy, DenseAct act) {
  constexpr int W = T::kW;
  const int64_t vectors = (out + W - 1) / W;
  const int64_t tiles = (vectors + 3) / 4;  // at most 4 vectors (64 columns of zmm) per tile, split evenly
  for (int64_t t = 0; t < tiles; ++t) {
    const int64_t v0 = t * vectors / tiles, v1 = (t + 1) * vectors / tiles;
    const int64_t c0 = v0 * W, cols = std::min(out, v1 * W) - c0;
    const int nv = static_cast<int>(v1 - v0);
    const typename T::M last = T::Mask(static_cast<int>(cols - (nv - 1) * W));
    switch (nv) {
      case 4:
        Tile<T, 4>(n, in, x, ldx, w + c0, out, b + c0, y + c0, ldy, last, act);
        break;
      case 3:
        Tile<T, 3>(n, in, x, ldx, w + c0, out, b + c0, y + c0, ldy, last, act);
        break;
      case 2:
        Tile<T, 2>(n, in, x, ldx, w + c0, out, b + c0, y + c0, ldy, last, act);
        break;
      default:
        Tile<T, 1>(n, in, x, ldx, w + c0, out, b + c0, y + c0, ldy, last, act);
        break;
    }
  }
}

#if defined(__AVX512BF16__)
// bf16 block: R rows x NV vectors of 8 output columns (ymm), fp32 accumulators, vdpbf16ps over pairs of k. x: bf16
// rows with an even stride, w: pairs layout [k / 2][out][2]. Output fp32 (y) or, for hidden layers, rounded to
// bf16 (y16: the next layer's input). ymm rather than zmm: on Zen 4 a 256-bit vdpbf16ps issues twice per cycle,
// the 512-bit form about 0.8 times (best of several loaded runs of a loop of independent ones: 7.3 G vs 2.9 G
// instructions/s per core); a [500 x 200] x [200 x 200] layer went from 217 to 230 GFLOP/s on one core. Each lane
// sums the same pairs in the same order as the zmm version did.
template <int R, int NV>
inline void BlockBf16Y(int64_t pairs, const uint16_t* x, int64_t ldx, const uint16_t* w, int64_t ldw, const float* b,
                       float* y, uint16_t* y16, int64_t ldy, __mmask8 last, DenseAct act) {
  __m256 acc[R][NV];
#pragma GCC unroll 4
  for (int v = 0; v < NV; ++v) {
    const __m256 bv = v == NV - 1 ? _mm256_maskz_loadu_ps(last, b + v * 8) : _mm256_loadu_ps(b + v * 8);
#pragma GCC unroll 12
    for (int r = 0; r < R; ++r) acc[r][v] = bv;
  }
  for (int64_t k = 0; k < pairs; ++k) {
    __m256i wv[NV];
    const uint16_t* wk = w + k * ldw;
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) {
      wv[v] = v == NV - 1 ? _mm256_maskz_loadu_epi32(last, wk + v * 16)
                          : _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wk + v * 16));
    }
#pragma GCC unroll 12
    for (int r = 0; r < R; ++r) {
      int32_t pair;
      std::memcpy(&pair, x + r * ldx + 2 * k, sizeof(pair));
      const __m256i xb = _mm256_set1_epi32(pair);
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) acc[r][v] = _mm256_dpbf16_ps(acc[r][v], (__m256bh)xb, (__m256bh)wv[v]);
    }
  }
  // Epilogue on zmm: two neighbouring ymm accumulators are 16 contiguous columns. The SiLU's round, scalef
  // and division cost about the same per instruction at 256 and 512 bits here, so it runs on 16 lanes at a
  // time (a hidden layer: 214 -> 208 us for [500 x 200] x [200 x 200], measured), as does the bf16 rounding.
#pragma GCC unroll 12
  for (int r = 0; r < R; ++r) {
#pragma GCC unroll 2
    for (int v = 0; v < NV; v += 2) {
      __m512 h;
      __mmask16 m;
      if (v + 1 < NV) {
        h = _mm512_insertf32x8(_mm512_castps256_ps512(acc[r][v]), acc[r][v + 1], 1);
        m = static_cast<__mmask16>(0xFFu | (static_cast<unsigned>(v + 1 == NV - 1 ? last : 0xFF) << 8));
      } else {
        h = _mm512_insertf32x8(_mm512_setzero_ps(), acc[r][v], 0);  // (GCC 12's zextps256 warns)
        m = static_cast<__mmask16>(last);
      }
      // Rounded to bf16 next (half an ulp: 2e-3 relative): the degree-3 SiLU (7.5e-5) is enough there.
      if (act == DenseAct::kSilu) h = y16 != nullptr ? Silu<Z, 3>(h) : Silu<Z>(h);
      if (act == DenseAct::kRelu) h = _mm512_max_ps(_mm512_setzero_ps(), h);  // NaN stays NaN
      if (y16 != nullptr) {
        const __m256bh packed = _mm512_cvtneps_pbh(h);
        _mm256_mask_storeu_epi16(y16 + r * ldy + v * 8, m, (__m256i)packed);
      } else {
        _mm512_mask_storeu_ps(y + r * ldy + v * 8, m, h);
      }
    }
  }
}

template <int NV, int... Rs>
inline void BlockBf16YOf(int rows, std::integer_sequence<int, Rs...>, int64_t pairs, const uint16_t* x, int64_t ldx,
                         const uint16_t* w, int64_t ldw, const float* b, float* y, uint16_t* y16, int64_t ldy,
                         __mmask8 last, DenseAct act) {
  (void)((rows == Rs + 1 ? (BlockBf16Y<Rs + 1, NV>(pairs, x, ldx, w, ldw, b, y, y16, ldy, last, act), true) : false) ||
         ...);
}

// Rows of one tile of NV ymm vectors: R x NV accumulators + NV weight vectors + a broadcast within 32 registers.
template <int NV>
void TileBf16Y(int64_t n, int64_t pairs, const uint16_t* x, int64_t ldx, const uint16_t* w, int64_t ldw,
               const float* b, float* y, uint16_t* y16, int64_t ldy, __mmask8 last, DenseAct act) {
  constexpr int kRows = NV == 4 ? 6 : NV == 3 ? 8 : 12;
  const int64_t blocks = (n + kRows - 1) / kRows;
  if (blocks == 0) return;
  const int64_t base = n / blocks, extra = n % blocks;
  int64_t r = 0;
  for (int64_t i = 0; i < blocks; ++i) {
    const int rows = static_cast<int>(base + (i < extra ? 1 : 0));
    BlockBf16YOf<NV>(rows, std::make_integer_sequence<int, kRows>(), pairs, x + r * ldx, ldx, w, ldw, b,
                     y == nullptr ? nullptr : y + r * ldy, y16 == nullptr ? nullptr : y16 + r * ldy, ldy, last, act);
    r += rows;
  }
}
#endif

}  // namespace

bool dense_kernel_available() { return true; }

bool dense_bf16_available() {
#if defined(__AVX512BF16__)
  return true;
#else
  return false;
#endif
}

void PackBf16Pairs(int64_t in, int64_t out, const uint16_t* w, uint16_t* packed) {
  const int64_t pairs = (in + 1) / 2;
  for (int64_t k = 0; k < pairs; ++k) {
    for (int64_t j = 0; j < out; ++j) {
      packed[(k * out + j) * 2] = w[(2 * k) * out + j];
      packed[(k * out + j) * 2 + 1] = 2 * k + 1 < in ? w[(2 * k + 1) * out + j] : uint16_t{0};
    }
  }
}

void DenseBf16(int64_t n, int64_t in, int64_t out, const uint16_t* x, int64_t ldx, const uint16_t* packed,
               const float* b, float* y, uint16_t* y16, int64_t ldy, DenseAct act) {
#if defined(__AVX512BF16__)
  if (n <= 0 || out <= 0) return;
  {
    // 8-column ymm vectors, at most 4 per tile (32 columns), vectors split evenly over the tiles.
    const int64_t pairs = (in + 1) / 2, vectors = (out + 7) / 8, tiles = (vectors + 3) / 4;
    for (int64_t t = 0; t < tiles; ++t) {
      const int64_t v0 = t * vectors / tiles, v1 = (t + 1) * vectors / tiles;
      const int64_t c0 = v0 * 8, cols = std::min(out, v1 * 8) - c0;
      const int nv = static_cast<int>(v1 - v0);
      const __mmask8 last = Y::Mask(static_cast<int>(cols - (nv - 1) * 8));
      const uint16_t* w = packed + 2 * c0;
      float* yt = y == nullptr ? nullptr : y + c0;
      uint16_t* y16t = y16 == nullptr ? nullptr : y16 + c0;
      switch (nv) {
        case 4:
          TileBf16Y<4>(n, pairs, x, ldx, w, 2 * out, b + c0, yt, y16t, ldy, last, act);
          break;
        case 3:
          TileBf16Y<3>(n, pairs, x, ldx, w, 2 * out, b + c0, yt, y16t, ldy, last, act);
          break;
        case 2:
          TileBf16Y<2>(n, pairs, x, ldx, w, 2 * out, b + c0, yt, y16t, ldy, last, act);
          break;
        default:
          TileBf16Y<1>(n, pairs, x, ldx, w, 2 * out, b + c0, yt, y16t, ldy, last, act);
          break;
      }
    }
  }
#else
  AUGUR_CHECK(false) << "kernels::DenseBf16 needs an AVX-512 BF16 build";
#endif
}

void BoundedStd(int64_t n, float* lv, const float* max_lv, const float* exp_max_lv, const float* exp_min_lv) {
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 m = Z::Mask(static_cast<int>(std::min<int64_t>(16, n - i)));
    const __m512 raw = _mm512_maskz_loadu_ps(m, lv + i);
    const __m512 e = Exp<Z>(_mm512_sub_ps(_mm512_maskz_loadu_ps(m, max_lv + i), raw));
    const __m512 var = _mm512_add_ps(_mm512_maskz_loadu_ps(m, exp_min_lv + i),
                                     _mm512_div_ps(_mm512_maskz_loadu_ps(m, exp_max_lv + i),
                                                   _mm512_add_ps(_mm512_set1_ps(1.f), e)));
    _mm512_mask_storeu_ps(lv + i, m, _mm512_sqrt_ps(var));
  }
}

void NormalizeInputs(int64_t rows, int64_t s_dim, int64_t a_dim, const float* state, const float* action,
                     const float* mean, const float* inv_std, float* x) {
  const int64_t in = s_dim + a_dim;
  if (in > 16) {
    for (int64_t r = 0; r < rows; ++r) {
      for (int64_t i = 0; i < s_dim; ++i) x[r * in + i] = (state[r * s_dim + i] - mean[i]) * inv_std[i];
      for (int64_t i = 0; i < a_dim; ++i) {
        x[r * in + s_dim + i] = (action[r * a_dim + i] - mean[s_dim + i]) * inv_std[s_dim + i];
      }
    }
    return;
  }
  const __mmask16 s_mask = Z::Mask(static_cast<int>(s_dim)), all = Z::Mask(static_cast<int>(in));
  const __mmask16 a_mask = static_cast<__mmask16>(all & ~s_mask);
  const __m512 m = _mm512_maskz_loadu_ps(all, mean), inv = _mm512_maskz_loadu_ps(all, inv_std);
  for (int64_t r = 0; r < rows; ++r) {
    __m512 v = _mm512_maskz_loadu_ps(s_mask, state + r * s_dim);
    v = _mm512_mask_expandloadu_ps(v, a_mask, action + r * a_dim);  // actions into lanes s_dim .. in - 1
    _mm512_mask_storeu_ps(x + r * in, all, _mm512_mul_ps(_mm512_sub_ps(v, m), inv));
  }
}

void Dense(int64_t n, int64_t in, int64_t out, const float* x, int64_t ldx, const float* w, const float* b, float* y,
           int64_t ldy, DenseAct act) {
  if (n <= 0 || out <= 0) return;
  // ymm vectors where zmm ones would leave 8 or more lanes of the last vector idle (out = 36: 40 lanes instead
  // of 48; out = 200: 200 instead of 208); a 256-bit FMA issues twice per cycle, a 512-bit one once. Not for a
  // short k (the first layer, k = obs + act): there the epilogue dominates and runs faster on zmm (measured).
  const bool ymm = out <= 8 || (in >= 32 && out % 16 >= 1 && out % 16 <= 8);
  if (ymm) {
    Columns<Y>(n, in, out, x, ldx, w, b, y, ldy, act);
  } else {
    Columns<Z>(n, in, out, x, ldx, w, b, y, ldy, act);
  }
}

#else

bool dense_kernel_available() { return false; }
bool dense_bf16_available() { return false; }

void PackBf16Pairs(int64_t, int64_t, const uint16_t*, uint16_t*) {
  AUGUR_CHECK(false) << "kernels::PackBf16Pairs needs an AVX-512 BF16 build";
}

void DenseBf16(int64_t, int64_t, int64_t, const uint16_t*, int64_t, const uint16_t*, const float*, float*, uint16_t*,
               int64_t, DenseAct) {
  AUGUR_CHECK(false) << "kernels::DenseBf16 needs an AVX-512 BF16 build";
}

void NormalizeInputs(int64_t, int64_t, int64_t, const float*, const float*, const float*, const float*, float*) {
  AUGUR_CHECK(false) << "kernels::NormalizeInputs needs an AVX-512 build (AUGUR_NATIVE on an AVX-512 host)";
}

void BoundedStd(int64_t, float*, const float*, const float*, const float*) {
  AUGUR_CHECK(false) << "kernels::BoundedStd needs an AVX-512 build (AUGUR_NATIVE on an AVX-512 host)";
}

void Dense(int64_t, int64_t, int64_t, const float*, int64_t, const float*, const float*, float*, int64_t, DenseAct) {
  AUGUR_CHECK(false) << "kernels::Dense needs an AVX-512 build (AUGUR_NATIVE on an AVX-512 host)";
}

#endif

}  // namespace augur::models::kernels
