#include "augur/core/rng.h"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <set>
#include <vector>

namespace augur {
namespace {

// Known-answer vectors of Philox4x32-10 published with Random123 (kat_vectors).
TEST(PhiloxTest, MatchesRandom123KnownAnswers) {
  EXPECT_EQ(PhiloxBlock({0, 0, 0, 0}, {0, 0}),
            (std::array<uint32_t, 4>{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}));
  EXPECT_EQ(PhiloxBlock({0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}, {0xffffffff, 0xffffffff}),
            (std::array<uint32_t, 4>{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}));
  EXPECT_EQ(PhiloxBlock({0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, {0xa4093822, 0x299f31d0}),
            (std::array<uint32_t, 4>{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}));
}

TEST(RngTest, SameKeyGivesSameNumbers) {
  Rng a(42, 7), b(42, 7);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(a.NextU32(), b.NextU32());
  Rng c(42, 7), d(42, 7);
  for (int i = 0; i < 101; ++i) ASSERT_EQ(c.Normal(), d.Normal());
}

TEST(RngTest, StreamsAndSeedsDiffer) {
  Rng a(42, 0), b(42, 1), c(43, 0);
  int same_ab = 0, same_ac = 0;
  for (int i = 0; i < 1000; ++i) {
    const uint32_t x = a.NextU32();
    same_ab += x == b.NextU32();
    same_ac += x == c.NextU32();
  }
  EXPECT_LE(same_ab, 1);
  EXPECT_LE(same_ac, 1);
}

TEST(RngTest, StreamsAreUncorrelated) {
  // Pearson correlation of 20000 uniform pairs from neighbouring streams is ~N(0, 1/sqrt(n)).
  Rng a(5, StreamId({3, 0})), b(5, StreamId({3, 1}));
  const int n = 20000;
  double sa = 0, sb = 0, sab = 0, saa = 0, sbb = 0;
  for (int i = 0; i < n; ++i) {
    const double x = a.UniformDouble(), y = b.UniformDouble();
    sa += x, sb += y, sab += x * y, saa += x * x, sbb += y * y;
  }
  const double cov = sab / n - sa / n * sb / n;
  const double corr = cov / std::sqrt((saa / n - sa * sa / n / n) * (sbb / n - sb * sb / n / n));
  EXPECT_LT(std::abs(corr), 5.0 / std::sqrt(n));
}

TEST(RngTest, UniformMomentsAndRange) {
  Rng rng(1);
  const int n = 100000;
  double sum = 0, sum2 = 0;
  for (int i = 0; i < n; ++i) {
    const float u = rng.Uniform();
    ASSERT_GE(u, 0.f);
    ASSERT_LT(u, 1.f);
    sum += u, sum2 += u * u;
  }
  EXPECT_NEAR(sum / n, 0.5, 0.01);
  EXPECT_NEAR(sum2 / n - (sum / n) * (sum / n), 1.0 / 12.0, 0.005);
}

TEST(RngTest, NormalMoments) {
  Rng rng(2);
  std::vector<float> x(100000);
  rng.FillNormal(x, 3.f, 2.f);
  double sum = 0, sum2 = 0;
  for (float v : x) sum += v, sum2 += v * v;
  const double mean = sum / x.size();
  EXPECT_NEAR(mean, 3.0, 0.03);
  EXPECT_NEAR(std::sqrt(sum2 / x.size() - mean * mean), 2.0, 0.03);
}

TEST(RngTest, UniformIntCoversRangeWithoutBias) {
  Rng rng(3);
  std::vector<int> counts(7, 0);
  for (int i = 0; i < 70000; ++i) ++counts[rng.UniformInt(7)];
  for (int c : counts) EXPECT_NEAR(c, 10000, 500);
}

TEST(RngTest, ForkIsIndependentOfDrawOrder) {
  Rng parent(9, 4);
  Rng f1 = parent.Fork(1);
  parent.NextU64();
  Rng f2 = parent.Fork(1);
  EXPECT_EQ(f1.NextU64(), f2.NextU64());
  EXPECT_NE(parent.Fork(2).NextU64(), parent.Fork(3).NextU64());
}

TEST(RngTest, StreamIdDependsOnOrder) {
  EXPECT_NE(StreamId({1, 2}), StreamId({2, 1}));
  EXPECT_EQ(StreamId({1, 2}), StreamId({1, 2}));
  std::set<uint64_t> ids;
  for (uint64_t i = 0; i < 100; ++i)
    for (uint64_t j = 0; j < 100; ++j) ids.insert(StreamId({i, j}));
  EXPECT_EQ(ids.size(), 10000u);
}


TEST(RngTest, VectorizedPhiloxBlocksMatchTheScalarBlock) {
  // Counters straddling a 32-bit carry of the block index, a lane count that is not a multiple of 16.
  const uint64_t first = 0xFFFFFFF0ULL, stream = 0x0123456789ABCDEFULL;
  const std::array<uint32_t, 2> key = {0xA409'3822u, 0x299F'31D0u};
  std::vector<uint32_t> words(4 * 37);
  PhiloxBlocks(first, stream, key, 37, words.data());
  for (int i = 0; i < 37; ++i) {
    const uint64_t b = first + i;
    const auto expected = PhiloxBlock({static_cast<uint32_t>(b), static_cast<uint32_t>(b >> 32),
                                       static_cast<uint32_t>(stream), static_cast<uint32_t>(stream >> 32)},
                                      key);
    for (int w = 0; w < 4; ++w) ASSERT_EQ(words[4 * i + w], expected[w]) << "block " << i << " word " << w;
  }
}

TEST(RngTest, FillNormalIsAFunctionOfStreamPositionAndTailMomentsAreNormal) {
  // Two fills of 256 (whole chunks of 64 blocks) continue the stream exactly as one fill of 512.
  Rng a(5, 7), b(5, 7);
  std::vector<float> one(512), first(256), second(256);
  a.FillNormal(one);
  b.FillNormal(first);
  b.FillNormal(second);
  for (int i = 0; i < 256; ++i) {
    ASSERT_EQ(one[i], first[i]);
    ASSERT_EQ(one[256 + i], second[i]);
  }
  // Odd sizes fill every value with something finite.
  std::vector<float> odd(257, std::nanf(""));
  a.FillNormal(odd);
  for (float v : odd) ASSERT_TRUE(std::isfinite(v));
  // Fourth moment 3 and the mass beyond 2 sigma (4.55 %) of a standard normal.
  Rng rng(11);
  std::vector<float> x(400000);
  rng.FillNormal(x);
  double m4 = 0;
  int64_t beyond = 0;
  for (float v : x) {
    m4 += static_cast<double>(v) * v * v * v;
    beyond += std::abs(v) > 2.f;
  }
  EXPECT_NEAR(m4 / x.size(), 3.0, 0.06);
  EXPECT_NEAR(static_cast<double>(beyond) / x.size(), 0.0455, 0.002);
}

}  // namespace
}  // namespace augur
