#include "augur/core/rng.h"

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numbers>

#include "augur/core/error.h"

namespace augur {
namespace {
constexpr uint32_t kPhiloxM0 = 0xD2511F53u;
constexpr uint32_t kPhiloxM1 = 0xCD9E8D57u;
constexpr uint32_t kPhiloxW0 = 0x9E3779B9u;
constexpr uint32_t kPhiloxW1 = 0xBB67AE85u;

inline void MulHiLo(uint32_t a, uint32_t b, uint32_t* hi, uint32_t* lo) {
  const uint64_t p = static_cast<uint64_t>(a) * b;
  *hi = static_cast<uint32_t>(p >> 32);
  *lo = static_cast<uint32_t>(p);
}
}  // namespace

std::array<uint32_t, 4> PhiloxBlock(std::array<uint32_t, 4> c, std::array<uint32_t, 2> k) {
  for (int round = 0; round < 10; ++round) {
    uint32_t hi0, lo0, hi1, lo1;
    MulHiLo(kPhiloxM0, c[0], &hi0, &lo0);
    MulHiLo(kPhiloxM1, c[2], &hi1, &lo1);
    c = {hi1 ^ c[1] ^ k[0], lo1, hi0 ^ c[3] ^ k[1], lo0};
    k[0] += kPhiloxW0;
    k[1] += kPhiloxW1;
  }
  return c;
}

void PhiloxBlocks(uint64_t first_block, uint64_t stream, std::array<uint32_t, 2> key, int64_t blocks,
                  uint32_t* out) {
  // Structure of arrays over kLanes consecutive counters, so that each round is a loop over lanes that the
  // compiler turns into vector multiplies (32 x 32 -> 64 bit products: vpmuludq); the same arithmetic as
  // PhiloxBlock, lane by lane.
  constexpr int kLanes = 16;
  const uint32_t s0 = static_cast<uint32_t>(stream), s1 = static_cast<uint32_t>(stream >> 32);
  for (int64_t base = 0; base < blocks; base += kLanes) {
    const int lanes = static_cast<int>(std::min<int64_t>(kLanes, blocks - base));
    alignas(64) uint32_t c0[kLanes], c1[kLanes], c2[kLanes], c3[kLanes];
    for (int l = 0; l < kLanes; ++l) {
      const uint64_t b = first_block + static_cast<uint64_t>(base + l);
      c0[l] = static_cast<uint32_t>(b);
      c1[l] = static_cast<uint32_t>(b >> 32);
      c2[l] = s0;
      c3[l] = s1;
    }
    uint32_t k0 = key[0], k1 = key[1];
    for (int round = 0; round < 10; ++round) {
      for (int l = 0; l < kLanes; ++l) {
        const uint64_t p0 = static_cast<uint64_t>(kPhiloxM0) * c0[l];
        const uint64_t p1 = static_cast<uint64_t>(kPhiloxM1) * c2[l];
        const uint32_t n0 = static_cast<uint32_t>(p1 >> 32) ^ c1[l] ^ k0;
        const uint32_t n2 = static_cast<uint32_t>(p0 >> 32) ^ c3[l] ^ k1;
        c1[l] = static_cast<uint32_t>(p1);
        c3[l] = static_cast<uint32_t>(p0);
        c0[l] = n0;
        c2[l] = n2;
      }
      k0 += kPhiloxW0;
      k1 += kPhiloxW1;
    }
    uint32_t* o = out + base * 4;
    for (int l = 0; l < lanes; ++l) {
      o[4 * l] = c0[l];
      o[4 * l + 1] = c1[l];
      o[4 * l + 2] = c2[l];
      o[4 * l + 3] = c3[l];
    }
  }
}

Rng::Rng(uint64_t seed, uint64_t stream) : seed_(seed), stream_(stream) {
  const uint64_t key = Mix64(seed);
  key_ = {static_cast<uint32_t>(key), static_cast<uint32_t>(key >> 32)};
}

void Rng::Refill() {
  buf_ = PhiloxBlock({static_cast<uint32_t>(block_), static_cast<uint32_t>(block_ >> 32),
                      static_cast<uint32_t>(stream_), static_cast<uint32_t>(stream_ >> 32)},
                     key_);
  ++block_;
  used_ = 0;
}

uint32_t Rng::NextU32() {
  if (used_ == 4) Refill();
  return buf_[used_++];
}

uint64_t Rng::NextU64() {
  const uint64_t hi = NextU32();
  return (hi << 32) | NextU32();
}

float Rng::Uniform() { return static_cast<float>(NextU32() >> 8) * (1.0f / 16777216.0f); }

double Rng::UniformDouble() { return static_cast<double>(NextU64() >> 11) * (1.0 / 9007199254740992.0); }

uint64_t Rng::UniformInt(uint64_t n) {
  AUGUR_CHECK_GT(n, 0u);
  // Lemire's nearly divisionless method with rejection: unbiased for every n.
  uint64_t x = NextU64();
  __uint128_t m = static_cast<__uint128_t>(x) * n;
  uint64_t low = static_cast<uint64_t>(m);
  if (low < n) {
    const uint64_t threshold = (0 - n) % n;
    while (low < threshold) {
      x = NextU64();
      m = static_cast<__uint128_t>(x) * n;
      low = static_cast<uint64_t>(m);
    }
  }
  return static_cast<uint64_t>(m >> 64);
}

float Rng::Normal() {
  if (has_spare_normal_) {
    has_spare_normal_ = false;
    return spare_normal_;
  }
  // u1 in (0, 1] so log(u1) is finite.
  const double u1 = 1.0 - UniformDouble();
  const double u2 = UniformDouble();
  const double r = std::sqrt(-2.0 * std::log(u1));
  const double theta = 2.0 * std::numbers::pi * u2;
  spare_normal_ = static_cast<float>(r * std::sin(theta));
  has_spare_normal_ = true;
  return static_cast<float>(r * std::cos(theta));
}

void Rng::FillUniform(std::span<float> out, float low, float high) {
  for (float& v : out) v = Uniform(low, high);
}

void Rng::FillNormal(std::span<float> out, float mean, float stddev) {
  // Bulk Box-Muller in float on whole Philox blocks: a block's 4 words are 2 (u1, u2) pairs giving 4 normals.
  // Uniforms carry 24 bits (u1 in (0, 1], so the tail is cut at sqrt(-2 ln 2^-24) = 5.8 sigma). The words of
  // a partly used block are skipped and the stream continues after the blocks used, so the values depend on
  // the key, the position and n only.
  constexpr int64_t kChunk = 256;  // normals per pass (64 blocks), on the stack
  alignas(64) uint32_t words[kChunk];
  alignas(64) float u1[kChunk / 2], u2[kChunk / 2];
  used_ = 4;
  const int64_t n = static_cast<int64_t>(out.size());
  for (int64_t begin = 0; begin < n; begin += kChunk) {
    const int64_t count = std::min(kChunk, n - begin);
    const int64_t pairs = (count + 1) / 2, blocks = (pairs + 1) / 2;
    PhiloxBlocks(block_, stream_, key_, blocks, words);
    block_ += static_cast<uint64_t>(blocks);
    for (int64_t p = 0; p < pairs; ++p) {
      u1[p] = static_cast<float>((words[2 * p] >> 8) + 1) * (1.0f / 16777216.0f);
      u2[p] = static_cast<float>(words[2 * p + 1] >> 8) * (1.0f / 16777216.0f);
    }
    Eigen::Map<Eigen::ArrayXf> radius(u1, pairs), angle(u2, pairs);
    radius = (-2.f * radius.log()).sqrt() * stddev;
    angle *= 2.f * std::numbers::pi_v<float>;
    alignas(64) float c[kChunk / 2], z[kChunk / 2];
    Eigen::Map<Eigen::ArrayXf>(c, pairs) = radius * angle.cos() + mean;
    Eigen::Map<Eigen::ArrayXf>(z, pairs) = radius * angle.sin() + mean;
    float* o = out.data() + begin;
    for (int64_t p = 0; p < count / 2; ++p) {
      o[2 * p] = c[p];
      o[2 * p + 1] = z[p];
    }
    if (count % 2 == 1) o[count - 1] = c[pairs - 1];
  }
}

}  // namespace augur
