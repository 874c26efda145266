// ModelCard: everything about a checkpoint except its parameters. Kept in one small struct so that the switch
// to the proto/ ModelCard message stays local to model_card.cc.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "augur/models/train_options.h"

namespace augur::models {

struct ModelCard {
  static constexpr const char* kMagic = "augur-model-card";
  static constexpr int kFormatVersion = 1;

  std::string type;                 // registry name of the family: "ensemble"
  std::string config;               // the full factory spec string, every key spelled out
  std::string env_id;               // environment the data came from ("" if unknown)
  int64_t obs_dim = 0;              // O
  int64_t action_dim = 0;           // A
  std::vector<float> action_low;    // [A] action bounds planners must respect
  std::vector<float> action_high;   // [A]
  std::vector<float> input_mean;    // [O + A] normalizer of (obs, action)
  std::vector<float> input_std;     // [O + A]
  std::vector<float> target_mean;   // [O + 1] normalizer of (delta obs, reward)
  std::vector<float> target_std;    // [O + 1]
  std::string data_digest;          // caller-given digest of the training data
  std::string termination = "never";  // "never", the env id of a known rule, or "learned" (classifier tensors)
  TrainReport metrics;              // training report (empty for an untrained model)
  std::string augur_version;        // AUGUR_VERSION of the writer
  int format_version = kFormatVersion;

  std::string ToJson() const;
  // Throws DataError naming `source` when the text is not a model card of a known format version.
  static ModelCard FromJson(const std::string& text, const std::string& source);
};

// What a caller expects of a checkpoint; unset fields are not checked.
struct LoadExpectations {
  std::string type;          // e.g. "ensemble"
  int64_t obs_dim = -1;      // -1: any
  int64_t action_dim = -1;   // -1: any
  std::string env_id;        // "": any
};

// Throws ShapeError (dims) or DataError (type, env) naming `path`, the expected and the stored value.
void CheckExpectations(const ModelCard& card, const LoadExpectations& expect, const std::string& path);

}  // namespace augur::models
