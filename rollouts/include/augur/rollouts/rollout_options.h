// How ModelEvaluator rolls action sequences through a WorldModel.
#pragma once

#include <cstdint>
#include <string_view>

#include "augur/rollouts/propagation.h"

namespace augur {

// Where the per-step uncertainty penalty (Objective::uncertainty_weight * u_t) takes u_t from.
enum class PenaltySource {
  // The model's own `uncertainty` output. For an ensemble that fills it with the max over members of the
  // predicted std norm this is MOPO's penalty (Yu et al. 2020). A model that leaves it empty gives u_t = 0.
  kModel,
  // Disagreement of the particles of one sequence: the norm of the per-dimension std over its particles of
  // the predicted next state. With TSinf (and sampling off) it is the spread of the members' predicted
  // means, a cheap proxy for MOBILE's (Sun et al. 2023) disagreement of Bellman targets across members:
  // it penalizes the same model disagreement on states rather than on values.
  kParticleDisagreement,
};

// "model", "disagreement".
std::string_view PenaltySourceName(PenaltySource source);
// Inverse of PenaltySourceName; throws ConfigError listing the valid names.
PenaltySource ParsePenaltySource(std::string_view name);

struct RolloutOptions {
  // Particles per action sequence (>= 1). Default 20 as in PETS. With TSinf a multiple of the model's
  // members spreads the particles evenly over them (otherwise the first P % E members get one more).
  int64_t particles = 20;
  // Which member steps which particle (see propagation.h). Default TSinf, PETS' best variant.
  Propagation propagation = Propagation::kTsInf;
  // Action sequences per Executor chunk (>= 1), fixed whatever the thread count so results do not depend
  // on it; each chunk rolls chunk x particles rows for the whole horizon. Default 8.
  int64_t chunk = 8;
  // Sample from the model's predictive distribution (a stochastic model's noise), keyed by (seed,
  // iteration, chunk); false: the model's mean prediction. Default true (PETS samples).
  bool sample = true;
  // Source of the uncertainty penalty; its weight is Objective::uncertainty_weight. Default the model's.
  PenaltySource penalty = PenaltySource::kModel;

  // Throws ConfigError naming the field when out of range.
  void Validate() const;
};

}  // namespace augur
