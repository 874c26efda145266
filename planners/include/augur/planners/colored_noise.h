// Colored (power-law) Gaussian noise for iCEM (Pinneri et al. 2020): a length-H series whose power spectral
// density falls as 1 / f^beta (beta = 0: white; 1: pink; 2: red / Brownian-like; larger: smoother).
//
// Method (our own real inverse DFT, O(H^2) per series, tables built once): draw independent standard normal
// coefficients for the frequencies f_k = k / H, k = 0 .. floor(H / 2), scale them by f_k^(-beta / 2) (f_0
// is given the scale of the lowest non-zero frequency 1 / H, as the usual low-frequency cutoff), and sum
//   x_t = s_0 a_0 + sum_{0 < k < H/2} s_k sqrt(2) (a_k cos(2 pi k t / H) - b_k sin(2 pi k t / H))
//         [+ s_{H/2} a_{H/2} (-1)^t when H is even].
// Every x_t then has variance s_0^2 + 2 sum s_k^2 (+ s_{H/2}^2); dividing by its square root gives unit
// variance, so the series is stationary, unit-variance and, for beta = 0, white. Uses exactly H normals.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace augur {

class Rng;

class ColoredNoise {
 public:
  // Throws ConfigError when length < 1 or beta < 0.
  ColoredNoise(int64_t length, double beta);

  int64_t length() const { return length_; }
  double beta() const { return beta_; }
  // One unit-variance series into out[0 .. length) with stride `stride` (out[t * stride]). No allocation.
  void Sample(Rng& rng, float* out, int64_t stride = 1) const;

 private:
  int64_t length_;
  double beta_;
  int64_t pairs_;                      // frequencies 0 < k < H / 2 with a cos and a sin coefficient
  bool nyquist_;                       // H even: the real coefficient at k = H / 2
  double s0_, snyq_;                   // normalized scales of the DC and Nyquist terms
  std::vector<double> scale_;          // [pairs] normalized sqrt(2) * s_k
  std::vector<double> cos_;            // [pairs, H] cos(2 pi k t / H)
  std::vector<double> sin_;            // [pairs, H]
  mutable std::vector<double> coeff_;  // sized at construction; see Sample (not thread-safe)
};

}  // namespace augur
