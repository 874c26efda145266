// Options of the probabilistic ensemble (PETS/MBPO): E Gaussian MLPs predicting (delta obs, reward).
#pragma once

#include <cstdint>
#include <string>

namespace augur {
class SpecParams;
}

namespace augur::models {

enum class Activation { kSilu, kRelu };

struct EnsembleOptions {
  int64_t members = 7;            // E: networks trained on bootstrap resamples
  int64_t elites = 5;             // members kept for inference (best held-out MSE), 1 <= elites <= members
  int64_t hidden = 200;           // width of every hidden layer
  int64_t layers = 4;             // hidden layers (>= 1)
  Activation activation = Activation::kSilu;  // hidden activation ("silu" = swish, or "relu")
  double max_logvar_init = 0.5;   // initial learned upper bound of the log-variance
  double min_logvar_init = -10;   // initial learned lower bound of the log-variance

  // Throws ConfigError naming the option and its allowed range.
  void Validate() const;
  // Reads every key (with defaults) from a factory spec's parameters.
  static EnsembleOptions FromSpec(SpecParams& params);
  // "ensemble:members=7,elites=5,hidden=200,layers=4,act=silu,max_logvar=0.5,min_logvar=-10".
  std::string ToSpecString() const;
};

}  // namespace augur::models
