// Reproducible counter-based random numbers (Philox4x32-10, Salmon et al., SC'11).
//
// A stream is keyed by (seed, stream id); its numbers depend only on that key and on the position in the
// stream, never on which thread draws them or in which order the streams are used. Parallel work gives each
// chunk its own stream, e.g. Rng(seed, StreamId(iteration, chunk)), so a result is identical for a seed
// whatever the thread count.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <span>

namespace augur {

// One Philox4x32-10 block: 4 x 32 random bits for a 128-bit counter under a 64-bit key.
std::array<uint32_t, 4> PhiloxBlock(std::array<uint32_t, 4> counter, std::array<uint32_t, 2> key);

// `blocks` consecutive Philox blocks of one stream, counters (first_block + i, stream), into out[4 * blocks]:
// the same words as PhiloxBlock, computed many lanes at a time (vectorized).
void PhiloxBlocks(uint64_t first_block, uint64_t stream, std::array<uint32_t, 2> key, int64_t blocks,
                  uint32_t* out);

// SplitMix64 finalizer: a bijective 64-bit mix, used to derive keys and stream ids.
constexpr uint64_t Mix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

// Combines several indices (iteration, chunk, particle, ...) into one stream id.
constexpr uint64_t StreamId(std::initializer_list<uint64_t> parts) {
  uint64_t h = 0x243F6A8885A308D3ULL;
  for (uint64_t p : parts) h = Mix64(h ^ Mix64(p));
  return h;
}

class Rng {
 public:
  explicit Rng(uint64_t seed = 0, uint64_t stream = 0);

  uint64_t seed() const { return seed_; }
  uint64_t stream() const { return stream_; }

  uint32_t NextU32();
  uint64_t NextU64();
  // Uniform in [0, 1) with 24 (float) or 53 (double) random bits.
  float Uniform();
  double UniformDouble();
  // Uniform in [low, high).
  float Uniform(float low, float high) { return low + (high - low) * Uniform(); }
  // Uniform integer in [0, n); n > 0. Unbiased (rejection sampling).
  uint64_t UniformInt(uint64_t n);
  // Standard normal (Box-Muller on two uniforms).
  float Normal();
  float Normal(float mean, float stddev) { return mean + stddev * Normal(); }

  void FillUniform(std::span<float> out, float low = 0.f, float high = 1.f);
  // Bulk standard normals (vectorized float Box-Muller, ~1 ns each): not the same values as n calls of
  // Normal(). Starts at the next whole block of the stream.
  void FillNormal(std::span<float> out, float mean = 0.f, float stddev = 1.f);

  // An independent stream derived from this one's key: same seed, stream id combined with `sub`.
  Rng Fork(uint64_t sub) const { return Rng(seed_, StreamId({stream_, sub})); }

 private:
  void Refill();

  uint64_t seed_;
  uint64_t stream_;
  std::array<uint32_t, 2> key_;
  uint64_t block_ = 0;        // index of the next block in this stream
  std::array<uint32_t, 4> buf_{};
  int used_ = 4;              // words of buf_ already handed out
  bool has_spare_normal_ = false;
  float spare_normal_ = 0.f;
};

}  // namespace augur
