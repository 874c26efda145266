// No allocation per simulation once warm: this executable replaces the global operator new/delete with counting
// versions and checks that the 3rd..Nth Plan of each search configuration allocates nothing (single tree,
// batches of trees with simulations in flight, Gumbel root, chance nodes, progressive widening, rollout and MLP
// evaluators, 1 and 2 threads).
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "../testing/chance_models.h"
#include "../testing/counting_new.h"
#include "../testing/search_models.h"
#include "augur/core/executor.h"
#include "augur/search/evaluator.h"
#include "augur/search/mcts.h"
#include "augur/search/mlp_evaluator.h"

namespace augur::search {
namespace {

struct Case {
  std::string name;
  std::shared_ptr<const WorldModel> model;
  std::shared_ptr<Evaluator> evaluator;
  MctsOptions options;
  int64_t trees = 1;
  std::vector<float> obs;  // one tree's observation
};

std::vector<Case> Cases() {
  auto grid = std::make_shared<testing::GridWorldModel>(6, 6, 5, 5);
  RolloutEvaluator::Options ro;
  ro.depth = 8;
  ro.rollouts = 2;
  auto rollouts = std::make_shared<RolloutEvaluator>(grid, ro);
  auto mlp = std::make_shared<MlpEvaluator>(MlpWeights::Random({2, 64, 64, 5}, 1));
  std::vector<Case> cases;
  MctsOptions o;
  o.discount = 0.9;
  cases.push_back({"one tree, rollouts", grid, rollouts, o, 1, {0.f, 0.f}});
  MctsOptions batch = o;
  batch.in_flight = 4;
  cases.push_back({"4 trees x 4 in flight, mlp", grid, mlp, batch, 4, {1.f, 2.f}});
  batch.virtual_loss = 0.0;
  cases.push_back({"4 trees x 4 in flight, no virtual loss, rollouts", grid, rollouts, batch, 4, {0.f, 3.f}});
  MctsOptions gumbel = o;
  gumbel.root = RootRule::kGumbel;
  gumbel.gumbel_actions = 4;
  cases.push_back({"gumbel, mlp", grid, mlp, gumbel, 2, {2.f, 2.f}});
  MctsOptions chance = o;
  chance.chance = ChanceMode::kSample;
  cases.push_back({"chance nodes",
                   std::make_shared<testing::TwoStepChanceMdp>(),
                   std::make_shared<NullEvaluator>(2, 2),
                   chance,
                   2,
                   {0.f, 0.f}});
  MctsOptions widening = o;
  widening.widening = true;
  widening.pw_proposal = WideningProposal::kLocal;
  widening.in_flight = 2;
  auto bandit = std::make_shared<testing::ContinuousBanditModel>(std::vector<float>{0.2f, 0.1f});
  cases.push_back({"widening", bandit, std::make_shared<NullEvaluator>(1, 0), widening, 2, {0.f}});
  return cases;
}

TEST(SearchAllocation, WarmPlansAllocateNothing) {
  for (int threads : {1, 2}) {
    Executor ex(threads);
    for (const Case& c : Cases()) {
      MctsBatch search(c.model, c.evaluator, c.options, c.trees, ex);
      std::vector<float> obs;
      for (int64_t b = 0; b < c.trees; ++b) obs.insert(obs.end(), c.obs.begin(), c.obs.end());
      std::vector<PlanResult> out(c.trees);
      for (int warm = 0; warm < 3; ++warm) search.Plan(obs, Budget::Iterations(64), out);
      const int64_t before = AllocationCount();
      for (int step = 0; step < 5; ++step) search.Plan(obs, Budget::IterationsWithin(64, std::chrono::hours(1)), out);
      EXPECT_EQ(AllocationCount() - before, 0) << c.name << " with " << threads << " threads";
      EXPECT_EQ(out[0].iterations, 64) << c.name;
    }
  }
}

TEST(SearchAllocation, TheOneTreePlannerWithAReusedResult) {
  Executor ex(1);
  auto grid = std::make_shared<testing::GridWorldModel>(6, 6, 5, 5);
  MctsOptions o;
  o.in_flight = 2;
  Mcts mcts(grid, std::make_shared<MlpEvaluator>(MlpWeights::Random({2, 64, 64, 5}, 2)), o, ex);
  PlanResult result;
  const std::vector<float> obs{0.f, 0.f};
  for (int warm = 0; warm < 3; ++warm) mcts.Plan(obs, Budget::Iterations(100), result);
  const int64_t before = AllocationCount();
  for (int step = 0; step < 5; ++step) mcts.Plan(obs, Budget::Iterations(100), result);
  EXPECT_EQ(AllocationCount() - before, 0);
}

}  // namespace
}  // namespace augur::search
