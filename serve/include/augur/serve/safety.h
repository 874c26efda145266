// Safety at the edge: every action the service hands out passes through this filter. Actions are clipped into
// the bounds and, optionally, their change per second is limited; a stale state, a NaN state or a NaN action
// from the planner is never forwarded: the configured safe action is served instead.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "augur/core/spaces.h"

namespace augur::serve {

// What to serve instead of an unsafe action.
enum class SafeAction {
  kHold,          // the last action served (zero before the first one)
  kZero,          // zero in every dimension (clipped into the bounds)
  kLastGoodPlan,  // the last plan free of NaN, indexed by time (hold when there is none)
};
// "hold" | "zero" | "last_good_plan"; anything else -> ConfigError listing the three.
SafeAction ParseSafeAction(std::string_view name);
std::string_view SafeActionName(SafeAction action);

struct SafetyOptions {
  // Action bounds [A]; empty = the planner's evaluator bounds (the env's action box).
  Box bounds;
  // Largest change of any action dimension per second of robot time; 0 = no limit.
  double max_rate = 0.0;
  // A state older than this (request time minus the time of the newest state, seconds) is stale; 0 = no check.
  double max_state_age_s = 0.5;
  SafeAction safe_action = SafeAction::kHold;
  // Throws ConfigError on negative values or NaN.
  void Validate() const;
};

// Per-robot filter state: the last action served and when. Not thread-safe (the service locks it).
class SafetyFilter {
 public:
  // `bounds` must have action_dim entries per side (throws ShapeError otherwise; empty = unbounded).
  SafetyFilter(const SafetyOptions& options, int64_t action_dim);

  struct Outcome {
    bool clipped = false;       // some dimension was outside the bounds
    bool rate_limited = false;  // some dimension moved faster than max_rate
  };
  // Clips `action` into the bounds, limits its rate against the last served action (robot time `time`),
  // and records it as served. `action` must be finite (the caller replaces NaN actions first).
  Outcome Enforce(std::span<float> action, double time);
  // The safe action for hold or zero (kLastGoodPlan is the service's: it owns the plans), unfiltered.
  void SafeInto(std::span<float> action) const;

  const std::vector<float>& last_served() const { return last_; }
  bool has_served() const { return has_last_; }
  void Clear() { has_last_ = false; }

 private:
  SafetyOptions options_;
  int64_t action_dim_;
  std::vector<float> last_;
  double last_time_ = 0.0;
  bool has_last_ = false;
};

}  // namespace augur::serve
