#include "augur/models/data_box.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>

#include "augur/core/error.h"
#include "augur/data/dataset.h"

namespace augur::models {

DataBox DataBoxOf(const data::Dataset& dataset) {
  if (dataset.size() == 0) throw ConfigError("dataset box: the dataset has no rows");
  const at::Tensor obs = at::cat({dataset.observations(), dataset.next_observations()}, 0).to(at::kFloat);
  const at::Tensor low = std::get<0>(obs.min(0)).contiguous(), high = std::get<0>(obs.max(0)).contiguous();
  DataBox box;
  box.obs_low.assign(low.data_ptr<float>(), low.data_ptr<float>() + low.numel());
  box.obs_high.assign(high.data_ptr<float>(), high.data_ptr<float>() + high.numel());
  const at::Tensor rewards = dataset.rewards().to(at::kFloat);
  box.reward_low = rewards.min().item<float>();
  box.reward_high = rewards.max().item<float>();
  return box;
}

void CheckDataBox(const DataBox& box, int64_t obs_dim) {
  if (static_cast<int64_t>(box.obs_low.size()) != obs_dim || static_cast<int64_t>(box.obs_high.size()) != obs_dim) {
    throw ShapeError(StrCat("dataset box: observation low has width ", box.obs_low.size(), " and high ",
                            box.obs_high.size(), " but the model's obs_dim is ", obs_dim,
                            " (compute the box from the data the model was trained on)"));
  }
  for (int64_t j = 0; j < obs_dim; ++j) {
    const float lo = box.obs_low[j], hi = box.obs_high[j];
    if (!std::isfinite(lo) || !std::isfinite(hi) || lo > hi) {
      throw ConfigError(StrCat("dataset box: observation dimension ", j, " has low ", lo, " and high ", hi,
                               "; each dimension needs finite low <= high"));
    }
  }
  if (!std::isfinite(box.reward_low) || !std::isfinite(box.reward_high) || box.reward_low > box.reward_high) {
    throw ConfigError(StrCat("dataset box: reward range has low ", box.reward_low, " and high ", box.reward_high,
                             "; it needs finite low <= high"));
  }
}

DataBoxModel::DataBoxModel(std::shared_ptr<const WorldModel> inner, DataBox box)
    : ObservationModelWrapper(std::move(inner), "dataset box"), box_(std::move(box)) {
  CheckDataBox(box_, inner_->spec().obs_dim);
}

Transition DataBoxModel::Step(const at::Tensor& state, const at::Tensor& action, StepContext& ctx) const {
  Transition t = inner_->Step(state, action, ctx);
  const auto options = t.next_state.options();
  const int64_t o = static_cast<int64_t>(box_.obs_low.size());
  const at::Tensor low = at::tensor(box_.obs_low).view({1, o}).to(options);
  const at::Tensor high = at::tensor(box_.obs_high).view({1, o}).to(options);
  t.next_state = at::max(at::min(t.next_state, high), low);
  if (t.reward.defined()) t.reward = t.reward.clamp(box_.reward_low, box_.reward_high);
  return t;
}

void DataBoxModel::StepCpu(const CpuStep& step) const {
  inner_->StepCpu(step);
  const size_t o = box_.obs_low.size();
  for (int64_t r = 0; r < step.rows; ++r) {
    float* next = step.next_state + r * static_cast<int64_t>(o);
    for (size_t j = 0; j < o; ++j) next[j] = std::clamp(next[j], box_.obs_low[j], box_.obs_high[j]);
    step.reward[r] = std::clamp(step.reward[r], box_.reward_low, box_.reward_high);
  }
}

}  // namespace augur::models
