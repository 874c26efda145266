// Parallel search: many trees in one MctsBatch, several simulations in flight per tree with virtual loss, the
// leaves of all trees stepped and evaluated in one batch, and the same result for a seed with 1 or 2 threads.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "../testing/search_models.h"
#include "augur/core/error.h"
#include "augur/core/executor.h"
#include "augur/search/evaluator.h"
#include "augur/search/mcts.h"
#include "search_test_helpers.h"

namespace augur::search {
namespace {

using testing::BanditModel;
using testing::CountingEvaluator;
using testing::CountingGridWorld;
using testing::GridRollouts;
using testing::GridWorldModel;

MctsOptions GridOptions() {
  MctsOptions o;
  o.discount = 0.9;
  o.max_depth = 20;
  return o;
}

// Four arms paying the same, 4 simulations in one wave, uniform prior 1/4, c = 1, no min-max statistics yet:
//  with virtual loss 1: slot 0 takes arm 0 (all tie, lowest index); arm 0 now has 1 pending visit with return -1,
//  Q = 0 + 0.99 * (-1) = -0.99, score -0.99 + 0.25 * 1 / 2 < 0.25 of the untried arms: slot 1 takes arm 1, and
//  so on: visits (1, 1, 1, 1), four leaves stepped.
//  without virtual loss: every slot sees the same tree and takes arm 0: visits (4, 0, 0, 0), one leaf stepped
//  (the three repeats back up its value).
TEST(MctsParallel, VirtualLossSpreadsAWaveByHand) {
  Executor ex(1);
  for (double loss : {1.0, 0.0}) {
    MctsOptions o;
    o.in_flight = 4;
    o.virtual_loss = loss;
    o.reuse_tree = false;
    Mcts mcts(std::make_shared<BanditModel>(std::vector<float>{0.5f, 0.5f, 0.5f, 0.5f}),
              std::make_shared<NullEvaluator>(1, 4), o, ex);
    PlanResult r = mcts.Plan(std::vector<float>{0.f}, Budget::Iterations(4));
    EXPECT_EQ(r.iterations, 4);
    EXPECT_EQ(mcts.last_stats().waves, 1);
    if (loss > 0) {
      EXPECT_EQ(mcts.last_stats().visits, (std::vector<int64_t>{1, 1, 1, 1}));
      EXPECT_EQ(r.evaluations, 4);
    } else {
      EXPECT_EQ(mcts.last_stats().visits, (std::vector<int64_t>{4, 0, 0, 0}));
      EXPECT_EQ(r.evaluations, 1);
    }
    EXPECT_NEAR(mcts.last_stats().root_value, 0.5, 1e-9);  // virtual losses are all taken back
  }
}

// in_flight = 1 is sequential MCTS: the bandit counts traced by hand in mcts_test.cc hold for every tree of a
// batch, and 10 simulations take 10 waves.
TEST(MctsParallel, EveryTreeOfABatchMatchesTheHandCount) {
  Executor ex(2);
  MctsOptions o;
  o.reuse_tree = false;
  MctsBatch batch(std::make_shared<BanditModel>(std::vector<float>{0.f, 1.f}), std::make_shared<NullEvaluator>(1, 2), o,
                  3, ex);
  std::vector<PlanResult> out(3);
  batch.Plan(std::vector<float>{0.f, 1.f, 2.f}, Budget::Iterations(10), out);
  for (int64_t b = 0; b < 3; ++b) {
    EXPECT_EQ(batch.stats(b).visits, (std::vector<int64_t>{1, 9})) << "tree " << b;
    EXPECT_EQ(batch.stats(b).waves, 10);
    EXPECT_EQ(out[b].action, std::vector<float>{1.f});
    EXPECT_EQ(out[b].iterations, 10);
  }
}

// A batch of trees gives each tree what a one-tree search of its observation gives (deterministic leaves).
TEST(MctsParallel, BatchedTreesEqualIndependentSearches) {
  Executor ex(2);
  auto model = std::make_shared<GridWorldModel>(6, 6, 5, 5);
  auto null_eval = std::make_shared<NullEvaluator>(2, 4);
  MctsOptions o = GridOptions();
  o.in_flight = 3;
  const std::vector<float> starts{0.f, 0.f, 3.f, 1.f, 5.f, 4.f};
  MctsBatch batch(model, null_eval, o, 3, ex);
  std::vector<PlanResult> out(3);
  batch.Plan(starts, Budget::Iterations(60), out);
  for (int64_t b = 0; b < 3; ++b) {
    Mcts one(model, null_eval, o, ex);
    PlanResult r = one.Plan(std::span<const float>(starts.data() + 2 * b, 2), Budget::Iterations(60));
    EXPECT_EQ(batch.stats(b).visits, one.last_stats().visits) << "tree " << b;
    EXPECT_EQ(out[b].action, r.action) << "tree " << b;
    EXPECT_EQ(out[b].evaluations, r.evaluations) << "tree " << b;
  }
}

// Each wave makes one StepCpu call and one Evaluator call for the new leaves of all trees (roots: one call).
TEST(MctsParallel, LeavesOfAllTreesAreSteppedAndEvaluatedInOneCall) {
  Executor ex(1);
  auto model = std::make_shared<CountingGridWorld>(8, 8, 7, 7);
  auto eval = std::make_shared<CountingEvaluator>(std::make_shared<NullEvaluator>(2, 4));
  MctsOptions o = GridOptions();
  o.in_flight = 2;
  o.reuse_tree = false;
  MctsBatch batch(model, eval, o, 3, ex);
  std::vector<PlanResult> out(3);
  batch.Plan(std::vector<float>{0.f, 0.f, 1.f, 1.f, 2.f, 2.f}, Budget::Iterations(10), out);
  const std::vector<int64_t> evals = eval->log.calls(), steps = model->log.calls();
  ASSERT_EQ(evals.size(), 1u + 5u);  // the roots, then one call per wave (10 simulations / 2 in flight)
  EXPECT_EQ(evals[0], 3);
  // Wave 1: every tree's two slots take two different root children (virtual loss): 6 new leaves.
  EXPECT_EQ(evals[1], 6);
  ASSERT_EQ(steps.size(), 5u);
  EXPECT_EQ(steps[0], 6);
  int64_t stepped = 0;
  for (int64_t s : steps) stepped += s;
  EXPECT_EQ(stepped, out[0].evaluations + out[1].evaluations + out[2].evaluations);
  for (int64_t b = 0; b < 3; ++b) EXPECT_EQ(batch.stats(b).waves, 5);
}

std::vector<int64_t> BatchVisits(int threads, double virtual_loss, bool widening) {
  Executor ex(threads);
  MctsOptions o = GridOptions();
  o.in_flight = 4;
  o.virtual_loss = virtual_loss;
  o.eval_batch = 5;  // several evaluator chunks per wave
  o.step_batch = 3;
  std::vector<int64_t> all;
  if (widening) {
    o.widening = true;
    o.pw_proposal = WideningProposal::kLocal;
    auto model = std::make_shared<testing::ContinuousBanditModel>(std::vector<float>{0.3f, -0.2f});
    MctsBatch batch(model, std::make_shared<NullEvaluator>(1, 0), o, 4, ex);
    batch.Reset(5);
    std::vector<PlanResult> out(4);
    batch.Plan(std::vector<float>{0.f, 1.f, 2.f, 3.f}, Budget::Iterations(40), out);
    for (int64_t b = 0; b < 4; ++b) {
      all.insert(all.end(), batch.stats(b).visits.begin(), batch.stats(b).visits.end());
      for (float a : out[b].action) all.push_back(static_cast<int64_t>(a * 1e6f));
    }
    return all;
  }
  auto model = std::make_shared<GridWorldModel>(6, 6, 5, 5);
  MctsBatch batch(model, GridRollouts(model, 2), o, 5, ex);
  batch.Reset(11);
  std::vector<float> obs{0.f, 0.f, 1.f, 0.f, 0.f, 2.f, 3.f, 3.f, 4.f, 1.f};
  std::vector<PlanResult> out(5);
  for (int t = 0; t < 3; ++t) {
    batch.Plan(obs, Budget::Iterations(48), out);
    for (int64_t b = 0; b < 5; ++b) {
      all.insert(all.end(), batch.stats(b).visits.begin(), batch.stats(b).visits.end());
      all.push_back(static_cast<int64_t>(out[b].predicted_return * 1e6));
      all.push_back(out[b].evaluations);
      // Step every tree's observation by its action (tree reuse keeps the subtree); back to the start at the goal.
      std::vector<float> next(obs.begin() + 2 * b, obs.begin() + 2 * b + 2);
      if (!augur::testing::StepInPlace(*model, next.data(), out[b].action.data())) {
        std::copy_n(next.data(), 2, obs.data() + 2 * b);
      }
    }
  }
  return all;
}

TEST(MctsParallel, SameSeedSameTreesWithOneOrTwoThreads) {
  for (double loss : {0.0, 1.0}) {
    const std::vector<int64_t> one = BatchVisits(1, loss, false);
    EXPECT_EQ(one, BatchVisits(2, loss, false)) << "virtual loss " << loss;
    EXPECT_EQ(one, BatchVisits(1, loss, false)) << "virtual loss " << loss;
  }
  EXPECT_EQ(BatchVisits(1, 1.0, true), BatchVisits(2, 1.0, true));
}

TEST(MctsParallel, ParallelSearchStillFindsTheShortestPath) {
  Executor ex(2);
  auto model = std::make_shared<GridWorldModel>(5, 5, 4, 3);
  MctsOptions o = GridOptions();
  o.in_flight = 8;
  MctsBatch batch(model, GridRollouts(model, 2), o, 2, ex);
  std::vector<float> s{0.f, 0.f, 2.f, 2.f};
  std::vector<PlanResult> out(2);
  int steps[2] = {0, 0};
  bool done[2] = {false, false};
  for (int t = 0; t < 20 && !(done[0] && done[1]); ++t) {
    batch.Plan(s, Budget::Iterations(400), out);
    for (int b = 0; b < 2; ++b) {
      if (done[b]) continue;
      done[b] = augur::testing::StepInPlace(*model, s.data() + 2 * b, out[b].action.data());
      ++steps[b];
    }
  }
  EXPECT_TRUE(done[0] && done[1]);
  EXPECT_EQ(steps[0], model->ShortestPath(0, 0));
  EXPECT_EQ(steps[1], model->ShortestPath(2, 2));
}

TEST(MctsParallel, BatchBudgetsAndBadInput) {
  Executor ex(2);
  auto model = std::make_shared<GridWorldModel>(8, 8, 7, 7);
  MctsOptions o = GridOptions();
  o.in_flight = 4;
  o.simulations = 0;
  MctsBatch batch(model, GridRollouts(model, 2), o, 2, ex);
  std::vector<PlanResult> out(2);
  const std::vector<float> obs{0.f, 0.f, 1.f, 1.f};
  batch.Plan(obs, Budget::Iterations(10), out);  // 4 + 4 + 2: the last wave takes only what is left
  EXPECT_EQ(out[0].iterations, 10);
  EXPECT_EQ(batch.stats(1).waves, 3);
  batch.Plan(obs, Budget::Deadline(std::chrono::milliseconds(30)), out);
  EXPECT_GT(out[0].iterations, 0);
  EXPECT_GE(out[0].seconds, 0.025);
  EXPECT_LT(out[0].seconds, 1.0);  // loose: a loaded machine deschedules the process
  EXPECT_THROW(batch.Plan(obs, Budget{}, out), ConfigError);  // neither simulations nor a deadline
  EXPECT_THROW(batch.Plan(std::vector<float>{0.f, 0.f}, Budget::Iterations(1), out), ShapeError);
  std::vector<PlanResult> one(1);
  EXPECT_THROW(batch.Plan(obs, Budget::Iterations(1), one), ShapeError);
  EXPECT_THROW(batch.stats(2), RangeError);
  MctsOptions bad = GridOptions();
  bad.in_flight = 0;
  EXPECT_THROW(MctsBatch(model, GridRollouts(model, 2), bad, 2, ex), ConfigError);
  bad = GridOptions();
  bad.virtual_loss = -1.0;
  EXPECT_THROW(MctsBatch(model, GridRollouts(model, 2), bad, 2, ex), ConfigError);
  EXPECT_THROW(MctsBatch(model, GridRollouts(model, 2), GridOptions(), 0, ex), ConfigError);
}

}  // namespace
}  // namespace augur::search
