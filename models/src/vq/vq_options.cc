#include "augur/models/vq/vq_options.h"

#include "augur/core/error.h"
#include "augur/core/factory.h"

namespace augur::models {

void VqOptions::Validate() const {
  if (codes < 1) throw ConfigError(StrCat("vq: codes = ", codes, " must be >= 1"));
  if (code_dim < 1) throw ConfigError(StrCat("vq: code_dim = ", code_dim, " must be >= 1"));
  if (hidden < 1) throw ConfigError(StrCat("vq: hidden = ", hidden, " must be >= 1"));
  if (layers < 1) throw ConfigError(StrCat("vq: layers = ", layers, " must be >= 1"));
  if (!(commitment >= 0)) throw ConfigError(StrCat("vq: commitment = ", commitment, " must be >= 0"));
  if (!(decay >= 0 && decay < 1)) throw ConfigError(StrCat("vq: decay = ", decay, " must be in [0, 1)"));
  if (actions < 0) throw ConfigError(StrCat("vq: actions = ", actions, " must be >= 0"));
}

VqOptions VqOptions::FromSpec(SpecParams& params) {
  VqOptions o;
  o.codes = params.Int("codes", o.codes, "codebook size K (chance outcomes per state and action)", 1, 4096);
  o.code_dim = params.Int("code_dim", o.code_dim, "width of a code vector", 1, 4096);
  o.hidden = params.Int("hidden", o.hidden, "hidden layer width of encoder, prior and decoder", 1, 1 << 16);
  o.layers = params.Int("layers", o.layers, "hidden layers of each network", 1, 64);
  o.commitment = params.Double("commitment", o.commitment, "commitment loss weight beta", 0, 1e3);
  const std::string codebook =
      params.String("codebook", "ema", "codebook update: ema (moving averages) or loss", {"ema", "loss"});
  o.codebook = codebook == "loss" ? CodebookUpdate::kLoss : CodebookUpdate::kEma;
  o.decay = params.Double("decay", o.decay, "EMA decay of the codebook", 0, 0.9999);
  o.restart_dead = params.Bool("restart", o.restart_dead, "re-seed unused codes during the first half of training");
  o.actions = params.Int("actions", o.actions, "discrete actions to one-hot encode (0: from the data's env)", 0, 1 << 16);
  o.Validate();
  return o;
}

std::string VqOptions::ToSpecString() const {
  return StrCat("vq:codes=", codes, ",code_dim=", code_dim, ",hidden=", hidden, ",layers=", layers,
                ",commitment=", commitment, ",codebook=", codebook == CodebookUpdate::kLoss ? "loss" : "ema",
                ",decay=", decay, ",restart=", restart_dead ? "true" : "false", ",actions=", actions);
}

}  // namespace augur::models
