// Training of the VQ world model (VQM; VQ-VAE, van den Oord et al. 2017): one joint objective per batch
//   recon   ||dec(f, z_q) - y||^2 with the straight-through z_q = z_e + sg(e_k - z_e) (y: normalized (s' - s, r))
// + BCE(done logit, done)
// + beta ||z_e - sg(e_k)||^2                      (commitment)
// + CE(prior(f), sg(k))                           (the prior learns the encoder's code distribution)
// (+ ||sg(z_e) - e_k||^2 when codebook=loss; with codebook=ema the codes are moving averages of their encodings)
// where k = argmin_j ||z_e - e_j||. Adam without weight decay; the codebook starts from encodings of random
// training rows; unused codes are re-seeded the same way during the first half of training (restart=true).
// Held-out split, early stopping on the held-out loss (recon + done + prior NLL), best parameters kept.
#pragma once

#include "augur/models/train_options.h"
#include "augur/models/transition_batch.h"
#include "augur/models/vq/vq_network.h"
#include "augur/models/vq/vq_options.h"

namespace augur {
class Progress;
}

namespace augur::models {

struct TrainedVq {
  VqWeights weights;  // best parameters and fitted normalizers (CPU)
  TrainReport report;
};

// `data` must already be validated (discrete actions: valid indices). Progress (may be null) advances per epoch.
TrainedVq TrainVq(const VqOptions& options, const TransitionBatch& data, const TrainOptions& train, Progress* progress);

// The encoder's code of each observed transition [B] (int64), for analysis and tests.
at::Tensor AssignCodes(const VqWeights& w, const VqOptions& options, const at::Tensor& obs, const at::Tensor& action,
                       const at::Tensor& next_obs, const at::Tensor& reward, const at::Tensor& done);

}  // namespace augur::models
