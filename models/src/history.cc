#include "augur/models/history.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <limits>

#include "augur/core/error.h"

namespace augur::models {
namespace {

// Copies the shifted part of a history (every block but the newest observation and the newest action).
void ShiftKept(const float* state, float* next, int64_t o, int64_t a, int k) {
  const int64_t obs_part = static_cast<int64_t>(k) * o;
  std::copy(state + o, state + obs_part, next);                          // o_{t-k+2} .. o_t
  if (k > 2) std::copy(state + obs_part + a, state + obs_part + (k - 1) * a, next + obs_part);  // a_{t-k+2} ..
}

}  // namespace

int64_t HistoryDim(int64_t obs_dim, int64_t action_dim, int k) {
  if (k < 1) throw ConfigError(StrCat("history: k = ", k, " must be >= 1"));
  return k * obs_dim + (k - 1) * action_dim;
}

void ShiftHistory(std::span<const float> state, std::span<const float> action, std::span<const float> new_obs,
                  int64_t obs_dim, int64_t action_dim, int k, std::span<float> next) {
  ShiftKept(state.data(), next.data(), obs_dim, action_dim, k);
  std::copy(new_obs.begin(), new_obs.begin() + obs_dim, next.begin() + (k - 1) * obs_dim);
  if (k > 1) std::copy(action.begin(), action.begin() + action_dim, next.begin() + k * obs_dim + (k - 2) * action_dim);
}

data::Dataset StackHistory(const data::Dataset& dataset, int k) {
  const int64_t o = dataset.obs_dim(), a = dataset.action_dim(), n = dataset.size();
  const int64_t h = HistoryDim(o, a, k);
  if (k == 1) return dataset;
  at::Tensor obs = at::zeros({n, h}), next = at::zeros({n, h});
  const at::Tensor src_obs = dataset.observations().contiguous(), src_act = dataset.actions().contiguous();
  const at::Tensor src_next = dataset.next_observations().contiguous();
  const float* so = src_obs.data_ptr<float>();
  const float* sa = src_act.data_ptr<float>();
  const float* sn = src_next.data_ptr<float>();
  float* po = obs.data_ptr<float>();
  float* pn = next.data_ptr<float>();
  HistoryStacker stacker(o, a, k);
  for (int64_t e = 0; e < dataset.num_episodes(); ++e) {
    const int64_t begin = dataset.EpisodeBegin(e), end = dataset.EpisodeEnd(e);
    stacker.Reset({so + begin * o, static_cast<size_t>(o)});
    for (int64_t r = begin; r < end; ++r) {
      std::copy(stacker.stacked().begin(), stacker.stacked().end(), po + r * h);
      stacker.Push({sa + r * a, static_cast<size_t>(a)}, {sn + r * o, static_cast<size_t>(o)});
      std::copy(stacker.stacked().begin(), stacker.stacked().end(), pn + r * h);
    }
  }
  data::DatasetMetadata metadata = dataset.metadata();
  metadata.extra["history_k"] = std::to_string(k);
  if (metadata.env_spec) metadata.env_spec->observation = Box::Uniform(h, -std::numeric_limits<float>::infinity(), std::numeric_limits<float>::infinity());
  data::Dataset out(obs, dataset.actions(), dataset.rewards(), dataset.terminals(), dataset.timeouts(), next, metadata);
  return out.WithEpisodeStarts(dataset.episode_starts());
}

HistoryStacker::HistoryStacker(int64_t obs_dim, int64_t action_dim, int k)
    : obs_dim_(obs_dim), action_dim_(action_dim), k_(k), stacked_(HistoryDim(obs_dim, action_dim, k), 0.f) {}

void HistoryStacker::Reset(std::span<const float> obs) {
  if (static_cast<int64_t>(obs.size()) != obs_dim_) {
    throw ShapeError(StrCat("history: observation has ", obs.size(), " values, expected ", obs_dim_));
  }
  for (int i = 0; i < k_; ++i) std::copy(obs.begin(), obs.end(), stacked_.begin() + i * obs_dim_);
  std::fill(stacked_.begin() + k_ * obs_dim_, stacked_.end(), 0.f);
}

void HistoryStacker::Push(std::span<const float> action, std::span<const float> next_obs) {
  if (static_cast<int64_t>(action.size()) != action_dim_ || static_cast<int64_t>(next_obs.size()) != obs_dim_) {
    throw ShapeError(StrCat("history: push of an action of ", action.size(), " and an observation of ",
                            next_obs.size(), " values, expected ", action_dim_, " and ", obs_dim_));
  }
  std::vector<float> next(stacked_.size());
  ShiftHistory(stacked_, action, next_obs, obs_dim_, action_dim_, k_, next);
  stacked_.swap(next);
}

HistoryModel::HistoryModel(std::shared_ptr<const WorldModel> inner, int64_t obs_dim, int64_t action_dim, int k)
    : inner_(std::move(inner)), obs_dim_(obs_dim), action_dim_(action_dim), k_(k) {
  if (!inner_) throw ConfigError("HistoryModel: inner model is null");
  const int64_t h = HistoryDim(obs_dim, action_dim, k);
  const ModelSpec& in = inner_->spec();
  if (in.state_kind != StateKind::kObservation || in.obs_dim != h || in.action_dim != action_dim) {
    throw ShapeError(StrCat("HistoryModel: the inner model has observations of ", in.obs_dim, " and actions of ",
                            in.action_dim, " values, but a history of k = ", k, " over observations of ", obs_dim,
                            " and actions of ", action_dim, " needs ", h, " and ", action_dim,
                            " (train it on StackHistory(dataset, k))"));
  }
  spec_ = in;
  spec_.type = StrCat("history(k=", k, "):", in.type);
}

at::Tensor HistoryModel::Encode(const at::Tensor& obs) const {
  CheckMatrix(obs, -1, spec_.obs_dim, "HistoryModel::Encode obs (a stacked history)");
  return obs;
}

Transition HistoryModel::Step(const at::Tensor& state, const at::Tensor& action, StepContext& ctx) const {
  CheckMatrix(state, -1, spec_.state_dim, "HistoryModel::Step state");
  Transition t = inner_->Step(state, action, ctx);
  if (k_ == 1) return t;
  const int64_t o = obs_dim_;
  std::vector<at::Tensor> parts;
  parts.push_back(state.slice(1, o, k_ * o));                                  // older observations
  parts.push_back(t.next_state.slice(1, (k_ - 1) * o, k_ * o));                 // the predicted newest one
  if (k_ > 2) parts.push_back(state.slice(1, k_ * o + action_dim_, spec_.state_dim));  // older actions
  parts.push_back(action.to(state.dtype()));                                    // the newest action
  t.next_state = at::cat(parts, 1);
  return t;
}

void HistoryModel::StepCpu(const CpuStep& step) const {
  inner_->StepCpu(step);
  if (k_ == 1) return;
  const int64_t h = spec_.state_dim, o = obs_dim_, a = action_dim_;
  for (int64_t r = 0; r < step.rows; ++r) {
    float* next = step.next_state + r * h;
    ShiftKept(step.state + r * h, next, o, a, k_);  // the newest observation block stays as predicted
    std::copy(step.action + r * a, step.action + (r + 1) * a, next + k_ * o + (k_ - 2) * a);
  }
}

}  // namespace augur::models
