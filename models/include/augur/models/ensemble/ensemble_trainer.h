// Training of the ensemble: batched members (baddbmm) under torch autograd, Gaussian NLL + log-variance bound
// regularizer, Adam with per-layer weight decay, bootstrapped members, held-out split, early stopping that keeps
// each member's best parameters, elites by held-out MSE.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "augur/models/ensemble/ensemble_options.h"
#include "augur/models/ensemble/ensemble_weights.h"
#include "augur/models/learned_termination.h"
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

// Mean and std of the columns of x [N, C] (the train split); a (near) constant column gets std 1.
std::pair<at::Tensor, at::Tensor> FitNormalizer(const at::Tensor& x);

// Hidden layers and width of the termination classifier.
inline constexpr int kTerminationHiddenLayers = 2;
inline constexpr int64_t kTerminationHidden = 64;

// Termination classifier on next_obs (normalized by obs_mean/obs_std [O]) against data.terminals: SiLU MLP,
// BCE with positives weighted by negatives / positives (at most 100), Adam, train.termination_epochs epochs.
ClassifierWeights TrainTerminationClassifier(const TransitionBatch& data, const at::Tensor& obs_mean,
                                             const at::Tensor& obs_std, const TrainOptions& train);

}  // namespace augur::models
