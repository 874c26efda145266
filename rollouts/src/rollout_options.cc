#include "augur/rollouts/rollout_options.h"

#include "augur/core/error.h"

namespace augur {

std::string_view PenaltySourceName(PenaltySource source) {
  return source == PenaltySource::kModel ? "model" : "disagreement";
}

PenaltySource ParsePenaltySource(std::string_view name) {
  if (name == "model") return PenaltySource::kModel;
  if (name == "disagreement") return PenaltySource::kParticleDisagreement;
  throw ConfigError(StrCat("unknown penalty source '", name, "'; valid: model, disagreement"));
}

void RolloutOptions::Validate() const {
  if (particles < 1) throw ConfigError(StrCat("rollouts: particles = ", particles, " must be >= 1"));
  if (chunk < 1) throw ConfigError(StrCat("rollouts: chunk = ", chunk, " must be >= 1 (sequences per chunk)"));
}

}  // namespace augur
