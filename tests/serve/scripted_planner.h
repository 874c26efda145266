// Test helper: planners whose plans are known answers, for the plan service's tests.
#pragma once

#include <condition_variable>
#include <limits>
#include <memory>
#include <mutex>

#include "augur/core/error.h"
#include "augur/core/planner.h"
#include "augur/serve/plan_service.h"

namespace augur::serve::testing {

// A gate the test opens: a planner waiting at it stays busy until Open().
class Gate {
 public:
  void Open() {
    {
      std::lock_guard lock(mu_);
      open_ = true;
    }
    cv_.notify_all();
  }
  void Wait() {
    std::unique_lock lock(mu_);
    entered_ = true;
    cv_.notify_all();
    cv_.wait(lock, [&] { return open_; });
  }
  // Blocks until a planner waits at the gate.
  void WaitEntered() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return entered_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false, entered_ = false;
};

// obs [3], action [1], horizon 4: plan[k] = obs[0] + k; obs[0] == 99 gives a NaN plan. With a gate, every
// plan after the first waits at it.
class ScriptedPlanner : public Planner {
 public:
  explicit ScriptedPlanner(std::shared_ptr<Gate> gate = nullptr) : gate_(std::move(gate)) {}
  std::string name() const override { return "scripted"; }
  int64_t obs_dim() const override { return 3; }
  int64_t action_dim() const override { return 1; }
  int64_t horizon() const override { return 4; }
  void Reset(uint64_t) override {}

 protected:
  void DoPlan(std::span<const float> obs, const Budget&, PlanResult& out) override {
    if (gate_ && plans_++ > 0) gate_->Wait();
    out.plan.resize(4);
    for (int k = 0; k < 4; ++k) {
      out.plan[k] = obs[0] == 99.f ? std::numeric_limits<float>::quiet_NaN() : obs[0] + static_cast<float>(k);
    }
    out.action.assign(out.plan.begin(), out.plan.begin() + 1);
    out.iterations = 1;
  }

 private:
  std::shared_ptr<Gate> gate_;
  int plans_ = 0;
};

// "scripted" -> ScriptedPlanner (with `gate` when given); any other spec -> NotFoundError.
inline PlannerMaker ScriptedMaker(std::shared_ptr<Gate> gate = nullptr) {
  return [gate](const std::string& spec, uint64_t, Executor&) -> std::unique_ptr<Planner> {
    if (spec != "scripted") throw NotFoundError("planner '" + spec + "' is unknown; use scripted");
    return std::make_unique<ScriptedPlanner>(gate);
  };
}

}  // namespace augur::serve::testing
