#include "augur/planners/planner_batch.h"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <vector>

#include "../testing/linear_model.h"
#include "augur/core/error.h"
#include "augur/core/rng.h"
#include "augur/planners/factory.h"

namespace augur {
namespace {

PlannerInputs Inputs(uint64_t seed) {
  testing::LinearModelOptions o;
  o.goal = {0.5f};
  o.noise_std = 0.05f;
  o.members = 2;
  o.member_offset = 0.01f;
  PlannerInputs in;
  in.model = std::make_shared<testing::LinearModel>(o);
  in.seed = seed;
  return in;
}

constexpr const char* kSpec = "icem:pop=64,elites=8,iters=3,horizon=6,particles=4,propagation=ts1";

TEST(PlannerBatchTest, EachRobotPlansItsOwnProblemLikeASinglePlanner) {
  Executor executor(2);
  auto batch = MakePlannerBatch(kSpec, Inputs(7), 3, executor);
  ASSERT_EQ(batch->size(), 3);
  const std::vector<float> obs = {0.f, 0.4f, 1.f};
  std::vector<PlanResult> out;
  for (int step = 0; step < 2; ++step) batch->PlanBatch(obs, Budget::Iterations(3), out);
  ASSERT_EQ(out.size(), 3u);
  for (int64_t i = 0; i < 3; ++i) {
    auto single = MakePlanner(kSpec, Inputs(7), executor);
    single->Reset(StreamId({7, static_cast<uint64_t>(i)}));
    PlanResult r;
    for (int step = 0; step < 2; ++step) single->Plan(std::span<const float>(&obs[i], 1), Budget::Iterations(3), r);
    EXPECT_EQ(out[i].plan, r.plan) << "robot " << i;
  }
  EXPECT_GT(out[0].action[0], out[2].action[0]);  // robot 0 must move up to 0.5, robot 2 down
}

TEST(PlannerBatchTest, IdenticalForOneAndTwoThreads) {
  const std::vector<float> obs = {0.f, 0.2f, 0.4f, 0.6f, 0.8f};
  std::vector<std::vector<float>> plans[2];
  for (int threads : {1, 2}) {
    Executor executor(threads);
    auto batch = MakePlannerBatch(kSpec, Inputs(3), 5, executor);
    for (int step = 0; step < 2; ++step) {
      for (const PlanResult& r : batch->PlanBatch(obs, Budget::Iterations(3))) plans[threads - 1].push_back(r.plan);
    }
  }
  EXPECT_EQ(plans[0], plans[1]);
}

TEST(PlannerBatchTest, BadObservationsNameTheRobot) {
  Executor executor(1);
  auto batch = MakePlannerBatch(kSpec, Inputs(0), 2, executor);
  EXPECT_THROW(batch->PlanBatch(std::vector<float>{0.f}, Budget::Iterations(1)), ShapeError);
  try {
    batch->PlanBatch(std::vector<float>{0.f, NAN}, Budget::Iterations(1));
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("robot 1"), std::string::npos) << e.what();
  }
  EXPECT_THROW(PlannerBatch(
                   0, [](int64_t) { return nullptr; }, executor),
               ConfigError);
}

}  // namespace
}  // namespace augur
