#include "augur/models/ensemble/ensemble_options.h"

#include <algorithm>

#include "augur/core/error.h"
#include "augur/core/factory.h"

namespace augur::models {

void EnsembleOptions::Validate() const {
  if (members < 1) throw ConfigError(StrCat("ensemble: members = ", members, " must be >= 1"));
  if (elites < 1 || elites > members) {
    throw ConfigError(StrCat("ensemble: elites = ", elites, " must be in [1, members = ", members, "]"));
  }
  if (hidden < 1) throw ConfigError(StrCat("ensemble: hidden = ", hidden, " must be >= 1"));
  if (layers < 1) throw ConfigError(StrCat("ensemble: layers = ", layers, " must be >= 1"));
  if (!(max_logvar_init > min_logvar_init)) {
    throw ConfigError(StrCat("ensemble: max_logvar = ", max_logvar_init, " must be > min_logvar = ", min_logvar_init));
  }
}

EnsembleOptions EnsembleOptions::FromSpec(SpecParams& params) {
  EnsembleOptions o;
  o.members = params.Int("members", o.members, "ensemble members (bootstrapped networks)", 1, 64);
  o.elites = params.Int("elites", std::min<int64_t>(o.elites, o.members), "members kept for inference", 1, 64);
  o.hidden = params.Int("hidden", o.hidden, "hidden layer width", 1, 1 << 16);
  o.layers = params.Int("layers", o.layers, "hidden layers", 1, 64);
  const std::string act = params.String("act", "silu", "hidden activation", {"silu", "relu"});
  o.activation = act == "relu" ? Activation::kRelu : Activation::kSilu;
  const std::string precision =
      params.String("precision", "fp32", "fused CPU inference arithmetic (bf16: oneDNN bf16 GEMMs)", {"fp32", "bf16"});
  o.precision = precision == "bf16" ? Precision::kBf16 : Precision::kFp32;
  o.max_logvar_init = params.Double("max_logvar", o.max_logvar_init, "initial log-variance upper bound");
  o.min_logvar_init = params.Double("min_logvar", o.min_logvar_init, "initial log-variance lower bound");
  o.Validate();
  return o;
}

std::string EnsembleOptions::ToSpecString() const {
  return StrCat("ensemble:members=", members, ",elites=", elites, ",hidden=", hidden, ",layers=", layers,
                ",act=", activation == Activation::kRelu ? "relu" : "silu", ",max_logvar=", max_logvar_init,
                ",min_logvar=", min_logvar_init, precision == Precision::kBf16 ? ",precision=bf16" : "");
}

}  // namespace augur::models
