// Training of the ensemble: batched members (baddbmm) under torch autograd, Gaussian NLL + log-variance bound
// regularizer, Adam with per-layer weight decay, bootstrapped members, held-out split, early stopping that keeps
// each member's best parameters, elites by held-out MSE.
#pragma once

#include <cstdint>
#include <vector>

#include "augur/models/ensemble/ensemble_options.h"
#include "augur/models/ensemble/ensemble_weights.h"
#include "augur/models/train_options.h"
#include "augur/models/transition_batch.h"

namespace augur {
class Progress;
}

namespace augur::models {

struct TrainedEnsemble {
  EnsembleWeights weights;       // all members, best parameters, fitted normalizers (CPU)
  std::vector<int64_t> elites;   // best first
  TrainReport report;
};

// `data` must already be validated. Progress (may be null) advances once per epoch with metrics.
TrainedEnsemble TrainEnsemble(const EnsembleOptions& options, const TransitionBatch& data, const TrainOptions& train,
                              Progress* progress);

}  // namespace augur::models
