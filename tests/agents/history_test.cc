// History-of-k: the dataset transform, the online stacker and the WorldModel wrapper (exact shifts, both
// paths agree, planners run on it unchanged).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include "../testing/linear_model.h"
#include "augur/core/error.h"
#include "augur/core/executor.h"
#include "augur/data/dataset_builder.h"
#include "augur/models/history.h"
#include "augur/planners/factory.h"

namespace augur::models {
namespace {

std::vector<float> Row(const at::Tensor& t, int64_t r) {
  const at::Tensor row = t[r].contiguous();
  return std::vector<float>(row.data_ptr<float>(), row.data_ptr<float>() + row.numel());
}

// One episode, O = 1, A = 1: observations 1, 2, 3 -> next 2, 3, 4; actions 10, 20, 30.
data::Dataset Tiny() {
  data::DatasetBuilder builder(1, 1, 0);
  data::Episode e;
  e.obs_dim = e.action_dim = 1;
  e.observations = {1, 2, 3};
  e.actions = {10, 20, 30};
  e.rewards = {0, 0, 0};
  e.next_observations = {2, 3, 4};
  e.truncated = true;
  builder.AddEpisode(e);
  e.observations = {5};
  e.actions = {50};
  e.rewards = {0};
  e.next_observations = {6};
  builder.AddEpisode(e);
  return builder.Build({});
}

TEST(StackHistoryTest, KnownAnswerWithPaddingAtEpisodeStarts) {
  EXPECT_EQ(HistoryDim(1, 1, 3), 5);
  const data::Dataset d = StackHistory(Tiny(), 3);  // [o_{t-2}, o_{t-1}, o_t, a_{t-2}, a_{t-1}]
  ASSERT_EQ(d.obs_dim(), 5);
  EXPECT_EQ(Row(d.observations(), 0), (std::vector<float>{1, 1, 1, 0, 0}));
  EXPECT_EQ(Row(d.next_observations(), 0), (std::vector<float>{1, 1, 2, 0, 10}));
  EXPECT_EQ(Row(d.observations(), 1), (std::vector<float>{1, 1, 2, 0, 10}));
  EXPECT_EQ(Row(d.observations(), 2), (std::vector<float>{1, 2, 3, 10, 20}));
  EXPECT_EQ(Row(d.next_observations(), 2), (std::vector<float>{2, 3, 4, 20, 30}));
  // The second episode starts over.
  EXPECT_EQ(Row(d.observations(), 3), (std::vector<float>{5, 5, 5, 0, 0}));
  EXPECT_EQ(Row(d.next_observations(), 3), (std::vector<float>{5, 5, 6, 0, 50}));
  EXPECT_EQ(d.num_episodes(), 2);
  EXPECT_TRUE(at::equal(d.actions(), Tiny().actions()));
  EXPECT_EQ(d.metadata().extra.at("history_k"), "3");
  EXPECT_EQ(StackHistory(Tiny(), 1).obs_dim(), 1);
  EXPECT_THROW(StackHistory(Tiny(), 0), ConfigError);
}

std::shared_ptr<testing::LinearModel> Inner(int64_t h) {
  testing::LinearModelOptions o;
  o.state_dim = h;
  o.action_dim = 1;
  o.a.assign(h * h, 0.f);
  for (int64_t i = 0; i < h; ++i) o.a[i * h + i] = 0.9f, o.a[i * h + (i + 1) % h] = 0.05f;
  o.b.assign(h, 0.5f);
  return std::make_shared<testing::LinearModel>(o);
}

TEST(HistoryModelTest, ShiftsExactlyAndKeepsOnlyTheNewestPrediction) {
  const int k = 3;
  const int64_t o = 2, a = 1, h = HistoryDim(o, a, k);  // 2 * 3 + 2 = 8
  auto inner = Inner(h);
  HistoryModel model(inner, o, a, k);
  EXPECT_EQ(model.spec().obs_dim, h);
  const at::Tensor state = at::arange(2 * h, at::kFloat).reshape({2, h}) / 10;
  const at::Tensor action = at::tensor({0.3f, -0.4f}).reshape({2, 1});
  StepContext ctx;
  const Transition t = model.Step(state, action, ctx);
  StepContext ctx2;
  const at::Tensor raw = inner->Step(state, action, ctx2).next_state;
  for (int64_t r = 0; r < 2; ++r) {
    const auto s = Row(state, r), n = Row(t.next_state, r), p = Row(raw, r);
    for (int64_t i = 0; i < (k - 1) * o; ++i) EXPECT_EQ(n[i], s[i + o]) << i;               // shifted
    for (int64_t i = (k - 1) * o; i < k * o; ++i) EXPECT_FLOAT_EQ(n[i], p[i]) << i;          // predicted
    EXPECT_EQ(n[k * o], s[k * o + a]);                                                        // older action
    EXPECT_EQ(n[k * o + a], action[r][0].item<float>());                                     // newest action
  }
  // The raw-buffer path gives the same.
  std::vector<float> next(2 * h), reward(2), done(2);
  const at::Tensor sc = state.contiguous(), ac = action.contiguous();
  CpuStep step;
  step.rows = 2;
  step.state = sc.data_ptr<float>();
  step.action = ac.data_ptr<float>();
  Scratch scratch;
  step.scratch = &scratch;
  step.next_state = next.data();
  step.reward = reward.data();
  step.done = done.data();
  model.StepCpu(step);
  for (int64_t i = 0; i < 2 * h; ++i) EXPECT_NEAR(next[i], t.next_state.view({-1})[i].item<float>(), 1e-6) << i;
  // An inner model of the wrong size is refused with both sizes.
  try {
    HistoryModel(Inner(5), o, a, k);
    FAIL();
  } catch (const ShapeError& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("needs 8"));
  }
}

TEST(HistoryModelTest, StackerMatchesTheDatasetTransformAndPlannersRunOnIt) {
  HistoryStacker stacker(1, 1, 3);
  stacker.Reset(std::vector<float>{1});
  stacker.Push(std::vector<float>{10}, std::vector<float>{2});
  stacker.Push(std::vector<float>{20}, std::vector<float>{3});
  const data::Dataset d = StackHistory(Tiny(), 3);
  EXPECT_EQ(std::vector<float>(stacker.stacked().begin(), stacker.stacked().end()), Row(d.observations(), 2));

  const int64_t h = HistoryDim(2, 1, 3);
  auto model = std::make_shared<HistoryModel>(Inner(h), 2, 1, 3);
  Executor executor(2);
  auto planner = MakePlanner("cem:pop=16,elites=4,iters=2,horizon=4", {.model = model}, executor);
  const std::vector<float> obs(h, 0.1f);
  const PlanResult plan = planner->Plan(obs, Budget{.iterations = 2});
  EXPECT_EQ(plan.action.size(), 1u);
  EXPECT_EQ(planner->obs_dim(), h);
}

}  // namespace
}  // namespace augur::models
