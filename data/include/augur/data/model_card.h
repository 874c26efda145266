// ModelCard: what a checkpoint says about its model next to the parameters (type, config, env spec,
// normalizers, training-data digest, metrics, augur version), as a plain struct. Stored as the text form of
// augur.proto's ModelCard so that models/ never sees protobuf and people can read it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "augur/core/spaces.h"
#include "augur/data/normalizer.h"

namespace augur::data {

struct ModelCard {
  std::string type;                          // model family, e.g. "ensemble"
  std::string config;                        // spec string or text config the model was built from
  std::optional<EnvSpec> env_spec;           // environment the model was trained for, when known
  std::optional<Normalizer> observation_normalizer;  // fitted on the training data, never refitted
  std::optional<Normalizer> action_normalizer;
  std::optional<Normalizer> delta_normalizer;        // of next_obs - obs, for delta-predicting models
  std::string data_digest;                   // Dataset::Digest() of the training data
  std::map<std::string, double> metrics;     // e.g. {"val_mse", 0.01}
  std::string augur_version = "";            // filled with AUGUR_VERSION by WriteModelCard when empty
  int64_t created_unix_seconds = 0;          // filled with the current time by WriteModelCard when 0
};

// Text-format serialization (augur.proto.ModelCard). ParseModelCard throws DataError naming `what` and
// the parser's line and column when the text does not parse.
std::string ModelCardToText(const ModelCard& card);
ModelCard ModelCardFromText(const std::string& text, const std::string& what = "model card");

// Writes the card atomically (temporary file, fsync, rename), filling version and time when unset.
void WriteModelCard(ModelCard card, const std::string& path);
// Throws NotFoundError for a missing file, DataError for one that does not parse.
ModelCard ReadModelCard(const std::string& path);

}  // namespace augur::data
