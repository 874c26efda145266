// Beam search over a Trajectory Transformer trained on the chain MDP (tests/testing/chain_mdp.h): it must find
// the known best action sequence (right x 4 from state 0, though left pays more immediately), with and without
// the KV cache; and bad input.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "augur/agents/any_planner.h"
#include "augur/core/error.h"
#include "augur/models/factory.h"
#include "augur/search/beam.h"
#include "augur/search/factory.h"
#include "../testing/chain_mdp.h"

namespace augur::search {
namespace {

// A TT over the chain MDP's data (window 5 steps), trained for `epochs` epochs.
std::shared_ptr<const SequenceModel> TrainChainTt(int epochs) {
  const data::Dataset data = testing::ChainDataset(200, 8, 7);
  auto model = models::CreateSequenceModel("tt:bins=20,layers=2,heads=2,width=32,steps=5,dropout=0",
                                           {.obs_dim = 1, .action_dim = 1, .action_bounds = Box::Uniform(1, -1, 1)});
  models::TrainOptions o;
  o.max_epochs = epochs;
  o.batch_size = 32;
  o.learning_rate = 3e-3;
  o.holdout_ratio = 0;
  o.seed = 1;
  model->Train(data, o, nullptr);
  return std::shared_ptr<const SequenceModel>(model.release());
}

class BeamTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    model_ = TrainChainTt(15);
    executor_ = new Executor(1);
  }
  static void TearDownTestSuite() {
    model_.reset();
    delete executor_;
  }
  static PlanResult PlanFrom(float x, const std::string& spec) {
    auto planner = MakeSearchPlanner(spec, {.seed = 0, .sequence_model = model_}, *executor_);
    const std::vector<float> obs{x};
    return planner->Plan(obs, Budget::Iterations(1));
  }
  static inline std::shared_ptr<const SequenceModel> model_;
  static inline Executor* executor_ = nullptr;
};

TEST_F(BeamTest, FindsTheBestSequenceWithAndWithoutTheCache) {
  // Deterministic expansion (top-k): the search covers all 16 sequences of 4 binary actions. (Sampled expansion
  // is not a known-answer test: a briefly trained model spreads some action mass over unseen neighbouring
  // tokens, whose predictions are off the data.)
  for (const char* spec : {"beam:width=8,horizon=4,expand=2,select=topk",
                           "beam:width=8,horizon=4,expand=2,select=topk,cache=false",
                           "beam:width=16,horizon=4,expand=2,select=topk,dedup=false"}) {
    const PlanResult r = PlanFrom(0.0f, spec);
    ASSERT_EQ(r.plan.size(), 4u) << spec;
    for (int t = 0; t < 4; ++t) EXPECT_GT(r.plan[t], 0.0f) << spec << " step " << t;  // right, right, right, right
    EXPECT_GT(r.action[0], 0.0f);
    EXPECT_LE(r.action[0], 1.0f);
    // predicted states: 0 (given), then 1, 2, 3 (bin centres of 20 bins over [0, 4]: width 0.2)
    ASSERT_EQ(r.predicted_states.size(), 4u);
    for (int t = 1; t < 4; ++t) EXPECT_NEAR(r.predicted_states[t], t, 0.2) << spec;
    EXPECT_GT(r.predicted_return, 0.5) << spec;  // about discount^3 * 1 plus the value after
    EXPECT_EQ(r.iterations, 4);
  }
  // Cache and recompute give the same plan; a sampled plan repeats for a seed.
  const PlanResult a = PlanFrom(1.0f, "beam:width=8,horizon=5,expand=2,select=topk");
  const PlanResult b = PlanFrom(1.0f, "beam:width=8,horizon=5,expand=2,select=topk,cache=false");
  EXPECT_EQ(a.plan, b.plan);
  EXPECT_NEAR(a.predicted_return, b.predicted_return, 1e-4);
  auto planner = MakeSearchPlanner("beam:width=8,horizon=3,expand=2", {.seed = 4, .sequence_model = model_},
                                   *executor_);
  const std::vector<float> obs{2.0f};
  const PlanResult c = planner->Plan(obs, Budget::Iterations(1));
  planner->Reset(4);
  const PlanResult d = planner->Plan(obs, Budget::Iterations(1));
  EXPECT_EQ(c.plan, d.plan);
  EXPECT_EQ(c.predicted_return, d.predicted_return);
}

TEST(BeamBadInputTest, ClearErrors) {
  const std::shared_ptr<const SequenceModel> model_ = TrainChainTt(1);  // any weights will do
  Executor executor(1);
  Executor* executor_ = &executor;
  auto PlanFrom = [&](float x, const std::string& spec) {
    const std::vector<float> obs{x};
    return MakeSearchPlanner(spec, {.sequence_model = model_}, executor)->Plan(obs, Budget::Iterations(1));
  };
  // horizon beyond the model's window (5 steps), unknown key, bad values, missing model
  EXPECT_THROW(PlanFrom(0.0f, "beam:horizon=6"), ConfigError);
  EXPECT_THROW(PlanFrom(0.0f, "beam:depth=3"), ConfigError);
  EXPECT_THROW(PlanFrom(0.0f, "beam:width=0"), ConfigError);
  EXPECT_THROW(PlanFrom(0.0f, "beam:cdf=1.5"), ConfigError);
  EXPECT_THROW(PlanFrom(0.0f, "beam:select=topk,expand=21,horizon=2"), ConfigError);
  EXPECT_THROW(MakeSearchPlanner("beam:width=4", {}, *executor_), ConfigError);
  auto planner = MakeSearchPlanner("beam:width=4,horizon=2", {.sequence_model = model_}, *executor_);
  const std::vector<float> two{0.0f, 1.0f}, nan{std::nanf("")};
  EXPECT_THROW(planner->Plan(two, Budget::Iterations(1)), ShapeError);
  EXPECT_THROW(planner->Plan(nan, Budget::Iterations(1)), ConfigError);
  // MakeAnyPlanner: beam with a sequence model works; a world-model planner with only a sequence model says so
  EXPECT_NO_THROW(MakeAnyPlanner("beam:width=4,horizon=2", {.sequence_model = model_}, *executor_));
  EXPECT_THROW(MakeAnyPlanner("cem:horizon=2", {.sequence_model = model_}, *executor_), ConfigError);
}

}  // namespace
}  // namespace augur::search
