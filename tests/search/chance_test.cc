// Chance nodes: a two-step stochastic MDP whose expectations are computed by hand (see chance_models.h).
//   Step 1 (t = 1), any action: x = 0: 0.25 * 4 + 0.75 * 0 = 1.0;  x = 1: 0.6 * 1 + 0.4 * 2 = 1.4.
//   Root, discount 0.9: Q(0) = 0.5 (1 + 0.9 * 1.0) + 0.5 (0 + 0.9 * 1.4) = 0.95 + 0.63 = 1.58
//                       Q(1) = 0.8 (0 + 0.9 * 1.0) + 0.2 (3 + 0.9 * 1.4) = 0.72 + 0.852 = 1.572
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "../testing/chance_models.h"
#include "augur/core/chance_model.h"
#include "augur/core/error.h"
#include "augur/core/executor.h"
#include "augur/search/evaluator.h"
#include "augur/search/mcts.h"

namespace augur::search {
namespace {

using testing::TwoStepChanceMdp;

std::unique_ptr<Mcts> MakeMdpSearch(ChanceMode mode, Executor& ex, float scale = 1.f) {
  auto model = std::make_shared<TwoStepChanceMdp>(scale);
  MctsOptions o;
  o.discount = 0.9;
  o.c_puct = 2.0;
  o.chance = mode;
  return std::make_unique<Mcts>(model, std::make_shared<NullEvaluator>(2, 2), o, ex);
}

// Root Q carries the Monte-Carlo error of the step-1 values: small when outcomes follow their probabilities
// deterministically (kExpand), sampling noise (about 0.03 here) when they are sampled (kSample).
void ExpectHandComputedExpectations(ChanceMode mode, double root_tolerance) {
  Executor ex(1);
  auto mcts = MakeMdpSearch(mode, ex);
  const std::vector<float> root{0.f, 0.f};
  mcts->Plan(root, Budget::Iterations(4000));
  const SearchStats& st = mcts->last_stats();
  ASSERT_GT(st.visits[0], 0);
  ASSERT_GT(st.visits[1], 0);
  // Root Q: chance expectations over Monte-Carlo values of the step-1 states (which converge to 1.0 and 1.4).
  EXPECT_NEAR(st.q[0], 1.58, root_tolerance);
  EXPECT_NEAR(st.q[1], 1.572, root_tolerance);
  // Step-1 chance nodes have terminal children: their expectation is exact. Reuse the subtree of outcome x.
  for (float x : {0.f, 1.f}) {
    mcts->Plan(root, Budget::Iterations(2000));
    mcts->Plan(std::vector<float>{1.f, x}, Budget::Iterations(1));
    const SearchStats& s1 = mcts->last_stats();
    ASSERT_GT(s1.reused_visits, 0) << "x = " << x;
    const float expected = x == 0.f ? 1.0f : 1.4f;
    for (int a = 0; a < 2; ++a) {
      if (s1.visits[a] == 0) continue;
      EXPECT_NEAR(s1.q[a], expected, 1e-5) << "x = " << x << ", a = " << a;
    }
  }
}

TEST(MctsChance, ExpandedOutcomesBackUpTheExpectation) { ExpectHandComputedExpectations(ChanceMode::kExpand, 0.01); }
TEST(MctsChance, SampledOutcomesBackUpTheExpectation) { ExpectHandComputedExpectations(ChanceMode::kSample, 0.1); }

TEST(MctsChance, ExpandedOutcomeVisitsFollowTheProbabilities) {
  Executor ex(1);
  auto mcts = MakeMdpSearch(ChanceMode::kExpand, ex);
  mcts->Plan(std::vector<float>{1.f, 1.f}, Budget::Iterations(1000));
  // From (1, 1) every action's chance node splits 0.6 / 0.4; the root's visits are all one step deep.
  const SearchStats& st = mcts->last_stats();
  EXPECT_EQ(st.visits[0] + st.visits[1], 1000);
  EXPECT_NEAR(st.q[0], 1.4, 1e-5);
  EXPECT_NEAR(st.q[1], 1.4, 1e-5);
}

TEST(MctsChance, ProbabilitiesThatDoNotSumToOneAreAClearError) {
  Executor ex(1);
  auto mcts = MakeMdpSearch(ChanceMode::kExpand, ex, 0.9f);
  try {
    mcts->Plan(std::vector<float>{0.f, 0.f}, Budget::Iterations(5));
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("sum to 0.9"), std::string::npos) << e.what();
  }
  std::vector<float> probs{0.5f, 0.6f};
  EXPECT_THROW(CheckOutcomeProbs(probs, 1, 2, "test"), ConfigError);
  probs = {0.5f, 0.50005f};
  EXPECT_NO_THROW(CheckOutcomeProbs(probs, 1, 2, "test"));
  probs = {-0.1f, 1.1f};
  EXPECT_THROW(CheckOutcomeProbs(probs, 1, 2, "test"), ConfigError);
}

}  // namespace
}  // namespace augur::search
