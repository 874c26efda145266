#include "augur/serve/safety.h"

#include <algorithm>
#include <cmath>

#include "augur/core/error.h"

namespace augur::serve {

SafeAction ParseSafeAction(std::string_view name) {
  if (name == "hold") return SafeAction::kHold;
  if (name == "zero") return SafeAction::kZero;
  if (name == "last_good_plan") return SafeAction::kLastGoodPlan;
  throw ConfigError(StrCat("safe action '", name, "' is unknown; use hold, zero or last_good_plan"));
}

std::string_view SafeActionName(SafeAction action) {
  switch (action) {
    case SafeAction::kHold: return "hold";
    case SafeAction::kZero: return "zero";
    case SafeAction::kLastGoodPlan: return "last_good_plan";
  }
  return "hold";
}

void SafetyOptions::Validate() const {
  if (!(max_rate >= 0) || std::isinf(max_rate)) {
    throw ConfigError(StrCat("safety: max_rate = ", max_rate, " must be finite and >= 0 (0 = no limit)"));
  }
  if (!(max_state_age_s >= 0)) {
    throw ConfigError(StrCat("safety: max_state_age_s = ", max_state_age_s, " must be >= 0 (0 = no check)"));
  }
  for (size_t i = 0; i < bounds.low.size(); ++i) {
    if (!(bounds.low[i] <= bounds.high[i])) {
      throw ConfigError(StrCat("safety: bounds [", i, "] = [", bounds.low[i], ", ", bounds.high[i],
                               "] is empty or NaN; give low <= high"));
    }
  }
}

SafetyFilter::SafetyFilter(const SafetyOptions& options, int64_t action_dim)
    : options_(options), action_dim_(action_dim), last_(action_dim, 0.f) {
  options_.Validate();
  if (options_.bounds.dim() != 0 && options_.bounds.dim() != action_dim) {
    throw ShapeError(StrCat("safety: bounds have ", options_.bounds.dim(), " dimensions but actions have ",
                            action_dim));
  }
}

SafetyFilter::Outcome SafetyFilter::Enforce(std::span<float> action, double time) {
  Outcome outcome;
  const bool bounded = options_.bounds.dim() == action_dim_;
  const double elapsed = has_last_ ? std::max(0.0, time - last_time_) : 0.0;
  for (int64_t i = 0; i < action_dim_; ++i) {
    float a = action[i];
    if (bounded) {
      const float clipped = std::clamp(a, options_.bounds.low[i], options_.bounds.high[i]);
      outcome.clipped |= clipped != a;
      a = clipped;
    }
    if (options_.max_rate > 0 && has_last_) {
      const float step = static_cast<float>(options_.max_rate * elapsed);
      const float limited = std::clamp(a, last_[i] - step, last_[i] + step);
      outcome.rate_limited |= limited != a;
      a = limited;
    }
    action[i] = a;
  }
  std::copy(action.begin(), action.end(), last_.begin());
  last_time_ = time;
  has_last_ = true;
  return outcome;
}

void SafetyFilter::SafeInto(std::span<float> action) const {
  if (options_.safe_action != SafeAction::kZero && has_last_) {
    std::copy(last_.begin(), last_.end(), action.begin());
    return;
  }
  std::fill(action.begin(), action.end(), 0.f);
  if (options_.bounds.dim() == action_dim_) {
    for (int64_t i = 0; i < action_dim_; ++i) {
      action[i] = std::clamp(action[i], options_.bounds.low[i], options_.bounds.high[i]);
    }
  }
}

}  // namespace augur::serve
