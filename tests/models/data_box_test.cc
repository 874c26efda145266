// The dataset box (models/data_box.h): predictions outside the data's observation / reward box are clamped
// exactly onto it, predictions inside pass through unchanged, on both the tensor and the fused CPU path; the
// box of a dataset is its per-dimension min / max; bad boxes are refused naming the dimension.
#include "augur/models/data_box.h"

#include <ATen/ATen.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>

#include "augur/core/error.h"
#include "augur/core/executor.h"
#include "augur/data/dataset.h"

namespace augur::models {
namespace {

using ::testing::HasSubstr;

// next_state = state + action (first two dims take the action), reward = state[0] * 10, uncertainty 0.5, done
// when state[0] > 100. Both paths.
class ShiftModel final : public WorldModel {
 public:
  ShiftModel() {
    spec_.type = "shift";
    spec_.obs_dim = spec_.state_dim = 3;
    spec_.action_dim = 2;
  }
  const ModelSpec& spec() const override { return spec_; }
  at::Tensor Encode(const at::Tensor& obs) const override { return obs; }
  Transition Step(const at::Tensor& state, const at::Tensor& action, StepContext&) const override {
    CheckMatrix(state, -1, 3, "state");
    CheckMatrix(action, state.size(0), 2, "action");
    at::Tensor next = state.clone();
    next.narrow(1, 0, 2).add_(action);
    const at::Tensor s0 = state.select(1, 0);
    return {next, s0 * 10.f, s0.gt(100.f), at::full({state.size(0)}, 0.5f)};
  }
  bool has_cpu_path() const override { return true; }
  void StepCpu(const CpuStep& step) const override {
    for (int64_t r = 0; r < step.rows; ++r) {
      const float* s = step.state + r * 3;
      const float* a = step.action + r * 2;
      float* n = step.next_state + r * 3;
      n[0] = s[0] + a[0];
      n[1] = s[1] + a[1];
      n[2] = s[2];
      step.reward[r] = s[0] * 10.f;
      step.done[r] = s[0] > 100.f ? 1.f : 0.f;
      if (step.uncertainty) step.uncertainty[r] = 0.5f;
    }
  }

 private:
  ModelSpec spec_;
};

DataBox UnitBox() {
  DataBox box;
  box.obs_low = {-1.f, -2.f, 0.f};
  box.obs_high = {1.f, 2.f, 0.5f};
  box.reward_low = -3.f;
  box.reward_high = 4.f;
  return box;
}

Transition CpuTransition(const WorldModel& model, const at::Tensor& s, const at::Tensor& a) {
  const int64_t rows = s.size(0);
  at::Tensor next = at::empty({rows, 3}), reward = at::empty({rows}), done = at::empty({rows}), unc = at::empty({rows});
  Scratch scratch;
  CpuStep step;
  step.rows = rows;
  step.state = s.data_ptr<float>();
  step.action = a.data_ptr<float>();
  step.scratch = &scratch;
  step.next_state = next.data_ptr<float>();
  step.reward = reward.data_ptr<float>();
  step.done = done.data_ptr<float>();
  step.uncertainty = unc.data_ptr<float>();
  model.StepCpu(step);
  return {next, reward, done.gt(0.5f), unc};
}

TEST(DataBoxTest, ClampsPredictionsOutsideTheBoxExactlyOnBothPaths) {
  DataBoxModel boxed(std::make_shared<ShiftModel>(), UnitBox());
  // Row 0: next (3, -5, 0.7) reward 5 -> (1, -2, 0.5) reward 4. Row 1: next (-1.5, 2.5, -0.1), reward -5 ->
  // (-1, 2, 0) reward -3.
  const at::Tensor s = at::tensor({0.5f, -1.f, 0.7f, -0.5f, 0.5f, -0.1f}).view({2, 3});
  const at::Tensor a = at::tensor({2.5f, -4.f, -1.f, 2.f}).view({2, 2});
  const at::Tensor want_next = at::tensor({1.f, -2.f, 0.5f, -1.f, 2.f, 0.f}).view({2, 3});
  const at::Tensor want_reward = at::tensor({4.f, -3.f});
  StepContext ctx;
  const Transition t = boxed.Step(s, a, ctx);
  EXPECT_TRUE(at::equal(t.next_state, want_next)) << t.next_state;
  EXPECT_TRUE(at::equal(t.reward, want_reward)) << t.reward;
  EXPECT_TRUE(at::equal(t.uncertainty, at::full({2}, 0.5f)));  // the inner model's uncertainty and done are kept
  EXPECT_FALSE(t.done.any().item<bool>());
  ASSERT_TRUE(boxed.has_cpu_path());
  const Transition c = CpuTransition(boxed, s, a);
  EXPECT_TRUE(at::equal(c.next_state, want_next)) << c.next_state;
  EXPECT_TRUE(at::equal(c.reward, want_reward)) << c.reward;
  EXPECT_TRUE(at::equal(c.uncertainty, at::full({2}, 0.5f)));
}

TEST(DataBoxTest, PredictionsInsideTheBoxPassThroughUnchanged) {
  auto inner = std::make_shared<ShiftModel>();
  DataBoxModel boxed(inner, UnitBox());
  const at::Tensor s = at::tensor({0.1f, -0.2f, 0.3f, -0.25f, 0.f, 0.f}).view({2, 3});
  const at::Tensor a = at::tensor({0.3f, 1.1f, -0.5f, -1.9f}).view({2, 2});
  StepContext ctx;
  const Transition want = inner->Step(s, a, ctx);
  const Transition got = boxed.Step(s, a, ctx);
  EXPECT_TRUE(at::equal(got.next_state, want.next_state));
  EXPECT_TRUE(at::equal(got.reward, want.reward));
  const Transition c = CpuTransition(boxed, s, a);
  EXPECT_TRUE(at::equal(c.next_state, want.next_state));
  EXPECT_TRUE(at::equal(c.reward, want.reward));
  // A prediction exactly on the box's faces stays where it is.
  const at::Tensor edge = at::tensor({0.4f, -2.f, 0.5f}).view({1, 3});
  const Transition e = boxed.Step(edge, at::tensor({0.6f, 0.f}).view({1, 2}), ctx);
  EXPECT_TRUE(at::equal(e.next_state, at::tensor({1.f, -2.f, 0.5f}).view({1, 3})));
  EXPECT_EQ(e.reward.item<float>(), 4.f);
}

TEST(DataBoxTest, BoxOfADatasetIsItsPerDimensionMinAndMax) {
  const at::Tensor obs = at::tensor({0.f, 1.f, 2.f, -1.f, 3.f, 0.f}).view({2, 3});
  const at::Tensor next = at::tensor({0.5f, 5.f, 2.f, 0.f, 1.f, -4.f}).view({2, 3});
  data::Dataset dataset(obs, at::zeros({2, 2}), at::tensor({0.5f, -2.f}), at::zeros({2}, at::kBool),
                        at::tensor({0.f, 1.f}).gt(0.5f), next);
  const DataBox box = DataBoxOf(dataset);
  EXPECT_EQ(box.obs_low, (std::vector<float>{-1.f, 1.f, -4.f}));
  EXPECT_EQ(box.obs_high, (std::vector<float>{0.5f, 5.f, 2.f}));
  EXPECT_EQ(box.reward_low, -2.f);
  EXPECT_EQ(box.reward_high, 0.5f);
}

TEST(DataBoxTest, BadBoxesAreRefusedNamingTheDimension) {
  auto inner = std::make_shared<ShiftModel>();
  DataBox inverted = UnitBox();
  inverted.obs_low[1] = 3.f;  // > high 2
  try {
    DataBoxModel(inner, inverted);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("observation dimension 1"));
  }
  DataBox nan = UnitBox();
  nan.obs_high[2] = std::numeric_limits<float>::quiet_NaN();
  try {
    DataBoxModel(inner, nan);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("observation dimension 2"));
  }
  DataBox narrow = UnitBox();
  narrow.obs_low.pop_back();
  narrow.obs_high.pop_back();
  try {
    DataBoxModel(inner, narrow);
    FAIL();
  } catch (const ShapeError& e) {
    EXPECT_THAT(e.what(), HasSubstr("width 2"));
    EXPECT_THAT(e.what(), HasSubstr("obs_dim is 3"));
  }
  DataBox rewards = UnitBox();
  rewards.reward_low = 5.f;
  try {
    DataBoxModel(inner, rewards);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("reward range"));
  }
  EXPECT_THROW(DataBoxModel(nullptr, UnitBox()), ConfigError);
}

}  // namespace
}  // namespace augur::models
