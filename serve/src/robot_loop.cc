#include "augur/serve/robot_loop.h"

#include <algorithm>
#include <cmath>
#include <thread>

#include "augur/core/error.h"
#include "augur/serve/plan_client.h"

namespace augur::serve {

ServiceActionSource::ServiceActionSource(PlanService& service, std::string robot_id)
    : service_(service), robot_id_(std::move(robot_id)) {}

Status ServiceActionSource::SendState(std::span<const float> observation, double time) {
  return Guarded([&] { service_.SetState(robot_id_, observation, time); });
}

Status ServiceActionSource::RequestAction(double time, Clock::time_point, ActionAnswer& out) {
  return Guarded([&] { service_.GetAction(robot_id_, time, /*include_plan=*/true, out); });
}

ClientActionSource::ClientActionSource(PlanClient& client, std::string robot_id)
    : client_(client), robot_id_(std::move(robot_id)) {}

Status ClientActionSource::SendState(std::span<const float> observation, double time) {
  return client_.SetState(robot_id_, observation, time);
}

Status ClientActionSource::RequestAction(double time, Clock::time_point deadline, ActionAnswer& out) {
  return client_.GetAction(robot_id_, time, /*include_plan=*/true, out, deadline);
}

void LoopOptions::Validate() const {
  if (!(rate_hz > 0) || std::isinf(rate_hz)) throw ConfigError(StrCat("robot loop: rate_hz = ", rate_hz, " must be > 0"));
  if (!(action_deadline > 0 && action_deadline <= 1)) {
    throw ConfigError(StrCat("robot loop: action_deadline = ", action_deadline,
                             " must be in (0, 1] (a fraction of the period)"));
  }
  if (action_dim < 1) throw ConfigError(StrCat("robot loop: action_dim = ", action_dim, " must be >= 1"));
  if (bounds.dim() != 0 && bounds.dim() != action_dim) {
    throw ShapeError(StrCat("robot loop: bounds have ", bounds.dim(), " dimensions, actions ", action_dim));
  }
}

double LoopStats::LatencyQuantile(double q) const {
  if (action_latency_s.empty()) return 0.0;
  std::vector<double> sorted = action_latency_s;
  const size_t k = std::min(sorted.size() - 1, static_cast<size_t>(q * static_cast<double>(sorted.size())));
  std::nth_element(sorted.begin(), sorted.begin() + k, sorted.end());
  return sorted[k];
}

FixedRateLoop::FixedRateLoop(ActionSource& source, LoopOptions options)
    : source_(source), options_(std::move(options)), last_action_(options_.action_dim, 0.f) {
  options_.Validate();
  dt_ = 1.0 / options_.rate_hz;
}

void FixedRateLoop::Step(std::span<const float> observation, double time, std::span<float> action) {
  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options_.action_deadline / options_.rate_hz));
  ++stats_.steps;
  if (!source_.SendState(observation, time).ok()) ++stats_.state_errors;
  answer_.plan = last_plan_;  // the client leaves an unchanged plan out of the reply
  const Status status = source_.RequestAction(time, deadline, answer_);
  const bool late = !status.ok() || Clock::now() > deadline ||
                    static_cast<int64_t>(answer_.action.size()) != options_.action_dim;
  if (!late) {
    std::copy(answer_.action.begin(), answer_.action.end(), action.begin());
    if (answer_.safe_action) ++stats_.safe_actions;
    if (answer_.plan) last_plan_ = answer_.plan;
  } else {
    ++stats_.misses;
    if (last_plan_ && last_plan_->action_dim == options_.action_dim && last_plan_->horizon > 0) {
      const float* a = last_plan_->actions.data() + last_plan_->IndexAt(time) * options_.action_dim;
      std::copy(a, a + options_.action_dim, action.begin());
      ++stats_.fallbacks;
    } else {
      std::copy(last_action_.begin(), last_action_.end(), action.begin());
      ++stats_.holds;
    }
    if (options_.bounds.dim() == options_.action_dim) options_.bounds.Clip(action);
  }
  std::copy(action.begin(), action.end(), last_action_.begin());
  stats_.action_latency_s.push_back(std::chrono::duration<double>(Clock::now() - start).count());
}

void FixedRateLoop::Run(int64_t steps, const std::function<void(std::span<float> observation)>& read_state,
                        const std::function<void(std::span<const float> action)>& apply, int64_t obs_dim) {
  std::vector<float> observation(obs_dim), action(options_.action_dim);
  stats_.action_latency_s.reserve(stats_.action_latency_s.size() + steps);
  const auto period = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(dt_));
  Clock::time_point next = Clock::now();
  for (int64_t i = 0; i < steps; ++i) {
    read_state(observation);
    Step(observation, static_cast<double>(i) * dt_, action);
    apply(action);
    next += period;
    if (Clock::now() > next) {
      ++stats_.overruns;
      next = Clock::now();  // do not try to catch up: a late robot loop must not burst
    } else {
      std::this_thread::sleep_until(next);
    }
  }
}

}  // namespace augur::serve
