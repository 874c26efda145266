#include "augur/core/rng.h"

#include <cmath>
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
  for (float& v : out) v = Normal(mean, stddev);
}

}  // namespace augur
