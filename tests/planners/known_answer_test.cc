// Known answers on quadratic costs whose optimal open-loop sequences are worked out by hand, |u| <= 1:
//  - point (x' = u, a position command), reward -(x' - g)^2 per step: every step's optimum is clip(g), and
//    the cost is separable and well conditioned: CEM, iCEM and MPPI must find it to 1e-3 in 1-D and 2-D;
//  - integrator (x' = x + u), reward -(x' - g)^2 summed over the horizon: move as fast as allowed towards g,
//    then stay: u_0 = clip(g - x_0), then u_1 = clip(g - x_0 - u_0), ... Over H steps the cost is a quadratic
//    in the cumulative sums (condition number ~45 for H = 5), where sampling planners converge slowly; the
//    first action is checked to 1e-3 at the bound and for a 2-step horizon.
// iCEM runs with mildly colored noise here (beta = 0.5; see the beta = 2 test below), its other features on.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "../testing/linear_model.h"
#include "augur/planners/factory.h"

namespace augur {
namespace {

using testing::LinearModel;
using testing::LinearModelOptions;

class KnownAnswerTest : public ::testing::TestWithParam<std::string> {
 protected:
  PlanResult Solve(std::vector<float> goal, bool point, int64_t horizon, int iterations = 60) {
    LinearModelOptions o;
    o.state_dim = o.action_dim = static_cast<int64_t>(goal.size());
    o.goal = goal;
    if (point) o.a.assign(goal.size() * goal.size(), 0.f);
    PlannerInputs in;
    in.model = std::make_shared<LinearModel>(o);
    in.seed = 1;
    auto planner = MakePlanner(GetParam() + ",particles=1,horizon=" + std::to_string(horizon), in, executor_);
    return planner->Plan(std::vector<float>(goal.size(), 0.f), Budget::Iterations(iterations));
  }
  Executor executor_{2};
};

TEST_P(KnownAnswerTest, Point1D) {
  const PlanResult r = Solve({0.6f}, /*point=*/true, 5);
  for (int t = 0; t < 5; ++t) EXPECT_NEAR(r.plan[t], 0.6f, 1e-3) << "step " << t;
}

TEST_P(KnownAnswerTest, Point2DWithOneComponentOnTheBound) {
  const PlanResult r = Solve({0.3f, -1.2f}, true, 5);
  for (int t = 0; t < 5; ++t) {
    EXPECT_NEAR(r.plan[2 * t], 0.3f, 1e-3) << "step " << t;
    EXPECT_NEAR(r.plan[2 * t + 1], -1.f, 1e-3) << "step " << t;
  }
}

TEST_P(KnownAnswerTest, IntegratorInterior) {
  const PlanResult r = Solve({0.6f}, /*point=*/false, 2);
  EXPECT_NEAR(r.action[0], 0.6f, 1e-3);
  EXPECT_NEAR(r.plan[1], 0.f, 1e-2);
}

TEST_P(KnownAnswerTest, IntegratorBound) {
  const PlanResult r = Solve({2.5f}, false, 5);
  EXPECT_NEAR(r.action[0], 1.f, 1e-3);
  EXPECT_NEAR(r.plan[1], 1.f, 1e-2);
  EXPECT_NEAR(r.plan[2], 0.5f, 5e-2);
}

INSTANTIATE_TEST_SUITE_P(Planners, KnownAnswerTest,
                         ::testing::Values("cem:pop=200,elites=40,init_std=1",
                                           "icem:pop=300,elites=60,init_std=1,beta=0.5",
                                           "mppi:samples=256,elites=64,temperature=1,min_std=0,init_std=1"),
                         [](const auto& info) { return info.param.substr(0, info.param.find(':')); });

// Colored noise correlates a sequence's steps, which suits smooth optima; on the point problem (whose
// deviations are independent per step) it converges more slowly: checked at a looser tolerance.
TEST(IcemKnownAnswerTest, ColoredNoiseSolvesThePointProblem) {
  Executor executor(2);
  LinearModelOptions o;
  o.goal = {0.6f};
  o.a = {0.f};
  PlannerInputs in;
  in.model = std::make_shared<LinearModel>(o);
  auto planner = MakePlanner("icem:pop=300,elites=30,init_std=1,beta=2,particles=1,horizon=5", in, executor);
  const PlanResult r = planner->Plan(std::vector<float>{0.f}, Budget::Iterations(30));
  for (int t = 0; t < 5; ++t) EXPECT_NEAR(r.plan[t], 0.6f, 1e-2) << "step " << t;
}

TEST(RandomShootingKnownAnswerTest, GetsCloseInOneStep) {
  Executor executor(2);
  LinearModelOptions o;
  o.goal = {0.6f};
  PlannerInputs in;
  in.model = std::make_shared<LinearModel>(o);
  auto planner = MakePlanner("rs:pop=4000,horizon=1,particles=1", in, executor);
  const PlanResult r = planner->Plan(std::vector<float>{0.f}, Budget::Iterations(1));
  EXPECT_NEAR(r.action[0], 0.6f, 5e-3);
  EXPECT_NEAR(r.predicted_return, -(r.action[0] - 0.6) * (r.action[0] - 0.6), 1e-6);
}

}  // namespace
}  // namespace augur
