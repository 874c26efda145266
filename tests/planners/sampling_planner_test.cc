#include "augur/planners/sampling_planner.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <memory>
#include <vector>

#include "../testing/linear_model.h"
#include "augur/planners/cem.h"
#include "augur/planners/icem.h"
#include "augur/planners/mppi.h"
#include "augur/planners/random_shooting.h"
#include "augur/rollouts/model_evaluator.h"

namespace augur {
namespace {

using testing::LinearModel;
using testing::LinearModelOptions;

std::shared_ptr<ModelEvaluator> Evaluator(float goal = 0.6f) {
  LinearModelOptions o;
  o.goal = {goal};
  return std::make_shared<ModelEvaluator>(std::make_shared<LinearModel>(o), Objective::Reward(),
                                          RolloutOptions{.particles = 1});
}

TEST(TopKTest, BestFirstNanLastTiesByIndex) {
  const std::vector<float> r = {1.f, NAN, 3.f, 3.f, -1.f};
  std::vector<int64_t> index(5);
  TopK(r, 5, 5, index);
  EXPECT_EQ(index, (std::vector<int64_t>{2, 3, 0, 4, 1}));
}

TEST(SamplingPlannerTest, ExpiredDeadlineReturnsTheShiftedWarmStart) {
  Executor executor(1);
  Cem cem(Evaluator(), executor, {.common = {.horizon = 4, .iters = 3}, .pop = 50, .elites = 5});
  const PlanResult first = cem.Plan(std::vector<float>{0.f}, Budget::Iterations(3));
  EXPECT_EQ(first.iterations, 3);
  EXPECT_FALSE(first.cut_short);
  const PlanResult second =
      cem.Plan(std::vector<float>{0.6f}, Budget::DeadlineAt(Clock::now() - std::chrono::seconds(1)));
  EXPECT_TRUE(second.cut_short);
  EXPECT_EQ(second.iterations, 0);
  EXPECT_TRUE(std::isnan(second.predicted_return));
  for (int t = 0; t < 3; ++t) EXPECT_EQ(second.plan[t], first.plan[t + 1]);
  EXPECT_EQ(second.plan[3], 0.f);  // the centre of [-1, 1]
}

TEST(SamplingPlannerTest, BudgetIterationsOverrideTheSpecAndDeadlineOnlyUsesIters) {
  Executor executor(1);
  Icem icem(Evaluator(), executor, {.common = {.horizon = 4, .iters = 2}, .pop = 40, .elites = 4});
  EXPECT_EQ(icem.Plan(std::vector<float>{0.f}, Budget::Iterations(5)).iterations, 5);
  const PlanResult r = icem.Plan(std::vector<float>{0.f}, Budget::Deadline(std::chrono::hours(1)));
  EXPECT_EQ(r.iterations, 2);
  EXPECT_FALSE(r.cut_short);
  // Iteration 0: 40 sampled + 1 elite kept from the last Plan + the mean; iteration 1: 32 + 1 + 1; horizon 4.
  EXPECT_EQ(r.evaluations, (42 + 34) * 4);
}

TEST(SamplingPlannerTest, IcemPopulationDecays) {
  Executor executor(1);
  Icem icem(Evaluator(), executor, {.pop = 300, .elites = 30});
  EXPECT_EQ(icem.PopulationAt(0), 300);
  EXPECT_EQ(icem.PopulationAt(1), 240);
  EXPECT_EQ(icem.PopulationAt(2), 192);
  EXPECT_EQ(icem.PopulationAt(20), 60);  // 2 x elites
}

TEST(SamplingPlannerTest, PredictedStatesFollowThePlan) {
  Executor executor(1);
  RandomShooting rs(Evaluator(), executor, {.common = {.horizon = 3}, .pop = 200});
  const PlanResult r = rs.Plan(std::vector<float>{0.25f}, Budget::Iterations(1));
  ASSERT_EQ(r.predicted_states.size(), 4u);
  float x = 0.25f;
  EXPECT_FLOAT_EQ(r.predicted_states[0], x);
  for (int t = 0; t < 3; ++t) EXPECT_FLOAT_EQ(r.predicted_states[t + 1], x += r.plan[t]);
  EXPECT_EQ(r.evaluations, 201 * 3);
}

TEST(SamplingPlannerTest, RandomShootingKeepsItsShiftedBest) {
  Executor executor(1);
  RandomShooting rs(Evaluator(0.f), executor, {.common = {.horizon = 3}, .pop = 5});
  const PlanResult first = rs.Plan(std::vector<float>{0.f}, Budget::Iterations(1));
  // From the state the first plan predicted, the shifted best is a candidate: never worse than it was.
  std::vector<float> next = {first.predicted_states[1]};
  const PlanResult second = rs.Plan(next, Budget::Iterations(1));
  double shifted = 0.0, x = next[0];
  for (int t = 0; t < 3; ++t) {
    x += t < 2 ? first.plan[t + 1] : 0.f;
    shifted -= x * x;
  }
  EXPECT_GE(second.predicted_return, shifted - 1e-6);
}

TEST(SamplingPlannerTest, MppiUsesPolicyPriorSamples) {
  Executor executor(1);
  int calls = 0;
  Mppi::Options o{.common = {.horizon = 3, .iters = 1}, .samples = 4, .elites = 1, .prior_samples = 2};
  o.prior = [&calls](std::span<const float> obs, int64_t count, int64_t horizon, uint64_t, std::span<float> out) {
    ++calls;
    ASSERT_EQ(static_cast<int64_t>(out.size()), count * horizon);
    for (int64_t i = 0; i < count * horizon; ++i) out[i] = (i % horizon == 0) ? 0.6f - obs[0] : 0.f;
  };
  Mppi mppi(Evaluator(), executor, o);
  const PlanResult r = mppi.Plan(std::vector<float>{0.f}, Budget::Iterations(1));
  EXPECT_EQ(calls, 1);
  EXPECT_FLOAT_EQ(r.action[0], 0.6f);  // the prior's optimal sequence is the one elite
  EXPECT_EQ(r.evaluations, 6 * 3);
}

TEST(SamplingPlannerTest, OptionsAreValidated) {
  Executor executor(1);
  EXPECT_THROW(Cem(Evaluator(), executor, {.pop = 10, .elites = 11}), ConfigError);
  EXPECT_THROW(Cem(Evaluator(), executor, {.common = {.horizon = 0}}), ConfigError);
  EXPECT_THROW(Icem(Evaluator(), executor, {.decay = 0.5}), ConfigError);
  EXPECT_THROW(Icem(Evaluator(), executor, {.beta = -1}), ConfigError);
  EXPECT_THROW(Mppi(Evaluator(), executor, {.temperature = 0}), ConfigError);
  EXPECT_THROW(Mppi(Evaluator(), executor, {.min_std = 1, .max_std = 0.5}), ConfigError);
  EXPECT_THROW(RandomShooting(nullptr, executor, {}), ConfigError);
}

}  // namespace
}  // namespace augur
