// History-of-k inputs for delayed tasks (NeoRL-2 Pipeline, Simglucose: the effect of an action shows up
// several steps later, so the last observation alone is not a Markov state).
//
// Layout of a stacked history of k steps, one row:
//   [o_{t-k+1}, ..., o_{t-1}, o_t, a_{t-k+1}, ..., a_{t-1}]      size k * O + (k - 1) * A
// (oldest first; the current observation is the last observation block). k = 1 is the plain observation.
//
// Two pieces, so that no model family and no planner has to know about histories:
//  - StackHistory: a dataset transform. observations / next_observations become stacked histories (next is
//    the history one step later), actions, rewards and flags stay. Any observation-space model trains on it
//    unchanged (it learns to predict the whole next history, the shifted copies included).
//  - HistoryModel: a WorldModel wrapper whose state is the stacked history. It steps the inner model, keeps
//    only the newest observation block of its prediction, and builds the next history by an exact shift
//    (older blocks and the actions are copied, never predicted). Every planner works unchanged on it: its
//    "observation" is the stacked history, which HistoryStacker builds from the env's observations.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "augur/core/world_model.h"
#include "augur/data/dataset.h"

namespace augur::models {

// k * obs_dim + (k - 1) * action_dim. Throws ConfigError for k < 1.
int64_t HistoryDim(int64_t obs_dim, int64_t action_dim, int k);

// Stacks every row's last k observations and actions within its episode. Before an episode's first step
// the missing past repeats the first observation with zero actions (what HistoryStacker does at a reset).
// Sim states are dropped (they describe the last step only). metadata.extra["history_k"] = k.
data::Dataset StackHistory(const data::Dataset& dataset, int k);

// Builds the stacked history online, as an agent sees the env: Reset(o_0), then Push(a_t, o_{t+1}).
class HistoryStacker {
 public:
  HistoryStacker(int64_t obs_dim, int64_t action_dim, int k);
  void Reset(std::span<const float> obs);
  void Push(std::span<const float> action, std::span<const float> next_obs);
  std::span<const float> stacked() const { return stacked_; }
  int64_t dim() const { return static_cast<int64_t>(stacked_.size()); }

 private:
  int64_t obs_dim_, action_dim_;
  int k_;
  std::vector<float> stacked_;
};

// Writes the next history of one row: the state shifted by one step, `new_obs` as the newest observation
// and `action` as the newest action. `next` must not alias `state`.
void ShiftHistory(std::span<const float> state, std::span<const float> action, std::span<const float> new_obs,
                  int64_t obs_dim, int64_t action_dim, int k, std::span<float> next);

class HistoryModel : public WorldModel {
 public:
  // `inner` must be an observation-space model over stacked histories of k steps (its obs_dim ==
  // HistoryDim(obs_dim, action_dim, k)); ShapeError naming both sizes otherwise.
  HistoryModel(std::shared_ptr<const WorldModel> inner, int64_t obs_dim, int64_t action_dim, int k);

  const ModelSpec& spec() const override { return spec_; }
  // The identity: the input is already a stacked history [B, HistoryDim].
  at::Tensor Encode(const at::Tensor& obs) const override;
  Transition Step(const at::Tensor& state, const at::Tensor& action, StepContext& ctx) const override;
  bool has_cpu_path() const override { return inner_->has_cpu_path(); }
  // The inner model's StepCpu into step.next_state, then the shift in place, row by row. Allocation-free.
  void StepCpu(const CpuStep& step) const override;

  int k() const { return k_; }
  const WorldModel& inner() const { return *inner_; }

 private:
  std::shared_ptr<const WorldModel> inner_;
  ModelSpec spec_;
  int64_t obs_dim_, action_dim_;
  int k_;
};

}  // namespace augur::models
