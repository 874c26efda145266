// Conformance suite for Planner: every registered planner, built from its spec string on a stochastic
// 2-D ensemble with asymmetric action bounds, must keep actions in bounds, return H x A plans, be
// deterministic for a seed and identical for 1 and 2 threads, honour a deadline (cut_short, at least the
// shifted warm start), forget its warm start on Reset, and reject bad observations and budgets clearly.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "../testing/linear_model.h"
#include "augur/core/error.h"
#include "augur/planners/factory.h"
#include "augur/planners/sampling_planner.h"

namespace augur {
namespace {

using ::testing::HasSubstr;

// A small configuration of each registered planner; the coverage test fails when a planner is missing.
const std::map<std::string, std::string>& Specs() {
  static const std::map<std::string, std::string> specs = {
      {"cem", "cem:pop=48,elites=6,iters=3,horizon=8"},
      {"icem", "icem:pop=48,elites=6,iters=3,horizon=8,beta=2"},
      {"mppi", "mppi:samples=48,elites=6,iters=3,horizon=8,temperature=0.5"},
      {"rs", "rs:pop=48,iters=2,horizon=8"},
  };
  return specs;
}

constexpr int64_t kH = 8, kA = 2;
const std::vector<float> kLow = {-0.5f, -2.f}, kHigh = {1.f, 0.25f};

PlannerInputs Inputs(uint64_t seed) {
  testing::LinearModelOptions o;
  o.state_dim = 2;
  o.action_dim = kA;
  o.a = {1.f, 0.1f, 0.f, 0.95f};
  o.goal = {3.f, -3.f};  // beyond the bounds: optimal actions sit on them
  o.members = 3;
  o.member_offset = 0.02f;
  o.noise_std = 0.05f;
  o.action_box = Box{kLow, kHigh};
  PlannerInputs in;
  in.model = std::make_shared<testing::LinearModel>(o);
  in.seed = seed;
  return in;
}

std::unique_ptr<Planner> Make(const std::string& name, Executor& executor, uint64_t seed = 5) {
  return MakePlanner(Specs().at(name) + ",particles=3,propagation=ts1,chunk=5", Inputs(seed), executor);
}

std::vector<std::vector<float>> Plans(const std::string& name, int threads, uint64_t seed) {
  Executor executor(threads);
  auto planner = Make(name, executor, seed);
  std::vector<std::vector<float>> plans;
  std::vector<float> obs = {0.f, 0.f};
  for (int step = 0; step < 3; ++step) {
    const PlanResult r = planner->Plan(obs, Budget::Iterations(3));
    plans.push_back(r.plan);
    obs = {r.predicted_states[2], r.predicted_states[3]};
  }
  return plans;
}

TEST(PlannerConformanceCoverage, EveryRegisteredPlannerHasASpec) {
  for (const std::string& name : PlannerNames()) EXPECT_TRUE(Specs().contains(name)) << name;
}

class PlannerConformance : public ::testing::TestWithParam<std::string> {};

TEST_P(PlannerConformance, PlanShapeAndBounds) {
  Executor executor(2);
  auto planner = Make(GetParam(), executor);
  EXPECT_EQ(planner->name(), GetParam());
  EXPECT_EQ(planner->horizon(), kH);
  EXPECT_EQ(planner->action_dim(), kA);
  EXPECT_EQ(planner->obs_dim(), 2);
  PlanResult r;
  for (int step = 0; step < 3; ++step) {
    planner->Plan(std::vector<float>{0.1f * step, 0.f}, Budget::Iterations(3), r);
    ASSERT_EQ(static_cast<int64_t>(r.plan.size()), kH * kA);
    ASSERT_EQ(static_cast<int64_t>(r.action.size()), kA);
    EXPECT_EQ(static_cast<int64_t>(r.predicted_states.size()), (kH + 1) * 2);
    for (int64_t a = 0; a < kA; ++a) EXPECT_EQ(r.action[a], r.plan[a]);
    for (int64_t i = 0; i < kH * kA; ++i) {
      EXPECT_GE(r.plan[i], kLow[i % kA]) << i;
      EXPECT_LE(r.plan[i], kHigh[i % kA]) << i;
    }
    EXPECT_EQ(r.iterations, 3);
    EXPECT_FALSE(r.cut_short);
    EXPECT_GT(r.evaluations, 0);
    EXPECT_TRUE(std::isfinite(r.predicted_return));
  }
  // The goal is beyond the box: the first action pushes towards it.
  EXPECT_GT(r.action[0], 0.f);
  EXPECT_LT(r.action[1], 0.f);
}

TEST_P(PlannerConformance, DeterministicForASeed) {
  const auto a = Plans(GetParam(), 1, 5);
  EXPECT_EQ(a, Plans(GetParam(), 1, 5));
  EXPECT_NE(a, Plans(GetParam(), 1, 6));
}

TEST_P(PlannerConformance, IdenticalForOneAndTwoThreads) {
  EXPECT_EQ(Plans(GetParam(), 1, 9), Plans(GetParam(), 2, 9));
}

TEST_P(PlannerConformance, DeadlineHonouredWithCutShort) {
  Executor executor(2);
  auto planner = MakePlanner(Specs().at(GetParam()) + ",particles=20,chunk=2", Inputs(1), executor);
  planner->Plan(std::vector<float>{0.f, 0.f}, Budget::Iterations(1));  // warm: buffers exist
  const auto deadline = std::chrono::milliseconds(20);
  const PlanResult r = planner->Plan(std::vector<float>{0.f, 0.f}, Budget::IterationsWithin(1000000, deadline));
  EXPECT_TRUE(r.cut_short);
  EXPECT_LT(r.iterations, 1000000);
  // One chunk (2 sequences x 20 particles x 8 steps) is far below 20 ms: allow for a loaded machine.
  EXPECT_LT(r.seconds, 0.02 + 0.25);
  ASSERT_EQ(static_cast<int64_t>(r.plan.size()), kH * kA);
  for (int64_t i = 0; i < kH * kA; ++i) {
    EXPECT_GE(r.plan[i], kLow[i % kA]);
    EXPECT_LE(r.plan[i], kHigh[i % kA]);
  }
}

TEST_P(PlannerConformance, ExpiredDeadlineReturnsTheShiftedWarmStart) {
  Executor executor(1);
  auto planner = Make(GetParam(), executor);
  planner->Plan(std::vector<float>{0.f, 0.f}, Budget::Iterations(3));
  auto* sampling = dynamic_cast<SamplingPlanner*>(planner.get());
  ASSERT_NE(sampling, nullptr);
  std::vector<float> expected(sampling->mean().begin(), sampling->mean().end());
  std::copy(expected.begin() + kA, expected.end(), expected.begin());
  for (int64_t a = 0; a < kA; ++a) expected[(kH - 1) * kA + a] = 0.5f * (kLow[a] + kHigh[a]);
  const PlanResult r =
      planner->Plan(std::vector<float>{0.f, 0.f}, Budget::DeadlineAt(Clock::now() - std::chrono::seconds(1)));
  EXPECT_TRUE(r.cut_short);
  EXPECT_EQ(r.iterations, 0);
  EXPECT_EQ(r.evaluations, 0);
  EXPECT_EQ(r.plan, expected);
}

TEST_P(PlannerConformance, ResetForgetsTheWarmStart) {
  Executor executor(1);
  auto used = Make(GetParam(), executor, 3);
  auto fresh = Make(GetParam(), executor, 4);
  const std::vector<float> obs1 = {0.f, 0.f}, obs2 = {0.5f, -0.5f};
  used->Plan(obs1, Budget::Iterations(3));
  used->Reset(4);
  EXPECT_EQ(used->Plan(obs2, Budget::Iterations(3)).plan, fresh->Plan(obs2, Budget::Iterations(3)).plan);
}

TEST_P(PlannerConformance, BadObservationsAndBudgetsGiveClearErrors) {
  Executor executor(1);
  auto planner = Make(GetParam(), executor);
  try {
    planner->Plan(std::vector<float>{0.f}, Budget::Iterations(1));
    FAIL();
  } catch (const ShapeError& e) {
    EXPECT_THAT(e.what(), HasSubstr("observation has 1 values"));
  }
  try {
    planner->Plan(std::vector<float>{0.f, NAN}, Budget::Iterations(1));
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("observation[1]"));
  }
  EXPECT_THROW(planner->Plan(std::vector<float>{0.f, 0.f}, Budget{}), ConfigError);
  EXPECT_THROW(planner->Plan(std::vector<float>{0.f, 0.f}, Budget::Iterations(-1)), ConfigError);
}

std::vector<std::string> Names() {
  std::vector<std::string> names;
  for (const auto& [name, spec] : Specs()) names.push_back(name);
  return names;
}

INSTANTIATE_TEST_SUITE_P(Registered, PlannerConformance, ::testing::ValuesIn(Names()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace augur
