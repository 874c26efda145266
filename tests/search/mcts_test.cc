// Known-answer tests for Mcts: PUCT visit counts on bandits traced by hand, shortest paths in a gridworld with
// the true model, tree reuse, budgets and deadlines, determinism across thread counts, bad input.
#include "augur/search/mcts.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "../testing/linear_model.h"
#include "../testing/search_models.h"
#include "augur/core/error.h"
#include "augur/core/executor.h"
#include "augur/search/evaluator.h"
#include "augur/search/factory.h"
#include "search_test_helpers.h"

namespace augur::search {
namespace {

using testing::BanditModel;
using testing::GridRollouts;
using testing::GridWorldModel;

MctsOptions BanditOptions(bool normalize) {
  MctsOptions o;
  o.c_puct = 1.0;
  o.normalize = normalize;
  o.reuse_tree = false;
  return o;
}

std::unique_ptr<Mcts> MakeBandit(std::vector<float> rewards, const MctsOptions& o, Executor& ex) {
  auto model = std::make_shared<BanditModel>(rewards);
  auto eval = std::make_shared<NullEvaluator>(1, static_cast<int64_t>(rewards.size()));
  return std::make_unique<Mcts>(model, eval, o, ex);
}

// Two arms paying 0 and 1, uniform prior 1/2, c = 1, score = Q + c P sqrt(max(N, 1)) / (1 + n):
//  sim 1: N = 0 -> both score 0.5, tie on prior -> arm 0 (Q0 = 0).
//  sim 2: N = 1 -> arm 0: 0 + 0.5/2 = 0.25, arm 1: 0 + 0.5/1 = 0.5 -> arm 1 (Q1 = 1).
//  then with n0 = 1, n1 = k, N = k + 1: arm 0 scores 0.25 sqrt(N), arm 1 scores 1 + 0.5 sqrt(N) / (k + 1), so
//  arm 1 wins until 0.25 sqrt(N) > 1 + 0.5 sqrt(N) / N, first at N = 20 (1.118 > 1.112): sim 21 is arm 0.
// 10 simulations -> visits (1, 9); 30 -> (2, 28).
TEST(MctsBandit, TwoArmsPuctCountsByHand) {
  Executor ex(1);
  auto mcts = MakeBandit({0.f, 1.f}, BanditOptions(true), ex);
  const std::vector<float> obs{0.f};
  PlanResult r = mcts->Plan(obs, Budget::Iterations(10));
  EXPECT_EQ(mcts->last_stats().visits, (std::vector<int64_t>{1, 9}));
  EXPECT_EQ(r.action, std::vector<float>{1.f});
  EXPECT_EQ(r.iterations, 10);
  EXPECT_NEAR(r.predicted_return, 0.9, 1e-9);  // root value: mean of the backed-up rewards
  r = mcts->Plan(obs, Budget::Iterations(30));
  EXPECT_EQ(mcts->last_stats().visits, (std::vector<int64_t>{2, 28}));
  EXPECT_NEAR(mcts->last_stats().policy[1], 28.f / 30.f, 1e-6);
  EXPECT_FLOAT_EQ(mcts->last_stats().q[0], 0.f);
  EXPECT_FLOAT_EQ(mcts->last_stats().q[1], 1.f);
}

// Three arms paying 0.2, 0.5, 0.9, no normalization, prior 1/3, c = 1:
//  sim 1: all 1/3 -> arm 0.   sim 2 (N=1): 0.2 + 1/6 = .367 > 1/3 -> arm 0.
//  sim 3 (N=2): arm 0 .2 + .471/3 = .357, arms 1, 2 .471 (tie -> lower index) -> arm 1.
//  sim 4 (N=3): arm 1 .5 + .577/2 = .789 > arm 2 .577 -> arm 1.  sim 5 (N=4): .5 + .667/3 = .722 > .667 -> arm 1.
//  sim 6 (N=5): arm 1 .5 + .745/4 = .686 < arm 2 .745 -> arm 2; from then on arm 2 (0.9 + ...) wins to sim 12.
// 12 simulations -> (2, 3, 7).
TEST(MctsBandit, ThreeArmsUnnormalizedCountsByHand) {
  Executor ex(1);
  auto mcts = MakeBandit({0.2f, 0.5f, 0.9f}, BanditOptions(false), ex);
  mcts->Plan(std::vector<float>{0.f}, Budget::Iterations(12));
  EXPECT_EQ(mcts->last_stats().visits, (std::vector<int64_t>{2, 3, 7}));
}

TEST(MctsBandit, VisitsConcentrateOnTheBestArm) {
  Executor ex(1);
  auto mcts = MakeBandit({0.2f, 0.5f, 0.9f, 0.4f}, BanditOptions(true), ex);
  PlanResult r = mcts->Plan(std::vector<float>{0.f}, Budget::Iterations(2000));
  EXPECT_EQ(r.action, std::vector<float>{2.f});
  EXPECT_GT(mcts->last_stats().policy[2], 0.95f);
  for (int64_t v : mcts->last_stats().visits) EXPECT_GT(v, 0);  // every arm was tried
}

MctsOptions GridOptions() {
  MctsOptions o;
  o.c_puct = 1.0;
  o.discount = 0.9;
  o.max_depth = 20;
  return o;
}

std::vector<float> StepModel(const WorldModel& model, std::span<const float> s, float action, float* reward,
                             bool* done) {
  std::vector<float> next(s.size());
  float r = 0.f, d = 0.f;
  CpuStep step;
  step.rows = 1;
  step.state = s.data();
  step.action = &action;
  step.next_state = next.data();
  step.reward = &r;
  step.done = &d;
  model.StepCpu(step);
  if (reward) *reward = r;
  if (done) *done = d > 0.5f;
  return next;
}

// Closed loop with the true model: every start reaches the goal in exactly the Manhattan distance.
TEST(MctsGridWorld, TrueModelFindsTheShortestPath) {
  Executor ex(2);
  auto model = std::make_shared<GridWorldModel>(5, 5, 4, 3);
  Mcts mcts(model, GridRollouts(model), GridOptions(), ex);
  for (const auto& [x0, y0] : std::vector<std::pair<int, int>>{{0, 0}, {4, 0}, {0, 4}, {2, 2}}) {
    mcts.Reset(7);
    std::vector<float> s{static_cast<float>(x0), static_cast<float>(y0)};
    int steps = 0;
    bool done = false;
    while (!done && steps < 30) {
      PlanResult r = mcts.Plan(s, Budget::Iterations(300));
      s = StepModel(*model, s, r.action[0], nullptr, &done);
      ++steps;
    }
    EXPECT_TRUE(done) << "from (" << x0 << ", " << y0 << ")";
    EXPECT_EQ(steps, model->ShortestPath(x0, y0)) << "from (" << x0 << ", " << y0 << ")";
  }
}

TEST(MctsGridWorld, PlanIsThePrincipalVariation) {
  Executor ex(1);
  auto model = std::make_shared<GridWorldModel>(4, 4, 3, 0);
  Mcts mcts(model, GridRollouts(model), GridOptions(), ex);
  const std::vector<float> s{0.f, 0.f};
  PlanResult r = mcts.Plan(s, Budget::Iterations(500));
  ASSERT_GE(r.plan.size(), 3u);
  // Three steps right reach the goal.
  for (int t = 0; t < 3; ++t) EXPECT_EQ(r.plan[t], static_cast<float>(GridWorldModel::kRight)) << t;
  EXPECT_EQ(r.plan[0], r.action[0]);
  EXPECT_EQ(r.predicted_states.size(), (r.plan.size() + 1) * 2);
  // discount^2 for the reward on the third step is the best any plan gets; the root's mean is near it.
  EXPECT_LE(r.predicted_return, 0.81 + 1e-6);
  EXPECT_GT(r.predicted_return, 0.5);
}

TEST(MctsTreeReuse, KeepsExactlyTheChosenSubtree) {
  Executor ex(1);
  auto model = std::make_shared<GridWorldModel>(5, 5, 4, 4);
  Mcts mcts(model, GridRollouts(model), GridOptions(), ex);
  const std::vector<float> s0{0.f, 0.f};
  PlanResult r = mcts.Plan(s0, Budget::Iterations(200));
  const int a = static_cast<int>(r.action[0]);
  const int64_t child_visits = mcts.last_stats().visits[a];
  const double child_value = (mcts.last_stats().q[a] - 0.0) / 0.9;  // reward 0 off the goal: Q = discount * V
  const int64_t subtree = mcts.SubtreeNodes(a);
  ASSERT_GT(child_visits, 0);
  const std::vector<float> s1 = StepModel(*model, s0, r.action[0], nullptr, nullptr);
  mcts.Plan(s1, Budget::Iterations(50));
  const SearchStats& st = mcts.last_stats();
  EXPECT_EQ(st.reused_visits, child_visits);
  EXPECT_EQ(st.reused_nodes, subtree);
  EXPECT_NEAR(st.reused_value, child_value, 1e-5);
  EXPECT_EQ(st.root_visits, child_visits + 50);
  EXPECT_EQ(st.simulations, 50);

  // An observation no child predicted: rebuilt from scratch.
  mcts.Plan(std::vector<float>{3.f, 0.f}, Budget::Iterations(20));
  EXPECT_EQ(mcts.last_stats().reused_visits, 0);
  EXPECT_EQ(mcts.last_stats().root_visits, 20);
  // Reset forgets the tree even when the observation matches.
  PlanResult r2 = mcts.Plan(s0, Budget::Iterations(20));
  const std::vector<float> s2 = StepModel(*model, s0, r2.action[0], nullptr, nullptr);
  mcts.Reset(1);
  mcts.Plan(s2, Budget::Iterations(20));
  EXPECT_EQ(mcts.last_stats().reused_visits, 0);
}

TEST(MctsTreeReuse, ReuseMatchesAnyRootChildNotOnlyTheChosenOne) {
  Executor ex(1);
  auto model = std::make_shared<GridWorldModel>(5, 5, 4, 4);
  Mcts mcts(model, GridRollouts(model), GridOptions(), ex);
  const std::vector<float> s0{2.f, 2.f};
  PlanResult r = mcts.Plan(s0, Budget::Iterations(200));
  const int other =
      static_cast<int>(r.action[0]) == GridWorldModel::kLeft ? GridWorldModel::kDown : GridWorldModel::kLeft;
  const int64_t visits = mcts.last_stats().visits[other];
  ASSERT_GT(visits, 0);
  mcts.Plan(StepModel(*model, s0, static_cast<float>(other), nullptr, nullptr), Budget::Iterations(10));
  EXPECT_EQ(mcts.last_stats().reused_visits, visits);
}

TEST(MctsBudget, IterationsDeadlinesAndBoth) {
  Executor ex(1);
  auto model = std::make_shared<GridWorldModel>(8, 8, 7, 7);
  MctsOptions o = GridOptions();
  o.reuse_tree = false;
  o.simulations = 0;  // deadline-only budgets run until the deadline
  Mcts mcts(model, GridRollouts(model), o, ex);
  const std::vector<float> s{0.f, 0.f};
  PlanResult r = mcts.Plan(s, Budget::Iterations(37));
  EXPECT_EQ(r.iterations, 37);
  EXPECT_FALSE(r.cut_short);

  r = mcts.Plan(s, Budget::Deadline(std::chrono::milliseconds(30)));
  EXPECT_GT(r.iterations, 0);
  EXPECT_FALSE(r.cut_short);
  EXPECT_GE(r.seconds, 0.025);
  // The search stops at the deadline, not at some later budget: a wide bound, since a loaded 2-core machine
  // can deschedule the thread for a long time (0.27 s was seen at load 19 with a 30 ms deadline).
  EXPECT_LT(r.seconds, 2.0);

  r = mcts.Plan(s, Budget::IterationsWithin(1'000'000'000, std::chrono::milliseconds(20)));
  EXPECT_TRUE(r.cut_short);
  EXPECT_LT(r.iterations, 1'000'000'000);
  EXPECT_LT(r.seconds, 2.0);

  // A deadline already passed still returns a valid action from the root expansion.
  r = mcts.Plan(s, Budget::DeadlineAt(Clock::now() - std::chrono::seconds(1)));
  EXPECT_EQ(r.iterations, 0);
  ASSERT_EQ(r.action.size(), 1u);
}

TEST(MctsBudget, SpecSimulationsWhenTheBudgetGivesNone) {
  Executor ex(1);
  auto model = std::make_shared<GridWorldModel>(5, 5, 4, 4);
  MctsOptions o = GridOptions();
  o.simulations = 25;
  Mcts mcts(model, GridRollouts(model), o, ex);
  PlanResult r = mcts.Plan(std::vector<float>{0.f, 0.f}, Budget::Deadline(std::chrono::hours(1)));
  EXPECT_EQ(r.iterations, 25);
}

TEST(MctsBudget, PoolCapacityStopsADeadlineSearch) {
  Executor ex(1);
  auto model = std::make_shared<GridWorldModel>(5, 5, 4, 4);
  MctsOptions o = GridOptions();
  o.simulations = 0;
  o.max_nodes = 41;  // root + 10 blocks of 4
  Mcts mcts(model, GridRollouts(model), o, ex);
  PlanResult r = mcts.Plan(std::vector<float>{0.f, 0.f}, Budget::Deadline(std::chrono::seconds(5)));
  EXPECT_TRUE(mcts.last_stats().pool_full);
  EXPECT_LE(mcts.last_stats().nodes, 41);
  EXPECT_LT(r.seconds, 1.0);
}

std::vector<int64_t> VisitsWithThreads(int threads, uint64_t seed) {
  Executor ex(threads);
  auto model = std::make_shared<GridWorldModel>(6, 6, 5, 5);
  Mcts mcts(model, GridRollouts(model), GridOptions(), ex);
  mcts.Reset(seed);
  std::vector<float> s{0.f, 0.f};
  std::vector<int64_t> all;
  for (int t = 0; t < 3; ++t) {
    PlanResult r = mcts.Plan(s, Budget::Iterations(100));
    all.insert(all.end(), mcts.last_stats().visits.begin(), mcts.last_stats().visits.end());
    s = StepModel(*model, s, r.action[0], nullptr, nullptr);
  }
  return all;
}

TEST(MctsDeterminism, SameSeedSameTreeWithOneOrTwoThreads) {
  EXPECT_EQ(VisitsWithThreads(1, 3), VisitsWithThreads(2, 3));
  EXPECT_EQ(VisitsWithThreads(1, 3), VisitsWithThreads(1, 3));
}

class BadPriorEvaluator : public Evaluator {
 public:
  int64_t state_dim() const override { return 1; }
  int64_t num_actions() const override { return 2; }
  int64_t Evaluate(std::span<const float>, int64_t batch, uint64_t, uint64_t, std::span<float> values,
                   std::span<float> priors, Scratch&) override {
    for (int64_t b = 0; b < batch; ++b) {
      values[b] = 0.f;
      priors[2 * b] = 0.5f;
      priors[2 * b + 1] = 0.3f;
    }
    return 0;
  }
};

TEST(MctsBadInput, ClearErrorsNamingTheValue) {
  Executor ex(1);
  // A continuous action space given to PUCT.
  testing::LinearModelOptions lo;
  auto linear = std::make_shared<testing::LinearModel>(lo);
  try {
    Mcts m(linear, std::make_shared<NullEvaluator>(1, 2), MctsOptions{}, ex);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("continuous"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("Box"), std::string::npos) << e.what();
  }
  // A budget with neither simulations nor a deadline.
  auto mcts = MakeBandit({0.f, 1.f}, BanditOptions(true), ex);
  try {
    mcts->Plan(std::vector<float>{0.f}, Budget{});
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("neither"), std::string::npos) << e.what();
  }
  EXPECT_THROW(mcts->Plan(std::vector<float>{0.f, 1.f}, Budget::Iterations(1)), ShapeError);
  // Priors that do not sum to one.
  Mcts bad(std::make_shared<BanditModel>(std::vector<float>{0.f, 1.f}), std::make_shared<BadPriorEvaluator>(),
           MctsOptions{}, ex);
  try {
    bad.Plan(std::vector<float>{0.f}, Budget::Iterations(1));
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("sums to 0.8"), std::string::npos) << e.what();
  }
  // Options out of range.
  MctsOptions o;
  o.discount = 1.5;
  EXPECT_THROW(MakeBandit({0.f, 1.f}, o, ex), ConfigError);
  // An evaluator of the wrong size.
  EXPECT_THROW(Mcts(std::make_shared<BanditModel>(std::vector<float>{0.f, 1.f}), std::make_shared<NullEvaluator>(1, 3),
                    MctsOptions{}, ex),
               ConfigError);
}

TEST(SearchRolloutEvaluator, KnownValuesOnTheBandit) {
  Executor ex(1);
  auto model = std::make_shared<BanditModel>(std::vector<float>{1.f, 1.f});
  RolloutEvaluator::Options o;
  o.depth = 5;
  o.rollouts = 3;
  RolloutEvaluator eval(model, o);
  std::vector<float> states{0.f, 4.f}, values(2), priors(4);
  int64_t n = 0;
  ex.Run([&] { n = eval.Evaluate(states, 2, 0, 0, values, priors, ex.scratch()); });
  // Every arm pays 1 and ends the episode: each rollout is worth exactly 1.
  EXPECT_FLOAT_EQ(values[0], 1.f);
  EXPECT_FLOAT_EQ(values[1], 1.f);
  EXPECT_FLOAT_EQ(priors[0], 0.5f);
  EXPECT_EQ(n, 6);  // one step for each of the 2 x 3 rollout rows, then all are done
}

TEST(SearchFactory, MctsFromASpecString) {
  Executor ex(1);
  SearchInputs in;
  in.model = std::make_shared<GridWorldModel>(5, 5, 4, 4);
  auto p = MakeSearchPlanner("mcts:sims=25,c=1.0,discount=0.9,rollout_depth=5,rollouts=2", in, ex);
  EXPECT_EQ(p->name(), "mcts");
  PlanResult r = p->Plan(std::vector<float>{0.f, 0.f}, Budget::Deadline(std::chrono::hours(1)));
  EXPECT_EQ(r.iterations, 25);
  EXPECT_TRUE(IsSearchPlanner("mcts"));
  EXPECT_FALSE(IsSearchPlanner("cem"));
  EXPECT_THROW(MakeSearchPlanner("mcts:sims=25,bogus=1", in, ex), ConfigError);
  EXPECT_THROW(MakeSearchPlanner("nope", in, ex), NotFoundError);
  EXPECT_THROW(MakeSearchPlanner("mcts", SearchInputs{}, ex), ConfigError);
  in.evaluator = std::make_shared<NullEvaluator>(2, 4);
  EXPECT_NO_THROW(MakeSearchPlanner("mcts:evaluator=null", SearchInputs{in.model, nullptr, 0}, ex));
  EXPECT_THROW(MakeSearchPlanner("mcts:rollouts=3", in, ex), ConfigError);  // evaluator keys with a ready evaluator
  EXPECT_NE(SearchPlannerHelp("mcts").find("sims="), std::string::npos);
}

}  // namespace
}  // namespace augur::search
