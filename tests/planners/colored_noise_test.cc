#include "augur/planners/colored_noise.h"

#include <gtest/gtest.h>

#include <vector>

#include "augur/core/error.h"
#include "augur/core/rng.h"

namespace augur {
namespace {

struct Stats {
  double variance = 0.0, lag1 = 0.0;  // averaged over positions and series
};

Stats Measure(int64_t length, double beta, int series = 4000) {
  ColoredNoise noise(length, beta);
  Rng rng(1);
  std::vector<float> x(length);
  double sum2 = 0.0, lag = 0.0;
  for (int s = 0; s < series; ++s) {
    noise.Sample(rng, x.data());
    for (int64_t t = 0; t < length; ++t) sum2 += x[t] * x[t];
    for (int64_t t = 0; t + 1 < length; ++t) lag += x[t] * x[t + 1];
  }
  return {sum2 / (series * length), lag / (series * (length - 1))};
}

TEST(ColoredNoiseTest, UnitVarianceWhateverTheColour) {
  for (int64_t length : {1, 2, 7, 10, 30}) {
    for (double beta : {0.0, 1.0, 2.0, 4.0}) {
      EXPECT_NEAR(Measure(length, beta).variance, 1.0, 0.08) << "length " << length << " beta " << beta;
    }
  }
}

TEST(ColoredNoiseTest, WhiteForBetaZeroSmoothForLargeBeta) {
  EXPECT_NEAR(Measure(30, 0.0).lag1, 0.0, 0.03);
  const double pink = Measure(30, 1.0).lag1, red = Measure(30, 2.0).lag1, smoother = Measure(30, 4.0).lag1;
  EXPECT_GT(pink, 0.1);
  EXPECT_GT(red, 0.6);
  EXPECT_GT(smoother, red);
}

TEST(ColoredNoiseTest, StridedOutputAndBadArguments) {
  ColoredNoise noise(5, 2.0);
  Rng a(3), b(3);
  std::vector<float> plain(5), strided(10, -7.f);
  noise.Sample(a, plain.data());
  noise.Sample(b, strided.data(), 2);
  for (int t = 0; t < 5; ++t) {
    EXPECT_EQ(plain[t], strided[2 * t]);
    EXPECT_EQ(strided[2 * t + 1], -7.f);
  }
  EXPECT_THROW(ColoredNoise(0, 1.0), ConfigError);
  EXPECT_THROW(ColoredNoise(5, -1.0), ConfigError);
}

}  // namespace
}  // namespace augur
