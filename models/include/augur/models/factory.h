// Models from factory strings and checkpoints:
//   auto model = augur::models::Create("ensemble:members=7,elites=5,hidden=200,layers=4", {.obs_dim = 3, ...});
//   auto loaded = augur::models::Load("pendulum.ckpt");   // dispatches on the checkpoint's type
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "augur/core/registry.h"
#include "augur/core/spaces.h"
#include "augur/models/learned_model.h"
#include "augur/models/learned_sequence_model.h"
#include "augur/models/model_card.h"

namespace augur::models {

// What every model family needs besides its spec string.
struct ModelInputs {
  int64_t obs_dim = 0;     // O
  int64_t action_dim = 0;  // A
  Box action_bounds;       // [A] bounds; empty = unbounded
  std::string env_id;      // selects the known termination function ("" = never terminates)
  int64_t discrete_actions = 0;  // n of a Discrete(n) action space (one float holding the index), 0 for a Box

  // Throws ConfigError on non-positive dims or bounds of the wrong size.
  void Validate() const;
};

using ModelRegistry = Registry<LearnedModel, const ModelInputs&>;

// The one place where model families are listed ("ensemble", ...).
const ModelRegistry& Models();

std::unique_ptr<LearnedModel> Create(std::string_view spec, const ModelInputs& inputs);
std::unique_ptr<LearnedModel> Create(std::string_view spec, int64_t obs_dim, int64_t action_dim,
                                     const Box& action_bounds = {}, std::string env_id = "");

// Sequence models (trained on a Dataset's episodes, planned with by beam search): "tt:...".
using SequenceModelRegistry = Registry<LearnedSequenceModel, const ModelInputs&>;
const SequenceModelRegistry& SequenceModels();
bool IsSequenceModel(std::string_view name);
std::unique_ptr<LearnedSequenceModel> CreateSequenceModel(std::string_view spec, const ModelInputs& inputs);
// Loads a sequence-model checkpoint (dispatching on its type). A world-model checkpoint -> DataError saying so.
std::unique_ptr<LearnedSequenceModel> LoadSequenceModel(const std::string& path, const LoadExpectations& expect = {});
// Whether the checkpoint at `path` holds a sequence model (reads its card only).
bool IsSequenceModelCheckpoint(const std::string& path);

// Reads the checkpoint's ModelCard and loads it with its family's loader. Unknown type -> DataError; a card
// that does not meet `expect` -> ShapeError/DataError naming both values; unreadable file -> DataError/IoError.
std::unique_ptr<LearnedModel> Load(const std::string& path, const LoadExpectations& expect = {});

}  // namespace augur::models
