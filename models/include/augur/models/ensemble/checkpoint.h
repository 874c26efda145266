// One-file checkpoints: a LibTorch archive holding named tensors plus the ModelCard as a JSON string entry.
// Written to a temp file then renamed, so a reader never sees a half-written checkpoint.
#pragma once

#include <ATen/core/Tensor.h>

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "augur/models/model_card.h"

namespace augur {
class SpecParams;
}

namespace augur::models {

using NamedTensors = std::vector<std::pair<std::string, at::Tensor>>;

// Throws IoError when the file cannot be written or renamed.
void WriteCheckpoint(const std::string& path, const ModelCard& card, const NamedTensors& tensors);
// The card alone. Throws NotFoundError for a missing file, DataError naming the path for anything unreadable.
ModelCard ReadModelCard(const std::string& path);
// Card and the tensors named in `names` (each must exist). Same errors as ReadModelCard.
ModelCard ReadCheckpoint(const std::string& path, const std::vector<std::string>& names, NamedTensors* tensors);

// A checkpoint's card for a model family: checked against `expect` (its type defaulting to `type`), then its
// config parsed by `read` (which reads every key of the family) and finished. An invalid config is a DataError
// naming the path; the rest as ReadModelCard and CheckExpectations.
ModelCard ReadCardFor(const std::string& path, const std::string& type, const LoadExpectations& expect,
                      const std::function<void(SpecParams&)>& read);
// DataError naming `path` unless the card's normalizers hold obs_dim + action_dim (input) and obs_dim + 1
// (target) values.
void CheckNormalizerSizes(const ModelCard& card, const std::string& path);

}  // namespace augur::models
