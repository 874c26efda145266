// PlanService without a transport: time-indexed actions, the safety filter, sessions, bad input, and that
// GetAction never waits for a busy planner. Known answers come from ScriptedPlanner (plan[k] = obs[0] + k).
#include "augur/serve/plan_service.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <thread>

#include "augur/core/error.h"
#include "scripted_planner.h"

namespace augur::serve {
namespace {

using testing::Gate;
using testing::ScriptedMaker;

ServiceOptions Options(SafeAction safe = SafeAction::kHold) {
  ServiceOptions options{.planner = "scripted", .dt = 0.1};
  options.safety.safe_action = safe;
  options.safety.max_state_age_s = 0.5;
  return options;
}

// Sends a state and waits for the plan made from it (the planner thread plans once per new state).
std::shared_ptr<const PlanSnapshot> SetStateAndWait(PlanService& service, const std::string& robot, float x,
                                                    double time) {
  const std::vector<float> obs = {x, 0.f, 0.f};
  const uint64_t version = service.SetState(robot, obs, time);
  for (int i = 0; i < 5000; ++i) {
    try {
      auto plan = service.GetPlan(robot);
      if (plan->state_version >= version) return plan;
    } catch (const StateError&) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ADD_FAILURE() << "no plan within 5 s";
  return nullptr;
}

float ActionAt(PlanService& service, const std::string& robot, double time, ActionAnswer* answer = nullptr) {
  ActionAnswer local;
  ActionAnswer& out = answer ? *answer : local;
  service.GetAction(robot, time, /*include_plan=*/false, out);
  return out.action.at(0);
}

TEST(PlanServiceTest, ActionsAreIndexedByTimeSinceThePlansState) {
  PlanService service(ScriptedMaker(), Options());
  const SessionInfo info = service.Reset("r", 0);
  EXPECT_EQ(info.obs_dim, 3);
  EXPECT_EQ(info.action_dim, 1);
  EXPECT_EQ(info.horizon, 4);
  EXPECT_DOUBLE_EQ(info.dt, 0.1);
  auto plan = SetStateAndWait(service, "r", 1.f, 10.0);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->actions, (std::vector<float>{1, 2, 3, 4}));
  EXPECT_DOUBLE_EQ(plan->time, 10.0);
  EXPECT_EQ(ActionAt(service, "r", 9.9), 1.f);    // before the state: the first action
  EXPECT_EQ(ActionAt(service, "r", 10.0), 1.f);
  EXPECT_EQ(ActionAt(service, "r", 10.1), 2.f);   // action k holds for [t0 + k dt, t0 + (k+1) dt)
  EXPECT_EQ(ActionAt(service, "r", 10.25), 3.f);
  EXPECT_EQ(ActionAt(service, "r", 10.35), 4.f);  // still within the state age limit
  ActionAnswer answer;
  service.GetAction("r", 10.0, /*include_plan=*/true, answer);
  EXPECT_FALSE(answer.safe_action);
  EXPECT_EQ(answer.plan_id, plan->id);
  ASSERT_TRUE(answer.plan);
  EXPECT_EQ(answer.plan->actions, plan->actions);
  EXPECT_EQ(service.Stats("r").get_action_calls, 6);
}

TEST(PlanServiceTest, IndexPastTheHorizonHoldsTheLastAction) {
  PlanSnapshot plan;
  plan.time = 1.0;
  plan.dt = 0.5;
  plan.horizon = 4;
  EXPECT_EQ(plan.IndexAt(0.0), 0);
  EXPECT_EQ(plan.IndexAt(1.49), 0);
  EXPECT_EQ(plan.IndexAt(1.5), 1);
  EXPECT_EQ(plan.IndexAt(100.0), 3);
  EXPECT_EQ(plan.IndexAt(std::nan("")), 0);
}

TEST(PlanServiceTest, ActionsAreClippedIntoTheBounds) {
  ServiceOptions options = Options();
  options.safety.bounds = Box::Uniform(1, -2.f, 2.f);
  PlanService service(ScriptedMaker(), options);
  service.Reset("r", 0);
  SetStateAndWait(service, "r", 5.f, 0.0);
  EXPECT_EQ(ActionAt(service, "r", 0.0), 2.f);
  SetStateAndWait(service, "r", -7.f, 0.0);
  EXPECT_EQ(ActionAt(service, "r", 0.0), -2.f);
  EXPECT_EQ(service.Stats("r").clipped, 2);
}

TEST(PlanServiceTest, ActionRateIsLimited) {
  ServiceOptions options = Options();
  options.safety.max_rate = 10.0;  // per second
  PlanService service(ScriptedMaker(), options);
  service.Reset("r", 0);
  SetStateAndWait(service, "r", 0.f, 0.0);
  EXPECT_EQ(ActionAt(service, "r", 0.0), 0.f);
  SetStateAndWait(service, "r", 1.5f, 0.05);
  // 1.5 wanted, but 0.05 s at 10 per second allows 0.5.
  EXPECT_FLOAT_EQ(ActionAt(service, "r", 0.05), 0.5f);
  EXPECT_FLOAT_EQ(ActionAt(service, "r", 0.10), 1.0f);
  EXPECT_EQ(service.Stats("r").rate_limited, 2);
}

TEST(PlanServiceTest, NanActionServesTheSafeAction) {
  for (SafeAction safe : {SafeAction::kHold, SafeAction::kZero, SafeAction::kLastGoodPlan}) {
    SCOPED_TRACE(std::string(SafeActionName(safe)));
    PlanService service(ScriptedMaker(), Options(safe));
    service.Reset("r", 0);
    SetStateAndWait(service, "r", 1.f, 0.0);
    EXPECT_EQ(ActionAt(service, "r", 0.0), 1.f);
    SetStateAndWait(service, "r", 99.f, 0.1);  // the planner returns NaN
    ActionAnswer answer;
    const float action = ActionAt(service, "r", 0.2, &answer);
    EXPECT_TRUE(answer.safe_action);
    EXPECT_EQ(answer.safety_reason, "nan_action");
    // hold: the last action served; zero: 0; last good plan: the plan from x = 1 at t = 0.2 (index 2).
    EXPECT_EQ(action, safe == SafeAction::kHold ? 1.f : safe == SafeAction::kZero ? 0.f : 3.f);
    const ServiceStats stats = service.Stats("r");
    EXPECT_EQ(stats.nan_action, 1);
    EXPECT_EQ(stats.safety_events(), 1);
  }
}

TEST(PlanServiceTest, NanStateIsRefusedAndServesTheSafeActionUntilAGoodState) {
  PlanService service(ScriptedMaker(), Options(SafeAction::kZero));
  service.Reset("r", 0);
  SetStateAndWait(service, "r", 1.f, 0.0);
  const std::vector<float> bad = {std::nanf(""), 0.f, 0.f};
  EXPECT_THROW(service.SetState("r", bad, 0.05), ConfigError);
  ActionAnswer answer;
  EXPECT_EQ(ActionAt(service, "r", 0.05, &answer), 0.f);
  EXPECT_EQ(answer.safety_reason, "nan_state");
  SetStateAndWait(service, "r", 1.f, 0.1);
  EXPECT_EQ(ActionAt(service, "r", 0.1, &answer), 1.f);
  EXPECT_FALSE(answer.safe_action);
  EXPECT_EQ(service.Stats("r").nan_state, 1);
}

TEST(PlanServiceTest, StaleStateAndMissingPlanServeTheSafeAction) {
  PlanService service(ScriptedMaker(), Options(SafeAction::kZero));
  service.Reset("r", 0);
  ActionAnswer answer;
  EXPECT_EQ(ActionAt(service, "r", 0.0, &answer), 0.f);
  EXPECT_EQ(answer.safety_reason, "no_plan");
  SetStateAndWait(service, "r", 1.f, 0.0);
  EXPECT_EQ(ActionAt(service, "r", 0.4, &answer), 4.f);
  EXPECT_FALSE(answer.safe_action);
  EXPECT_EQ(ActionAt(service, "r", 0.6, &answer), 0.f);  // the state is 0.6 s old, the limit 0.5 s
  EXPECT_EQ(answer.safety_reason, "stale_state");
  const ServiceStats stats = service.Stats("r");
  EXPECT_EQ(stats.no_plan, 1);
  EXPECT_EQ(stats.stale_state, 1);
}

TEST(PlanServiceTest, GetActionDoesNotWaitForABusyPlanner) {
  auto gate = std::make_shared<Gate>();
  PlanService service(ScriptedMaker(gate), Options());
  service.Reset("r", 0);
  SetStateAndWait(service, "r", 1.f, 0.0);  // the first plan passes the gate
  service.SetState("r", std::vector<float>{2.f, 0.f, 0.f}, 0.1);
  gate->WaitEntered();                      // the planner is now busy on the second plan
  // Answered from the first plan while the planner is held at the gate.
  for (int i = 0; i < 100; ++i) EXPECT_EQ(ActionAt(service, "r", 0.1), 2.f);
  gate->Open();
  auto plan = SetStateAndWait(service, "r", 3.f, 0.2);
  EXPECT_EQ(ActionAt(service, "r", 0.2), 3.f);
}

TEST(PlanServiceTest, ExplicitPlanUsesTheNewestState) {
  PlanService service(ScriptedMaker(), Options());
  service.Reset("r", 0);
  EXPECT_THROW(service.Plan("r", {}), StateError);  // no state yet
  service.SetState("r", std::vector<float>{4.f, 0.f, 0.f}, 1.0);
  auto plan = service.Plan("r", {.iterations = 1});
  EXPECT_EQ(plan->actions, (std::vector<float>{4, 5, 6, 7}));
  EXPECT_DOUBLE_EQ(plan->time, 1.0);
  EXPECT_THROW(service.Plan("r", {.iterations = -1}), ConfigError);
  EXPECT_GE(service.Stats("r").plans, 1);
}

TEST(PlanServiceTest, ReplansOfNewStatesStartAtMostOncePerPeriodButPlanRequestsDoNotWait) {
  ServiceOptions options = Options();
  options.min_replan_period_ms = 300;
  PlanService service(ScriptedMaker(), options);
  service.Reset("r", 0);
  SetStateAndWait(service, "r", 1.f, 0.0);
  const int64_t plans_before = service.Stats("r").plans;
  const auto start = Clock::now();
  // 20 new states in ~100 ms: at most one replan may start before the period ends (a slow machine only
  // makes fewer).
  for (int i = 0; i < 20; ++i) {
    service.SetState("r", std::vector<float>{static_cast<float>(i), 0.f, 0.f}, 0.1 * (i + 1));
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const double elapsed_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  if (elapsed_ms < 250) EXPECT_LE(service.Stats("r").plans - plans_before, 1);
  // An explicit Plan is served now, from the newest state, without waiting for the period.
  auto plan = service.Plan("r", {.iterations = 1});
  EXPECT_EQ(plan->actions.front(), 19.f);
  // And the newest state is replanned once the period is over.
  auto replanned = SetStateAndWait(service, "r", 42.f, 5.0);
  ASSERT_NE(replanned, nullptr);
  EXPECT_EQ(ActionAt(service, "r", 5.0), 42.f);
}

TEST(PlanServiceTest, SessionsAreIndependentAndBadInputIsNamed) {
  ServiceOptions options = Options();
  options.max_sessions = 2;
  PlanService service(ScriptedMaker(), options);
  service.Reset("a", 0);
  service.Reset("b", 0);
  SetStateAndWait(service, "a", 1.f, 0.0);
  SetStateAndWait(service, "b", 2.f, 0.0);
  EXPECT_EQ(ActionAt(service, "a", 0.0), 1.f);
  EXPECT_EQ(ActionAt(service, "b", 0.0), 2.f);
  EXPECT_EQ(service.sessions(), 2);
  EXPECT_EQ(service.Stats().sessions, 2);

  ActionAnswer answer;
  try {
    service.GetAction("nobody", 0.0, false, answer);
    FAIL() << "unknown robot accepted";
  } catch (const NotFoundError& e) {
    EXPECT_NE(std::string(e.what()).find("nobody"), std::string::npos) << e.what();
  }
  EXPECT_THROW(service.SetState("a", std::vector<float>{1.f, 2.f}, 0.0), ShapeError);
  EXPECT_THROW(service.SetState("a", std::vector<float>{1.f, 2.f, 3.f}, std::nan("")), ConfigError);
  EXPECT_THROW(service.Reset("b", 0, "nosuch:x=1"), NotFoundError);  // "b" keeps its session
  EXPECT_THROW(service.Reset("c", 0), RangeError);                  // max_sessions = 2
  EXPECT_THROW(service.Reset("", 0), ConfigError);
  // A reset replaces the session: no state, no plan.
  service.Reset("a", 1);
  EXPECT_THROW(service.GetPlan("a"), StateError);
  // The other robot kept its plan.
  EXPECT_EQ(ActionAt(service, "b", 0.0), 2.f);
  service.Shutdown();
  EXPECT_THROW(service.Reset("a", 0), StateError);
  EXPECT_EQ(service.Stats("b").sessions, 1);
}

TEST(PlanServiceTest, OptionsAreValidated) {
  ServiceOptions options = Options();
  options.dt = 0;
  EXPECT_THROW(PlanService(ScriptedMaker(), options), ConfigError);
  options = Options();
  options.planner = "";
  EXPECT_THROW(PlanService(ScriptedMaker(), options), ConfigError);
  options = Options();
  options.planner = "nosuch";  // the default spec is built once up front
  EXPECT_THROW(PlanService(ScriptedMaker(), options), NotFoundError);
  options = Options();
  options.safety.max_rate = -1;
  EXPECT_THROW(PlanService(ScriptedMaker(), options), ConfigError);
  options = Options();
  options.planner_nice = 20;  // niceness stops at 19
  EXPECT_THROW(PlanService(ScriptedMaker(), options), ConfigError);
  options = Options();
  options.min_replan_period_ms = -5;
  EXPECT_THROW(PlanService(ScriptedMaker(), options), ConfigError);
  options = Options();
  options.planner_cpus = {4096};  // no such core
  EXPECT_THROW(PlanService(ScriptedMaker(), options), ConfigError);
  EXPECT_THROW(ParseSafeAction("brake"), ConfigError);
  options = Options();
  options.safety.bounds = Box::Uniform(2, -1, 1);  // actions have 1 dimension
  PlanService service(ScriptedMaker(), options);
  EXPECT_THROW(service.Reset("r", 0), ShapeError);
}

}  // namespace
}  // namespace augur::serve
