// The dataset box: clamp a learned model's predicted next observation into the per-dimension [min, max] box of
// its training data's observations, and its predicted reward into the data's reward range. Offline model-based
// RL implementations do this during model rollouts so that a rollout cannot leave the region the data covers
// through a state or a reward the data never shows (fact: polixir/OfflineRL offlinerl/algo/modelbase/mobile.py
// @3ad6428 clamps the sampled next observation to the train buffer's obs [min, max] and the sampled reward to its
// reward [min, max]; NeoRL-2's benchmark ran MOBILE with it (trainsition_clip True) and MOPO without (False),
// benchmark/results/DMSD-mobile/log.csv, DMSD-mopo/log.csv). Opt-in: bench params box: "data", the CLI's --box.
//
//   auto boxed = std::make_shared<DataBoxModel>(learned, DataBoxOf(dataset));
//
// DataBoxModel wraps any observation-space WorldModel. Done and uncertainty stay the inner model's (computed on
// the unclamped prediction). Wrapped under a KnownRewardModel, the known reward is computed on the clamped state.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "augur/core/world_model.h"
#include "augur/models/model_wrapper.h"

namespace augur::data {
class Dataset;
}

namespace augur::models {

struct DataBox {
  std::vector<float> obs_low, obs_high;  // [O] each
  float reward_low = 0, reward_high = 0;
};

// The box of `dataset`: per-dimension min / max over its observations and next observations, and min / max of its
// rewards. Throws ConfigError for an empty dataset.
DataBox DataBoxOf(const data::Dataset& dataset);

// Throws ShapeError when the box's widths are not `obs_dim` (both widths named), ConfigError naming the first
// dimension whose low > high or that is not finite (likewise for the reward range).
void CheckDataBox(const DataBox& box, int64_t obs_dim);

class DataBoxModel final : public ObservationModelWrapper {
 public:
  // Throws ConfigError when the inner model's state is not the observation, plus CheckDataBox's errors.
  DataBoxModel(std::shared_ptr<const WorldModel> inner, DataBox box);

  Transition Step(const at::Tensor& state, const at::Tensor& action, StepContext& ctx) const override;
  void StepCpu(const CpuStep& step) const override;

  const DataBox& box() const { return box_; }

 private:
  DataBox box_;
};

}  // namespace augur::models
