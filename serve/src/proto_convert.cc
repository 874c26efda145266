#include "proto_convert.h"

namespace augur::serve {

void ToProto(const PlanSnapshot& plan, PlanReply& out) {
  out.set_plan_id(plan.id);
  out.set_plan_time(plan.time);
  out.set_dt(plan.dt);
  out.set_horizon(plan.horizon);
  out.set_action_dim(plan.action_dim);
  out.mutable_actions()->Assign(plan.actions.begin(), plan.actions.end());
  out.mutable_predicted_states()->Assign(plan.predicted_states.begin(), plan.predicted_states.end());
  out.set_predicted_return(plan.predicted_return);
  out.set_iterations(plan.iterations);
  out.set_latency_ms(1e3 * plan.latency_s);
  out.set_cut_short(plan.cut_short);
}

void FromProto(const PlanReply& reply, PlanSnapshot& out) {
  out.id = reply.plan_id();
  out.time = reply.plan_time();
  out.dt = reply.dt();
  out.horizon = reply.horizon();
  out.action_dim = reply.action_dim();
  out.actions.assign(reply.actions().begin(), reply.actions().end());
  out.predicted_states.assign(reply.predicted_states().begin(), reply.predicted_states().end());
  out.predicted_return = reply.predicted_return();
  out.iterations = reply.iterations();
  out.latency_s = 1e-3 * reply.latency_ms();
  out.cut_short = reply.cut_short();
  out.finite = true;
}

namespace {

// Every number of ServiceStats with its StatsReply getter and setter: one list serves both directions.
template <typename Visit>
void ForEachStatsField(Visit&& visit) {
  visit(&ServiceStats::plans, &StatsReply::plans, &StatsReply::set_plans);
  visit(&ServiceStats::plans_per_second, &StatsReply::plans_per_second, &StatsReply::set_plans_per_second);
  visit(&ServiceStats::last_plan_latency_ms, &StatsReply::last_plan_latency_ms,
        &StatsReply::set_last_plan_latency_ms);
  visit(&ServiceStats::mean_plan_latency_ms, &StatsReply::mean_plan_latency_ms,
        &StatsReply::set_mean_plan_latency_ms);
  visit(&ServiceStats::deadline_misses, &StatsReply::deadline_misses, &StatsReply::set_deadline_misses);
  visit(&ServiceStats::get_action_calls, &StatsReply::get_action_calls, &StatsReply::set_get_action_calls);
  visit(&ServiceStats::stale_state, &StatsReply::stale_state, &StatsReply::set_stale_state);
  visit(&ServiceStats::nan_state, &StatsReply::nan_state, &StatsReply::set_nan_state);
  visit(&ServiceStats::nan_action, &StatsReply::nan_action, &StatsReply::set_nan_action);
  visit(&ServiceStats::no_plan, &StatsReply::no_plan, &StatsReply::set_no_plan);
  visit(&ServiceStats::clipped, &StatsReply::clipped, &StatsReply::set_clipped);
  visit(&ServiceStats::rate_limited, &StatsReply::rate_limited, &StatsReply::set_rate_limited);
  visit(&ServiceStats::sessions, &StatsReply::sessions, &StatsReply::set_sessions);
}

}  // namespace

void ToProto(const ServiceStats& stats, StatsReply& out) {
  ForEachStatsField([&](auto field, auto, auto set) { (out.*set)(stats.*field); });
  out.set_safety_events(stats.safety_events());
}

void FromProto(const StatsReply& reply, ServiceStats& out) {
  ForEachStatsField([&](auto field, auto get, auto) { out.*field = (reply.*get)(); });
}

}  // namespace augur::serve
