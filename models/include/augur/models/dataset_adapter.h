// From an offline dataset (data/) to the training input of learned models.
#pragma once

#include "augur/data/dataset.h"
#include "augur/models/transition_batch.h"

namespace augur::models {

// The dataset's columns as a TransitionBatch (views, no copy); terminals as float. Throws ConfigError when
// the dataset is empty.
TransitionBatch ToTransitions(const data::Dataset& dataset);

}  // namespace augur::models
