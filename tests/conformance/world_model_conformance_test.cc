// The WorldModel conformance suite: every model family behind the contract passes the same checks —
// shapes, determinism of the mean, seeded sampling, member groups, tensor vs fused CPU path agreement
// (atol 1e-5 + rtol 1e-5), and clear errors for wrong shapes. Add every new model family here. ChanceModels
// also have their outcome probabilities and per-outcome steps checked on both paths.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>

#include "../testing/linear_model.h"
#include "augur/core/error.h"
#include "augur/core/executor.h"
#include "augur/core/rng.h"
#include "augur/core/torch_rng.h"
#include "augur/core/chance_model.h"
#include "augur/core/world_model.h"
#include "augur/envs/chance_env_model.h"
#include "augur/envs/env_model.h"
#include "augur/envs/registry.h"
#include "augur/models/data_box.h"
#include "augur/models/factory.h"

namespace augur {
namespace {

struct ModelCase {
  std::string name;
  std::function<std::shared_ptr<const WorldModel>()> make;
};

std::ostream& operator<<(std::ostream& out, const ModelCase& c) { return out << c.name; }

std::vector<ModelCase> Cases() {
  return {
      {"ensemble",
       [] {
         return std::shared_ptr<const WorldModel>(models::Create(
             "ensemble:members=3,elites=2,hidden=16,layers=2", 3, 1, Box::Uniform(1, -2, 2), "Pendulum-v1"));
       }},
      {"ensemble_cartpole_termination",
       [] {
         return std::shared_ptr<const WorldModel>(models::Create(
             "ensemble:members=2,elites=2,hidden=8,layers=1", 4, 1, Box::Uniform(1, 0, 1), "CartPole-v1"));
       }},
      {"ensemble_in_data_box",  // dims 0 and 2 of the box are as narrow as the test states: predictions get clamped
       [] {
         std::shared_ptr<const WorldModel> inner(models::Create(
             "ensemble:members=3,elites=2,hidden=16,layers=2", 3, 1, Box::Uniform(1, -2, 2), "Pendulum-v1"));
         return std::make_shared<models::DataBoxModel>(
             inner, models::DataBox{.obs_low = {-0.05f, -1.f, -0.02f}, .obs_high = {0.05f, 1.f, 0.02f},
                                    .reward_low = -0.1f, .reward_high = 0.1f});
       }},
      {"env_pendulum", [] { return std::make_shared<envs::EnvModel>(*envs::Make("Pendulum-v1")); }},
      {"env_cartpole", [] { return std::make_shared<envs::EnvModel>(*envs::Make("CartPole-v1")); }},
      {"env_slippery_grid", [] { return std::make_shared<envs::ChanceEnvModel>(*envs::Make("SlipperyGrid-v0")); }},
      {"vq",
       [] {
         return std::shared_ptr<const WorldModel>(models::Create(
             "vq:codes=4,code_dim=3,hidden=16,layers=2", {.obs_dim = 2, .action_dim = 1, .discrete_actions = 4}));
       }},
      {"vq_continuous",
       [] {
         return std::shared_ptr<const WorldModel>(
             models::Create("vq:codes=3,hidden=8,layers=1", 3, 2, Box::Uniform(2, -1, 1)));
       }},
      {"linear_offset_ensemble",
       [] {
         return std::make_shared<testing::LinearModel>(testing::LinearModelOptions{
             .state_dim = 2, .action_dim = 2, .members = 3, .member_offset = 0.5f, .noise_std = 0.1f,
             .uncertainty_scale = 1.f});
       }},
  };
}

// States near the origin and valid actions for the model's action space.
std::pair<at::Tensor, at::Tensor> Batch(const WorldModel& model, int64_t rows, uint64_t seed) {
  const ModelSpec& spec = model.spec();
  Rng rng(seed);
  std::vector<float> s(rows * spec.state_dim), a(rows * spec.action_dim);
  rng.FillUniform(s, -0.05f, 0.05f);
  if (const auto* d = std::get_if<Discrete>(&spec.action_space)) {
    for (float& v : a) v = static_cast<float>(rng.UniformInt(d->n));
  } else {
    const Box& box = std::get<Box>(spec.action_space);
    for (int64_t r = 0; r < rows; ++r) {
      for (int64_t j = 0; j < spec.action_dim; ++j) {
        const float lo = std::isfinite(box.low[j]) ? box.low[j] : -1.f;
        const float hi = std::isfinite(box.high[j]) ? box.high[j] : 1.f;
        a[r * spec.action_dim + j] = rng.Uniform(lo, hi);
      }
    }
  }
  return {at::tensor(s).view({rows, spec.state_dim}), at::tensor(a).view({rows, spec.action_dim})};
}

at::Tensor Groups(int64_t members, int64_t rows) {
  std::vector<int64_t> begin(members + 1);
  for (int64_t m = 0; m <= members; ++m) begin[m] = rows * m / members;
  return at::tensor(begin, at::kLong);
}

class WorldModelConformance : public ::testing::TestWithParam<ModelCase> {
 protected:
  void SetUp() override { model_ = GetParam().make(); }
  std::shared_ptr<const WorldModel> model_;
};

TEST_P(WorldModelConformance, SpecIsConsistent) {
  const ModelSpec& spec = model_->spec();
  EXPECT_FALSE(spec.type.empty());
  EXPECT_GT(spec.obs_dim, 0);
  EXPECT_GT(spec.state_dim, 0);
  EXPECT_EQ(spec.action_dim, FlatDim(spec.action_space));
  EXPECT_GE(spec.members, 1);
  if (spec.state_kind == StateKind::kObservation) EXPECT_EQ(spec.state_dim, spec.obs_dim);
}

TEST_P(WorldModelConformance, EncodeAndStepShapes) {
  const ModelSpec& spec = model_->spec();
  for (int64_t rows : {1, 7}) {
    auto [state, action] = Batch(*model_, rows, 1);
    const at::Tensor encoded = model_->Encode(at::zeros({rows, spec.obs_dim}));
    EXPECT_EQ(encoded.sizes(), at::IntArrayRef({rows, spec.state_dim}));
    StepContext ctx;
    const Transition t = model_->Step(state, action, ctx);
    EXPECT_EQ(t.next_state.sizes(), at::IntArrayRef({rows, spec.state_dim}));
    EXPECT_EQ(t.reward.sizes(), at::IntArrayRef({rows}));
    EXPECT_EQ(t.done.sizes(), at::IntArrayRef({rows}));
    EXPECT_EQ(t.done.scalar_type(), at::kBool);
    EXPECT_TRUE(at::isfinite(t.next_state).all().item<bool>());
    EXPECT_TRUE(at::isfinite(t.reward).all().item<bool>());
    if (t.uncertainty.defined()) EXPECT_EQ(t.uncertainty.sizes(), at::IntArrayRef({rows}));
  }
}

TEST_P(WorldModelConformance, MeanIsDeterministicAndSamplingIsSeeded) {
  auto [state, action] = Batch(*model_, 16, 2);
  StepContext mean_a, mean_b;
  EXPECT_TRUE(at::equal(model_->Step(state, action, mean_a).next_state,
                        model_->Step(state, action, mean_b).next_state));
  const at::Tensor groups = Groups(model_->spec().members, 16);
  StepContext a{.generator = MakeCpuGenerator(5), .member_begin = groups};
  StepContext b{.generator = MakeCpuGenerator(5), .member_begin = groups};
  const at::Tensor x = model_->Step(state, action, a).next_state;
  EXPECT_TRUE(at::equal(x, model_->Step(state, action, b).next_state));
  if (model_->spec().stochastic) {
    StepContext c{.generator = MakeCpuGenerator(6), .member_begin = groups};
    EXPECT_FALSE(at::equal(x, model_->Step(state, action, c).next_state));
  }
}

TEST_P(WorldModelConformance, CpuPathMatchesTensorPath) {
  if (!model_->has_cpu_path()) GTEST_SKIP() << GetParam().name << " has no fused CPU path";
  const ModelSpec& spec = model_->spec();
  const int64_t rows = 12;
  auto [state, action] = Batch(*model_, rows, 3);
  Executor executor(1);
  for (bool grouped : {false, true}) {
    const at::Tensor groups = Groups(spec.members, rows);
    StepContext ctx;
    if (grouped) ctx.member_begin = groups;
    const Transition t = model_->Step(state, action, ctx);
    std::vector<float> next(rows * spec.state_dim), reward(rows), done(rows);
    std::vector<int64_t> begin(groups.data_ptr<int64_t>(), groups.data_ptr<int64_t>() + groups.numel());
    executor.Run([&] {
      CpuStep step;
      step.rows = rows;
      step.state = state.data_ptr<float>();
      step.action = action.data_ptr<float>();
      if (grouped) step.member_begin = begin;
      step.scratch = &executor.scratch();
      step.next_state = next.data();
      step.reward = reward.data();
      step.done = done.data();
      model_->StepCpu(step);
    });
    const at::Tensor cpu_next = at::tensor(next).view({rows, spec.state_dim});
    EXPECT_TRUE(at::allclose(cpu_next, t.next_state, 1e-5, 1e-5))
        << (grouped ? "grouped" : "expectation") << "\n" << cpu_next << "\n" << t.next_state;
    EXPECT_TRUE(at::allclose(at::tensor(reward), t.reward, 1e-5, 1e-5));
    EXPECT_TRUE(at::equal(at::tensor(done).gt(0.5f), t.done));
  }
}

TEST_P(WorldModelConformance, WrongShapesAreShapeErrors) {
  const ModelSpec& spec = model_->spec();
  StepContext ctx;
  EXPECT_THROW(model_->Step(at::zeros({4, spec.state_dim + 1}), at::zeros({4, spec.action_dim}), ctx), ShapeError);
  EXPECT_THROW(model_->Step(at::zeros({4, spec.state_dim}), at::zeros({3, spec.action_dim}), ctx), ShapeError);
  EXPECT_THROW(model_->Step(at::zeros({4, spec.state_dim}), at::zeros({4, spec.action_dim + 1}), ctx), ShapeError);
  EXPECT_THROW(model_->Step(at::zeros({spec.state_dim}), at::zeros({spec.action_dim}), ctx), ShapeError);
  EXPECT_THROW(model_->Encode(at::zeros({2, spec.obs_dim + 2})), ShapeError);
}

TEST_P(WorldModelConformance, ChanceModelPathsAgree) {
  const auto* chance = dynamic_cast<const ChanceModel*>(model_.get());
  if (chance == nullptr) GTEST_SKIP() << GetParam().name << " is not a ChanceModel";
  ASSERT_TRUE(chance->has_cpu_path());
  const ModelSpec& spec = model_->spec();
  const int64_t rows = 10, k = chance->num_outcomes();
  ASSERT_GE(k, 1);
  auto [state, action] = Batch(*model_, rows, 4);
  const at::Tensor probs = chance->OutcomeProbs(state, action);
  ASSERT_EQ(probs.sizes(), at::IntArrayRef({rows, k}));
  std::vector<float> cpu_probs(rows * k);
  chance->OutcomeProbsCpu(rows, state.data_ptr<float>(), action.data_ptr<float>(), cpu_probs.data(), nullptr);
  EXPECT_TRUE(at::allclose(at::tensor(cpu_probs).view({rows, k}), probs, 1e-5, 1e-5));
  EXPECT_NO_THROW(CheckOutcomeProbs(cpu_probs, rows, k, GetParam().name));
  std::vector<int64_t> outcome(rows);
  for (int64_t r = 0; r < rows; ++r) outcome[r] = (r * 7) % k;
  const Transition t = chance->StepOutcome(state, action, at::tensor(outcome, at::kLong));
  std::vector<float> next(rows * spec.state_dim), reward(rows), done(rows);
  CpuStep step{.rows = rows, .state = state.data_ptr<float>(), .action = action.data_ptr<float>(),
               .next_state = next.data(), .reward = reward.data(), .done = done.data()};
  chance->StepOutcomeCpu(step, outcome.data());
  EXPECT_TRUE(at::allclose(at::tensor(next).view({rows, spec.state_dim}), t.next_state, 1e-5, 1e-5));
  EXPECT_TRUE(at::allclose(at::tensor(reward), t.reward, 1e-5, 1e-5));
  EXPECT_TRUE(at::equal(at::tensor(done).gt(0.5f), t.done));
  EXPECT_THROW(chance->OutcomeProbs(at::zeros({3, spec.state_dim + 1}), at::zeros({3, spec.action_dim})), ShapeError);
}

INSTANTIATE_TEST_SUITE_P(AllModels, WorldModelConformance, ::testing::ValuesIn(Cases()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace augur
