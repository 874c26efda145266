#include "augur/planners/colored_noise.h"

#include <cmath>
#include <numbers>

#include "augur/core/error.h"
#include "augur/core/rng.h"

namespace augur {

ColoredNoise::ColoredNoise(int64_t length, double beta) : length_(length), beta_(beta) {
  if (length < 1) throw ConfigError(StrCat("colored noise: length = ", length, " must be >= 1"));
  if (!(beta >= 0.0)) throw ConfigError(StrCat("colored noise: beta = ", beta, " must be >= 0"));
  const int64_t H = length;
  nyquist_ = H % 2 == 0;
  pairs_ = (H - 1) / 2;
  auto s = [&](int64_t k) {
    const double f = std::max<double>(k, 1.0) / static_cast<double>(H);
    return std::pow(f, -beta / 2.0);
  };
  double var = s(0) * s(0);
  for (int64_t k = 1; k <= pairs_; ++k) var += 2.0 * s(k) * s(k);
  if (nyquist_) var += s(H / 2) * s(H / 2);
  const double norm = 1.0 / std::sqrt(var);
  s0_ = s(0) * norm;
  snyq_ = nyquist_ ? s(H / 2) * norm : 0.0;
  scale_.resize(pairs_);
  cos_.resize(pairs_ * H);
  sin_.resize(pairs_ * H);
  for (int64_t k = 1; k <= pairs_; ++k) {
    scale_[k - 1] = std::sqrt(2.0) * s(k) * norm;
    for (int64_t t = 0; t < H; ++t) {
      const double angle = 2.0 * std::numbers::pi * static_cast<double>(k * t % H) / static_cast<double>(H);
      cos_[(k - 1) * H + t] = std::cos(angle);
      sin_[(k - 1) * H + t] = std::sin(angle);
    }
  }
  coeff_.resize(2 * pairs_ + 2);
}

void ColoredNoise::Sample(Rng& rng, float* out, int64_t stride) const {
  const int64_t H = length_;
  const double a0 = rng.Normal() * s0_;
  const double an = nyquist_ ? rng.Normal() * snyq_ : 0.0;
  for (int64_t k = 0; k < pairs_; ++k) {
    coeff_[2 * k] = rng.Normal() * scale_[k];
    coeff_[2 * k + 1] = rng.Normal() * scale_[k];
  }
  for (int64_t t = 0; t < H; ++t) {
    double x = a0 + ((t % 2 == 0) ? an : -an);
    for (int64_t k = 0; k < pairs_; ++k) {
      x += coeff_[2 * k] * cos_[k * H + t] - coeff_[2 * k + 1] * sin_[k * H + t];
    }
    out[t * stride] = static_cast<float>(x);
  }
}

}  // namespace augur
