// LearnedSequenceModel: a core SequenceModel that is trained on windows of a Dataset's episodes and saved to a
// checkpoint with a ModelCard (the sequence-model counterpart of LearnedModel, which trains on transitions).
#pragma once

#include <string>

#include "augur/core/sequence_model.h"
#include "augur/models/model_card.h"
#include "augur/models/train_options.h"

namespace augur {
class Progress;
namespace data {
class Dataset;
}
}  // namespace augur

namespace augur::models {

class LearnedSequenceModel : public SequenceModel {
 public:
  // Fits the tokenizer and the network on `data`'s episodes; `progress` (one unit per epoch) may be null.
  // TrainReport per epoch: train_nll = mean token cross-entropy, holdout_nll = {held-out cross-entropy},
  // samples_per_second = training tokens per second.
  virtual TrainReport Train(const data::Dataset& data, const TrainOptions& options, Progress* progress) = 0;
  // Writes one checkpoint file atomically. Throws IoError when it cannot be written.
  virtual void Save(const std::string& path) const = 0;
  virtual const ModelCard& card() const = 0;
  virtual bool trained() const = 0;
};

}  // namespace augur::models
