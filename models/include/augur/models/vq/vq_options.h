// Options of the VQ world model (VQM: a conditional VQ-VAE over transitions, a prior over its codes, a decoder).
#pragma once

#include <cstdint>
#include <string>

namespace augur {
class SpecParams;
}

namespace augur::models {

enum class CodebookUpdate {
  kEma,   // exponential moving averages of the assigned encodings (VQ-VAE appendix; Razavi et al. 2019)
  kLoss,  // the codebook loss ||sg(z_e) - e||^2 under the optimizer (VQ-VAE's original form)
};

struct VqOptions {
  int64_t codes = 8;          // K: codebook size = chance outcomes per (state, action)
  int64_t code_dim = 8;       // D: width of a code vector
  int64_t hidden = 64;        // width of every hidden layer of encoder, prior and decoder
  int64_t layers = 2;         // hidden layers of each network (>= 1), SiLU
  double commitment = 0.25;   // beta of the commitment loss ||z_e - sg(e)||^2 (VQ-VAE: 0.25)
  CodebookUpdate codebook = CodebookUpdate::kEma;
  double decay = 0.99;        // EMA decay of the codebook statistics (VQ-VAE: 0.99)
  bool restart_dead = true;   // re-seed codes no row used in an epoch with encodings of random rows (first half
                              // of training only), against codebook collapse
  // Discrete actions: n > 0 one-hot encodes the action index for the networks; 0 takes ModelInputs'
  // discrete_actions (0 there too: the action floats, normalized, as for a Box).
  int64_t actions = 0;

  // Throws ConfigError naming the option and its allowed range.
  void Validate() const;
  // Reads every key (with defaults) from a factory spec's parameters.
  static VqOptions FromSpec(SpecParams& params);
  // "vq:codes=8,code_dim=8,hidden=64,layers=2,commitment=0.25,codebook=ema,decay=0.99,restart=true,actions=4".
  std::string ToSpecString() const;
};

}  // namespace augur::models
