// Gumbel MuZero root selection (Gumbel-top-m, sequential halving, completed Q) on bandits with known answers.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "../testing/search_models.h"
#include "augur/core/executor.h"
#include "augur/search/evaluator.h"
#include "augur/search/factory.h"
#include "augur/search/mcts.h"

namespace augur::search {
namespace {

std::unique_ptr<Mcts> MakeGumbelBandit(std::vector<float> rewards, int64_t m, Executor& ex) {
  MctsOptions o;
  o.root = RootRule::kGumbel;
  o.gumbel_actions = m;
  o.reuse_tree = false;
  auto model = std::make_shared<testing::BanditModel>(rewards);
  return std::make_unique<Mcts>(model, std::make_shared<NullEvaluator>(1, static_cast<int64_t>(rewards.size())), o,
                                ex);
}

// Arms paying 0.2, 0.5, 0.9, 0.4, m = 4, 8 simulations: log2(4) = 2 phases.
//  phase 1: floor(8 / (2 * 4)) = 1 visit per arm (4 simulations).
//  halving: sigma(q) = (50 + 1) * q_norm, q_norm = (0.0, 0.43, 1.0, 0.29) dwarfs the Gumbel noise, so arms 2 and 1
//           survive whatever the seed.
//  phase 2: floor(8 / (2 * 2)) = 2 more visits each for arms 2 and 1.
// Visits (1, 3, 3, 1); the action is arm 2 (the larger g + logit + sigma among the survivors).
TEST(GumbelBandit, SequentialHalvingVisitsByHand) {
  Executor ex(1);
  for (uint64_t seed : {0, 1, 2, 3, 4}) {
    auto mcts = MakeGumbelBandit({0.2f, 0.5f, 0.9f, 0.4f}, 4, ex);
    mcts->Reset(seed);
    PlanResult r = mcts->Plan(std::vector<float>{0.f}, Budget::Iterations(8));
    EXPECT_EQ(mcts->last_stats().visits, (std::vector<int64_t>{1, 3, 3, 1})) << "seed " << seed;
    EXPECT_EQ(r.action, std::vector<float>{2.f}) << "seed " << seed;
  }
}

// m = 2 of 4 arms: only the two with the largest g + logit (uniform prior: the largest Gumbel noise) are ever
// visited, each half of the simulations (one phase).
TEST(GumbelBandit, OnlyTheTopMActionsAreVisited) {
  Executor ex(1);
  auto mcts = MakeGumbelBandit({0.2f, 0.5f, 0.9f, 0.4f}, 2, ex);
  mcts->Plan(std::vector<float>{0.f}, Budget::Iterations(10));
  int visited = 0;
  for (int64_t v : mcts->last_stats().visits) {
    if (v > 0) {
      ++visited;
      EXPECT_EQ(v, 5);
    }
  }
  EXPECT_EQ(visited, 2);
}

TEST(GumbelBandit, FindsTheBestArmWithFewSimulationsAndFromASpec) {
  Executor ex(1);
  SearchInputs in;
  in.model = std::make_shared<testing::BanditModel>(std::vector<float>{0.1f, 0.3f, 0.2f, 0.8f, 0.5f, 0.0f});
  auto p = MakeSearchPlanner("mcts:root=gumbel,gumbel_actions=16,evaluator=null,reuse=false", in, ex);
  for (uint64_t seed = 0; seed < 5; ++seed) {
    p->Reset(seed);
    EXPECT_EQ(p->Plan(std::vector<float>{0.f}, Budget::Iterations(12)).action, std::vector<float>{3.f});
  }
}

}  // namespace
}  // namespace augur::search
