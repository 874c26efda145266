// No allocation inside the planning loop after the first call: this executable replaces the global
// operator new/delete with counting versions and checks that the 2nd..Nth Plan (and PlanBatch) allocate
// nothing with the CPU-path analytic model.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "../testing/counting_new.h"
#include "../testing/linear_model.h"
#include "augur/planners/factory.h"

namespace augur {
namespace {

PlannerInputs Inputs() {
  testing::LinearModelOptions o;
  o.state_dim = 2;
  o.action_dim = 2;
  o.goal = {0.5f, -0.5f};
  o.members = 7;
  o.member_offset = 0.01f;
  o.noise_std = 0.02f;
  o.uncertainty_scale = 0.1f;
  PlannerInputs in;
  in.model = std::make_shared<testing::LinearModel>(o);
  in.objective = Objective::Penalized(0.5);
  return in;
}

class AllocationTest : public ::testing::TestWithParam<std::tuple<std::string, int>> {};

TEST_P(AllocationTest, SteadyStatePlansAllocateNothing) {
  const auto& [spec, threads] = GetParam();
  Executor executor(threads);
  auto planner = MakePlanner(spec, Inputs(), executor);
  PlanResult result;
  std::vector<float> obs = {0.f, 0.f};
  for (int warm = 0; warm < 3; ++warm) planner->Plan(obs, Budget::Iterations(3), result);
  const int64_t before = g_allocations.load();
  for (int step = 0; step < 5; ++step) {
    obs[0] = 0.1f * step;
    planner->Plan(obs, Budget::IterationsWithin(3, std::chrono::hours(1)), result);
  }
  EXPECT_EQ(g_allocations.load() - before, 0) << spec << " with " << threads << " threads";
  EXPECT_EQ(result.iterations, 3);
}

INSTANTIATE_TEST_SUITE_P(
    Planners, AllocationTest,
    ::testing::Combine(::testing::Values("rs:pop=64,horizon=10,particles=7,propagation=ts1",
                                         "cem:pop=64,elites=8,horizon=10,particles=7",
                                         "icem:pop=64,elites=8,horizon=10,particles=7,propagation=ts1",
                                         "mppi:samples=64,elites=8,horizon=10,particles=7,penalty=disagreement"),
                       ::testing::Values(1, 2)));

TEST(AllocationTest, SteadyStateBatchAllocatesNothing) {
  Executor executor(2);
  auto batch = MakePlannerBatch("icem:pop=32,elites=4,horizon=8,particles=7", Inputs(), 4, executor);
  std::vector<PlanResult> out;
  const std::vector<float> obs(8, 0.1f);
  for (int warm = 0; warm < 3; ++warm) batch->PlanBatch(obs, Budget::Iterations(3), out);
  const int64_t before = g_allocations.load();
  for (int step = 0; step < 5; ++step) batch->PlanBatch(obs, Budget::Iterations(3), out);
  EXPECT_EQ(g_allocations.load() - before, 0);
}

}  // namespace
}  // namespace augur
