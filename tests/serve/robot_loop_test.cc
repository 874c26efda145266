// The fixed-rate robot loop: actions from the service when on time, the previous plan's action for the
// current time when late, held actions before any plan, and the counts of each.
#include "augur/serve/robot_loop.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <thread>

#include "augur/envs/registry.h"
#include "augur/serve/plan_client.h"
#include "scripted_planner.h"
#include "serve_test_util.h"

namespace augur::serve {
namespace {

// Passes calls through to a service, or answers DEADLINE_EXCEEDED while `late` is set.
class FlakySource : public ActionSource {
 public:
  explicit FlakySource(PlanService& service) : inner_(service, "r") {}
  Status SendState(std::span<const float> observation, double time) override {
    return inner_.SendState(observation, time);
  }
  Status RequestAction(double time, Clock::time_point deadline, ActionAnswer& out) override {
    if (late) return {StatusCode::kDeadlineExceeded, "late"};
    return inner_.RequestAction(time, deadline, out);
  }
  bool late = false;

 private:
  ServiceActionSource inner_;
};

void WaitForPlanOf(PlanService& service, uint64_t version) {
  for (int i = 0; i < 5000; ++i) {
    try {
      if (service.GetPlan("r")->state_version >= version) return;
    } catch (const StateError&) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  FAIL() << "no plan within 5 s";
}

TEST(RobotLoopTest, LateAnswersFallBackToThePreviousPlan) {
  ServiceOptions options{.planner = "scripted", .dt = 0.1};
  options.safety.max_state_age_s = 0;
  PlanService service(testing::ScriptedMaker(), options);
  service.Reset("r", 0);
  FlakySource source(service);
  FixedRateLoop loop(source, {.rate_hz = 10, .action_dim = 1, .bounds = Box::Uniform(1, -3.5f, 3.5f)});
  float action = 0;
  const std::vector<float> obs = {1.f, 0.f, 0.f};

  source.late = true;  // no plan yet: hold the last action (zero)
  loop.Step(obs, 0.0, std::span<float>(&action, 1));
  EXPECT_EQ(action, 0.f);
  EXPECT_EQ(loop.stats().holds, 1);

  source.late = false;
  service.SetState("r", obs, 0.0);
  WaitForPlanOf(service, 1);
  loop.Step(obs, 0.0, std::span<float>(&action, 1));  // plan from x = 1 at t = 0: 1, 2, 3, 4
  EXPECT_EQ(action, 1.f);

  source.late = true;
  loop.Step(obs, 0.1, std::span<float>(&action, 1));
  EXPECT_EQ(action, 2.f);  // the previous plan at t = 0.1
  loop.Step(obs, 0.3, std::span<float>(&action, 1));
  EXPECT_EQ(action, 3.5f);  // 4, clipped into the loop's bounds
  const LoopStats& stats = loop.stats();
  EXPECT_EQ(stats.steps, 4);
  EXPECT_EQ(stats.misses, 3);
  EXPECT_EQ(stats.fallbacks, 2);
  EXPECT_EQ(stats.holds, 1);
  EXPECT_EQ(stats.action_latency_s.size(), 4u);
  EXPECT_THROW(FixedRateLoop(source, LoopOptions{.rate_hz = 0}), ConfigError);
}

TEST(RobotLoopTest, DrivesThePendulumThroughTheGrpcService) {
  testing::PendulumServer server;
  PlanClient client(server.server->target());
  ASSERT_TRUE(client.Reset("pendulum", 0).ok());
  ClientActionSource source(client, "pendulum");
  auto env = envs::Make("Pendulum-v1");
  std::vector<float> obs = env->Reset(0);
  FixedRateLoop loop(source, {.rate_hz = 50, .action_dim = 1, .bounds = Box::Uniform(1, -2.f, 2.f)});
  int applied = 0;
  loop.Run(
      20, [&](std::span<float> out) { std::copy(obs.begin(), obs.end(), out.begin()); },
      [&](std::span<const float> action) {
        ASSERT_TRUE(std::abs(action[0]) <= 2.f) << action[0];
        obs = env->Step(action).observation;
        ++applied;
      },
      3);
  EXPECT_EQ(applied, 20);
  const LoopStats& stats = loop.stats();
  EXPECT_EQ(stats.steps, 20);
  EXPECT_EQ(stats.state_errors, 0);
  EXPECT_EQ(stats.misses, stats.fallbacks + stats.holds);
  std::printf("robot loop over gRPC at 50 Hz: %lld misses of %lld steps, action p50 %.0f us\n",
              static_cast<long long>(stats.misses), static_cast<long long>(stats.steps),
              1e6 * stats.LatencyQuantile(0.5));
}

}  // namespace
}  // namespace augur::serve
