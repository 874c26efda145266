// Continuous actions: progressive widening (k(n) = ceil(C * n^alpha) children) behind the Planner contract, and
// the discrete-only rules given a continuous model (clear errors naming the value).
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "../testing/chance_models.h"
#include "../testing/search_models.h"
#include "augur/core/error.h"
#include "augur/core/executor.h"
#include "augur/search/evaluator.h"
#include "augur/search/factory.h"
#include "augur/search/mcts.h"

namespace augur::search {
namespace {

using testing::ContinuousBanditModel;

MctsOptions WideningOptions(WideningProposal proposal) {
  MctsOptions o;
  o.widening = true;
  o.pw_c = 1.0;
  o.pw_alpha = 0.5;
  o.pw_max_children = 64;
  o.pw_proposal = proposal;
  o.reuse_tree = false;
  return o;
}

// Simulation s + 1 sees the root with s visits and may widen to ceil(sqrt(max(s, 1))) children: after 100
// simulations the root has ceil(sqrt(99)) = 10; after 17, ceil(sqrt(16)) = 4; a cap of 3 holds at 3.
TEST(MctsWidening, ChildrenFollowCeilCTimesNToTheAlpha) {
  Executor ex(1);
  auto model = std::make_shared<ContinuousBanditModel>(std::vector<float>{0.3f});
  Mcts mcts(model, std::make_shared<NullEvaluator>(1, 0), WideningOptions(WideningProposal::kUniform), ex);
  mcts.Plan(std::vector<float>{0.f}, Budget::Iterations(100));
  EXPECT_EQ(mcts.last_stats().children, 10);
  int64_t total = 0;
  for (int64_t v : mcts.last_stats().visits) total += v;
  EXPECT_EQ(total, 100);
  mcts.Plan(std::vector<float>{0.f}, Budget::Iterations(17));
  EXPECT_EQ(mcts.last_stats().children, 4);
  MctsOptions capped = WideningOptions(WideningProposal::kUniform);
  capped.pw_max_children = 3;
  Mcts small(model, std::make_shared<NullEvaluator>(1, 0), capped, ex);
  small.Plan(std::vector<float>{0.f}, Budget::Iterations(100));
  EXPECT_EQ(small.last_stats().children, 3);
  EXPECT_EQ(small.num_actions(), 3);
}

// reward -|u - target|^2 in the box [-1, 1]^2: the chosen action is a sampled one (inside the box) near the target.
// The local proposal refines around the best child (20 children after 400 simulations, about half local).
TEST(MctsWidening, FindsTheBestActionInTheBox) {
  Executor ex(1);
  const std::vector<float> target{0.3f, -0.6f};
  auto model = std::make_shared<ContinuousBanditModel>(target);
  auto distance = [&](const std::vector<float>& a) { return std::hypot(a[0] - target[0], a[1] - target[1]); };
  for (auto [proposal, tolerance] : {std::pair{WideningProposal::kUniform, 0.35}, {WideningProposal::kLocal, 0.2}}) {
    Mcts mcts(model, std::make_shared<NullEvaluator>(1, 0), WideningOptions(proposal), ex);
    for (uint64_t seed = 0; seed < 4; ++seed) {
      mcts.Reset(seed);
      PlanResult r = mcts.Plan(std::vector<float>{0.f}, Budget::Iterations(400));
      ASSERT_EQ(r.action.size(), 2u);
      for (float a : r.action) {
        EXPECT_GE(a, -1.f);
        EXPECT_LE(a, 1.f);
      }
      EXPECT_LT(distance(r.action), tolerance) << "seed " << seed << " proposal " << static_cast<int>(proposal);
      // The action is one of the root children's, the most visited one.
      const SearchStats& st = mcts.last_stats();
      int64_t best = 0;
      for (int64_t j = 1; j < st.children; ++j) best = st.visits[j] > st.visits[best] ? j : best;
      EXPECT_EQ(r.action[0], st.actions[best * 2]);
      EXPECT_EQ(r.action[1], st.actions[best * 2 + 1]);
    }
  }
}

TEST(MctsWidening, FromASpecWithRolloutsOverTheBox) {
  Executor ex(1);
  SearchInputs in;
  in.model = std::make_shared<ContinuousBanditModel>(std::vector<float>{-0.5f});
  auto p = MakeSearchPlanner("mcts:sims=200,widening=true,pw_proposal=local,rollout_depth=3,reuse=false", in, ex);
  EXPECT_EQ(p->action_dim(), 1);
  PlanResult r = p->Plan(std::vector<float>{0.f}, Budget::Iterations(200));
  EXPECT_NEAR(r.action[0], -0.5f, 0.15f);
  EXPECT_EQ(r.plan.size(), 1u);
}

TEST(MctsWidening, DiscreteOnlyRulesOnAContinuousModelAreClearErrors) {
  Executor ex(1);
  auto model = std::make_shared<ContinuousBanditModel>(std::vector<float>{0.f, 0.f});
  auto expect_error = [&](const MctsOptions& o, std::vector<std::string> parts) {
    try {
      Mcts m(model, std::make_shared<NullEvaluator>(1, 0), o, ex);
      FAIL() << "expected ConfigError";
    } catch (const ConfigError& e) {
      for (const std::string& part : parts) EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
    }
  };
  MctsOptions gumbel = WideningOptions(WideningProposal::kUniform);
  gumbel.root = RootRule::kGumbel;
  expect_error(gumbel, {"root = gumbel", "Box", "continuous"});
  MctsOptions gumbel_plain;
  gumbel_plain.root = RootRule::kGumbel;
  expect_error(gumbel_plain, {"root = gumbel", "Box", "continuous"});
  expect_error(MctsOptions{}, {"PUCT", "Box", "continuous", "widening = true"});
  // Widening on a discrete model, and on a chance model.
  MctsOptions w = WideningOptions(WideningProposal::kUniform);
  try {
    Mcts m(std::make_shared<testing::BanditModel>(std::vector<float>{0.f, 1.f}), std::make_shared<NullEvaluator>(1, 2),
           w, ex);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("Discrete(2)"), std::string::npos) << e.what();
  }
  MctsOptions bad = w;
  bad.pw_alpha = 1.5;
  EXPECT_THROW(Mcts(model, std::make_shared<NullEvaluator>(1, 0), bad, ex), ConfigError);
  SearchInputs in;
  in.model = model;
  EXPECT_THROW(MakeSearchPlanner("mcts:widening=true,root=gumbel", in, ex), ConfigError);
  EXPECT_THROW(MakeSearchPlanner("mcts:pw_proposal=bogus,widening=true", in, ex), ConfigError);
}

}  // namespace
}  // namespace augur::search
