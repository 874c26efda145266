// LearnedModel: a WorldModel that is trained from transitions and saved to a checkpoint with a ModelCard.
#pragma once

#include <string>

#include "augur/core/world_model.h"
#include "augur/models/model_card.h"
#include "augur/models/train_options.h"
#include "augur/models/transition_batch.h"

namespace augur {
class Progress;
}

namespace augur::models {

class LearnedModel : public virtual WorldModel {  // virtual: models/vq is also a ChanceModel
 public:
  // Fits the model (normalizers included) on `data`; `progress` may be null. Returns per-epoch metrics.
  virtual TrainReport Train(const TransitionBatch& data, const TrainOptions& options, Progress* progress) = 0;
  // Writes one checkpoint file atomically (temp file + rename). Throws IoError when the file cannot be written.
  virtual void Save(const std::string& path) const = 0;
  // Config, dims, normalizers, digest, metrics, version.
  virtual const ModelCard& card() const = 0;
  virtual bool trained() const = 0;
};

}  // namespace augur::models
