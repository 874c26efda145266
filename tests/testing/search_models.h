// Test helpers for search: small discrete-action WorldModels with known answers (real models with both the
// tensor path and the fused CPU path, not mocks).
//  - RowModel: a base that turns a per-row transition function into both paths.
//  - BanditModel: one state, K arms, arm a pays rewards[a] and ends the episode.
//  - GridWorldModel: a W x H grid, state (x, y), actions up/down/left/right (walls keep you in place), reward 1
//    on entering the goal (terminal), 0 otherwise: with discount < 1 the best plan is a shortest path.
//  - ContinuousBanditModel: one state, an action u in the box [-1, 1]^A, reward -|u - target|^2, then done.
//  - CountingGridWorld: the gridworld that records the rows of every StepCpu call (batching tests); StepInPlace.
#pragma once

#include <ATen/ATen.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <vector>

#include "augur/core/error.h"
#include "augur/core/world_model.h"

namespace augur::testing {

class RowModel : public WorldModel {
 public:
  RowModel(std::string type, int64_t state_dim, int64_t actions) {
    spec_.type = std::move(type);
    spec_.obs_dim = spec_.state_dim = state_dim;
    spec_.action_dim = 1;
    spec_.action_space = Discrete{actions};
    spec_.predicts_done = true;
  }
  const ModelSpec& spec() const override { return spec_; }
  at::Tensor Encode(const at::Tensor& obs) const override { return obs; }
  bool has_cpu_path() const override { return true; }
  Transition Step(const at::Tensor& state, const at::Tensor& action, StepContext&) const override {
    CheckMatrix(state, -1, spec_.state_dim, "state");
    CheckMatrix(action, state.size(0), 1, "action");
    return RunCpuStepOnTensors(state, action, spec_.state_dim, [this](CpuStep& step) { StepCpu(step); });
  }
  void StepCpu(const CpuStep& step) const override {
    const int64_t s = spec_.state_dim;
    for (int64_t r = 0; r < step.rows; ++r) {
      bool done = false;
      StepRow(step.state + r * s, static_cast<int>(step.action[r]), step.next_state + r * s, step.reward[r], done);
      step.done[r] = done ? 1.f : 0.f;
      if (step.uncertainty) step.uncertainty[r] = 0.f;
    }
  }

 protected:
  virtual void StepRow(const float* state, int action, float* next, float& reward, bool& done) const = 0;
  ModelSpec spec_;
};

class BanditModel : public RowModel {
 public:
  explicit BanditModel(std::vector<float> rewards)
      : RowModel("bandit", 1, static_cast<int64_t>(rewards.size())), rewards_(std::move(rewards)) {}

 protected:
  void StepRow(const float* state, int action, float* next, float& reward, bool& done) const override {
    next[0] = state[0] + 1.f;
    reward = rewards_.at(action);
    done = true;
  }

 private:
  std::vector<float> rewards_;
};

class GridWorldModel : public RowModel {
 public:
  enum Action { kUp = 0, kDown = 1, kLeft = 2, kRight = 3 };
  GridWorldModel(int width, int height, int goal_x, int goal_y)
      : RowModel("gridworld", 2, 4), width_(width), height_(height), goal_x_(goal_x), goal_y_(goal_y) {}
  int ShortestPath(int x, int y) const { return std::abs(x - goal_x_) + std::abs(y - goal_y_); }
  bool AtGoal(const float* s) const { return static_cast<int>(s[0]) == goal_x_ && static_cast<int>(s[1]) == goal_y_; }

 protected:
  void StepRow(const float* state, int action, float* next, float& reward, bool& done) const override {
    int x = static_cast<int>(state[0]), y = static_cast<int>(state[1]);
    if (action == kUp) y = std::min(y + 1, height_ - 1);
    if (action == kDown) y = std::max(y - 1, 0);
    if (action == kLeft) x = std::max(x - 1, 0);
    if (action == kRight) x = std::min(x + 1, width_ - 1);
    next[0] = static_cast<float>(x);
    next[1] = static_cast<float>(y);
    done = x == goal_x_ && y == goal_y_;
    reward = done ? 1.f : 0.f;
  }

 private:
  int width_, height_, goal_x_, goal_y_;
};

class ContinuousBanditModel : public WorldModel {
 public:
  explicit ContinuousBanditModel(std::vector<float> target) : target_(std::move(target)) {
    spec_.type = "continuous-bandit";
    spec_.obs_dim = spec_.state_dim = 1;
    spec_.action_dim = static_cast<int64_t>(target_.size());
    spec_.action_space = Box::Uniform(spec_.action_dim, -1.f, 1.f);
    spec_.predicts_done = true;
  }
  const ModelSpec& spec() const override { return spec_; }
  at::Tensor Encode(const at::Tensor& obs) const override { return obs; }
  bool has_cpu_path() const override { return true; }
  Transition Step(const at::Tensor& state, const at::Tensor& action, StepContext&) const override {
    CheckMatrix(state, -1, 1, "state");
    CheckMatrix(action, state.size(0), spec_.action_dim, "action");
    return RunCpuStepOnTensors(state, action, 1, [this](CpuStep& step) { StepCpu(step); });
  }
  void StepCpu(const CpuStep& step) const override {
    const int64_t a = spec_.action_dim;
    for (int64_t r = 0; r < step.rows; ++r) {
      float cost = 0.f;
      for (int64_t i = 0; i < a; ++i)
        cost += (step.action[r * a + i] - target_[i]) * (step.action[r * a + i] - target_[i]);
      step.next_state[r] = step.state[r] + 1.f;
      step.reward[r] = -cost;
      step.done[r] = 1.f;
      if (step.uncertainty) step.uncertainty[r] = 0.f;
    }
  }

 private:
  std::vector<float> target_;
  ModelSpec spec_;
};

// The rows of every call to something (thread-safe), for batching tests.
class CallLog {
 public:
  void Record(int64_t rows) const {
    std::lock_guard<std::mutex> lock(mutex_);
    calls_.push_back(rows);
  }
  std::vector<int64_t> calls() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return calls_;
  }

 private:
  mutable std::mutex mutex_;
  mutable std::vector<int64_t> calls_;
};

class CountingGridWorld : public GridWorldModel {
 public:
  using GridWorldModel::GridWorldModel;
  void StepCpu(const CpuStep& step) const override {
    log.Record(step.rows);
    GridWorldModel::StepCpu(step);
  }
  CallLog log;
};

// Steps one row of `model` in place (state [S], action [A]); returns whether the episode ended.
inline bool StepInPlace(const WorldModel& model, float* state, const float* action) {
  std::vector<float> next(model.spec().state_dim);
  float reward = 0.f, done = 0.f;
  CpuStep step;
  step.rows = 1;
  step.state = state;
  step.action = action;
  step.next_state = next.data();
  step.reward = &reward;
  step.done = &done;
  model.StepCpu(step);
  std::copy(next.begin(), next.end(), state);
  return done > 0.5f;
}

}  // namespace augur::testing
