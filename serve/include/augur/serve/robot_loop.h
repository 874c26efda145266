// The fixed-rate control loop of robot code: every period (e.g. 20 ms at 50 Hz) it reads the state, sends it
// to the plan service, asks for the action with a deadline inside the period and applies it. When the answer
// is late (or the call fails) it falls back to the previous plan's action for the current time, so the robot
// never waits for the planner, and counts the miss.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "augur/core/budget.h"
#include "augur/core/spaces.h"
#include "augur/serve/plan_service.h"
#include "augur/serve/status.h"

namespace augur::serve {

class PlanClient;

// Where the loop gets its actions: a PlanService in this process or a PlanClient of a remote one.
class ActionSource {
 public:
  virtual ~ActionSource() = default;
  virtual Status SendState(std::span<const float> observation, double time) = 0;
  // The action for `time` with the plan it came from (out.plan, kept when unchanged), or a non-OK status
  // (DEADLINE_EXCEEDED when the answer did not come by `deadline`).
  virtual Status RequestAction(double time, Clock::time_point deadline, ActionAnswer& out) = 0;
};

// A robot's session of an in-process PlanService (never late: GetAction does not wait for the planner).
class ServiceActionSource : public ActionSource {
 public:
  ServiceActionSource(PlanService& service, std::string robot_id);
  Status SendState(std::span<const float> observation, double time) override;
  Status RequestAction(double time, Clock::time_point deadline, ActionAnswer& out) override;

 private:
  PlanService& service_;
  std::string robot_id_;
};

// A robot's session on a remote service (gRPC deadline = the loop's deadline).
class ClientActionSource : public ActionSource {
 public:
  ClientActionSource(PlanClient& client, std::string robot_id);
  Status SendState(std::span<const float> observation, double time) override;
  Status RequestAction(double time, Clock::time_point deadline, ActionAnswer& out) override;

 private:
  PlanClient& client_;
  std::string robot_id_;
};

struct LoopOptions {
  double rate_hz = 50.0;           // control rate
  double action_deadline = 0.5;    // fraction of the period the action may take (deadline = start + this/rate)
  int64_t action_dim = 1;
  Box bounds;                      // clips fallback actions (the service already filters its own); empty = none
  // Throws ConfigError on a non-positive rate, a deadline fraction outside (0, 1] or action_dim < 1.
  void Validate() const;
};

struct LoopStats {
  int64_t steps = 0;
  int64_t misses = 0;          // steps whose action was late or failed
  int64_t fallbacks = 0;       // misses answered from the previous plan
  int64_t holds = 0;           // misses with no plan yet: the last action (zero at first) was held
  int64_t state_errors = 0;    // SendState calls that failed
  int64_t overruns = 0;        // steps that took longer than the period (Run only)
  int64_t safe_actions = 0;    // actions the service's safety filter replaced
  std::vector<double> action_latency_s;  // per step, time from the step's start to its action
  double LatencyQuantile(double q) const;  // over action_latency_s (0 when empty)
};

class FixedRateLoop {
 public:
  FixedRateLoop(ActionSource& source, LoopOptions options);

  // One control step at robot time `time` (seconds): sends the observation, asks for the action by
  // start + action_deadline/rate, falls back when late. Writes `action` [action_dim].
  void Step(std::span<const float> observation, double time, std::span<float> action);

  // Runs `steps` steps at rate_hz in wall time (robot time = step / rate_hz): each period reads the state
  // with `read_state`, steps, hands the action to `apply`, then sleeps until the next period.
  void Run(int64_t steps, const std::function<void(std::span<float> observation)>& read_state,
           const std::function<void(std::span<const float> action)>& apply, int64_t obs_dim);

  const LoopStats& stats() const { return stats_; }

 private:
  ActionSource& source_;
  LoopOptions options_;
  LoopStats stats_;
  ActionAnswer answer_;
  std::shared_ptr<const PlanSnapshot> last_plan_;
  double dt_ = 0.0;
  std::vector<float> last_action_;
};

}  // namespace augur::serve
