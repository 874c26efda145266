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

void ToProto(const ServiceStats& stats, StatsReply& out) {
  out.set_plans(stats.plans);
  out.set_plans_per_second(stats.plans_per_second);
  out.set_last_plan_latency_ms(stats.last_plan_latency_ms);
  out.set_mean_plan_latency_ms(stats.mean_plan_latency_ms);
  out.set_deadline_misses(stats.deadline_misses);
  out.set_get_action_calls(stats.get_action_calls);
  out.set_safety_events(stats.safety_events());
  out.set_stale_state(stats.stale_state);
  out.set_nan_state(stats.nan_state);
  out.set_nan_action(stats.nan_action);
  out.set_no_plan(stats.no_plan);
  out.set_clipped(stats.clipped);
  out.set_rate_limited(stats.rate_limited);
  out.set_sessions(stats.sessions);
}

void FromProto(const StatsReply& reply, ServiceStats& out) {
  out.plans = reply.plans();
  out.plans_per_second = reply.plans_per_second();
  out.last_plan_latency_ms = reply.last_plan_latency_ms();
  out.mean_plan_latency_ms = reply.mean_plan_latency_ms();
  out.deadline_misses = reply.deadline_misses();
  out.get_action_calls = reply.get_action_calls();
  out.stale_state = reply.stale_state();
  out.nan_state = reply.nan_state();
  out.nan_action = reply.nan_action();
  out.no_plan = reply.no_plan();
  out.clipped = reply.clipped();
  out.rate_limited = reply.rate_limited();
  out.sessions = reply.sessions();
}

}  // namespace augur::serve
