#include "augur/planners/factory.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "../testing/linear_model.h"
#include "augur/core/error.h"
#include "augur/rollouts/model_evaluator.h"

namespace augur {
namespace {

using ::testing::HasSubstr;
using testing::LinearModel;

PlannerInputs Inputs() {
  PlannerInputs in;
  in.model = std::make_shared<LinearModel>(testing::LinearModelOptions{});
  return in;
}

TEST(PlannerFactoryTest, BuildsEveryRegisteredPlannerFromItsSpec) {
  Executor executor(1);
  EXPECT_EQ(PlannerNames(), (std::vector<std::string>{"cem", "icem", "mppi", "rs"}));
  for (const char* spec :
       {"cem:pop=500,elites=50,iters=5,horizon=30", "icem:pop=300,elites=30,iters=3,horizon=30,beta=2.0",
        "mppi:samples=512,iters=6,elites=64,horizon=16,temperature=0.5", "rs:pop=1000,horizon=30",
        "cem:particles=5,propagation=ts1,chunk=4,sample=false,penalty=disagreement"}) {
    auto planner = MakePlanner(spec, Inputs(), executor);
    EXPECT_EQ(planner->name(), std::string(spec).substr(0, std::string(spec).find(':')));
    EXPECT_EQ(planner->action_dim(), 1);
  }
  EXPECT_EQ(MakePlanner("mppi:horizon=16", Inputs(), executor)->horizon(), 16);
}

TEST(PlannerFactoryTest, UnknownKeyListsTheValidOnes) {
  Executor executor(1);
  try {
    MakePlanner("cem:pop=100,popsize=3", Inputs(), executor);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("popsize"));
    EXPECT_THAT(e.what(), HasSubstr("elites"));
    EXPECT_THAT(e.what(), HasSubstr("particles"));
  }
}

TEST(PlannerFactoryTest, UnknownPlannerListsTheNames) {
  Executor executor(1);
  try {
    MakePlanner("cma:pop=100", Inputs(), executor);
    FAIL();
  } catch (const NotFoundError& e) {
    EXPECT_THAT(e.what(), HasSubstr("cem, icem, mppi, rs"));
  }
}

TEST(PlannerFactoryTest, BadValuesAndInputsNameTheProblem) {
  Executor executor(1);
  EXPECT_THROW(MakePlanner("cem:pop=0", Inputs(), executor), ConfigError);
  EXPECT_THROW(MakePlanner("icem:propagation=ts3", Inputs(), executor), ConfigError);
  try {
    MakePlanner("cem", PlannerInputs{}, executor);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("PlannerInputs::model"));
  }
  PlannerInputs with_evaluator;
  with_evaluator.evaluator = std::make_shared<ModelEvaluator>(Inputs().model, Objective::Reward());
  EXPECT_NO_THROW(MakePlanner("rs:pop=10", with_evaluator, executor));
  // Rollout keys belong to the evaluator the factory builds; with a ready evaluator they are unknown.
  EXPECT_THROW(MakePlanner("rs:particles=3", with_evaluator, executor), ConfigError);
  PlannerInputs both = Inputs();
  both.evaluator = with_evaluator.evaluator;
  EXPECT_THROW(MakePlanner("rs", both, executor), ConfigError);
  EXPECT_THROW(MakePlannerBatch("rs", with_evaluator, 2, executor), ConfigError);
}

TEST(PlannerFactoryTest, HelpListsKeysWithDefaults) {
  const std::string help = PlannerHelp("icem");
  EXPECT_THAT(help, HasSubstr("beta"));
  EXPECT_THAT(help, HasSubstr("decay"));
  EXPECT_THAT(help, HasSubstr("propagation"));
  EXPECT_THROW(PlannerHelp("nope"), NotFoundError);
}

}  // namespace
}  // namespace augur
