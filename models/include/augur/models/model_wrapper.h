// ObservationModelWrapper: the shared part of the models that wrap another WorldModel whose state is the
// observation and change what its steps return (KnownRewardModel: the reward; DataBoxModel: clamped
// predictions). It holds the inner model and forwards spec, Encode and the CPU-path flag.
#pragma once

#include <memory>
#include <string_view>

#include "augur/core/world_model.h"

namespace augur::models {

class ObservationModelWrapper : public WorldModel {
 public:
  const ModelSpec& spec() const override { return inner_->spec(); }
  at::Tensor Encode(const at::Tensor& obs) const override { return inner_->Encode(obs); }
  bool has_cpu_path() const override { return inner_->has_cpu_path(); }
  const WorldModel& inner() const { return *inner_; }

 protected:
  // Throws ConfigError, naming `what` (e.g. "dataset box"), when `inner` is null or its state is not the
  // observation.
  ObservationModelWrapper(std::shared_ptr<const WorldModel> inner, std::string_view what);

  std::shared_ptr<const WorldModel> inner_;
};

}  // namespace augur::models
