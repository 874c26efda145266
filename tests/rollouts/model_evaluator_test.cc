#include "augur/rollouts/model_evaluator.h"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <set>
#include <vector>

#include "../testing/linear_model.h"
#include "augur/core/error.h"
#include "augur/core/rng.h"

namespace augur {
namespace {

using testing::LinearModel;
using testing::LinearModelOptions;
using testing::LinearValue;

std::shared_ptr<LinearModel> Model(LinearModelOptions o) { return std::make_shared<LinearModel>(std::move(o)); }

// An E-member "ensemble" on x' = x + u + m * offset: the member that stepped a particle is readable.
LinearModelOptions OffsetEnsemble(int64_t members, bool cpu_path = true) {
  LinearModelOptions o;
  o.members = members;
  o.member_offset = 1.f;
  o.cpu_path = cpu_path;
  return o;
}

std::vector<float> Particles(ModelEvaluator& ev, int64_t horizon, uint64_t seed = 0, uint64_t iteration = 0) {
  std::vector<float> zeros(horizon * ev.action_dim(), 0.f);
  std::vector<float> states((horizon + 1) * ev.options().particles * ev.state_dim());
  ev.PredictParticles(zeros, horizon, seed, iteration, states);
  return states;
}

class PathTest : public ::testing::TestWithParam<bool> {};  // param: the model offers its CPU path

TEST_P(PathTest, TsInfKeepsEachParticlesMember) {
  const int64_t E = 3, P = 6, H = 5;
  ModelEvaluator ev(Model(OffsetEnsemble(E, GetParam())), Objective::Reward(),
                    {.particles = P, .propagation = Propagation::kTsInf});
  ev.SetStart(std::vector<float>{0.f});
  const auto states = Particles(ev, H, /*seed=*/11, /*iteration=*/4);
  for (int64_t t = 0; t <= H; ++t) {
    for (int64_t k = 0; k < P; ++k)
      EXPECT_FLOAT_EQ(states[t * P + k], static_cast<float>(t * (k % E))) << t << " " << k;
  }
}

TEST_P(PathTest, Ts1RedrawsMembersEveryStep) {
  const int64_t E = 3, P = 8, H = 12;
  ModelEvaluator ev(Model(OffsetEnsemble(E, GetParam())), Objective::Reward(),
                    {.particles = P, .propagation = Propagation::kTs1});
  ev.SetStart(std::vector<float>{0.f});
  const auto states = Particles(ev, H, 3, 0);
  int particles_with_changes = 0;
  for (int64_t k = 0; k < P; ++k) {
    std::set<int> members;
    for (int64_t t = 0; t < H; ++t) {
      const float step = states[(t + 1) * P + k] - states[t * P + k];
      EXPECT_NEAR(step, std::round(step), 1e-5);
      EXPECT_TRUE(step > -0.5f && step < 2.5f) << step;
      members.insert(static_cast<int>(std::round(step)));
    }
    particles_with_changes += members.size() > 1;
  }
  EXPECT_EQ(particles_with_changes, P);       // 12 draws from 3 members: all equal has probability 3^-11
  EXPECT_EQ(states, Particles(ev, H, 3, 0));  // same key, same draws
  EXPECT_NE(states, Particles(ev, H, 3, 1));  // another iteration, other draws
}

TEST_P(PathTest, ExpectationUsesTheMeanOfMembers) {
  const int64_t P = 4, H = 3;
  ModelEvaluator ev(Model(OffsetEnsemble(3, GetParam())), Objective::Reward(),
                    {.particles = P, .propagation = Propagation::kExpectation});
  ev.SetStart(std::vector<float>{0.5f});
  const auto states = Particles(ev, H);
  for (int64_t t = 0; t <= H; ++t) {
    for (int64_t k = 0; k < P; ++k) EXPECT_FLOAT_EQ(states[t * P + k], 0.5f + t * 1.f);  // mean offset (0+1+2)/3
  }
}

TEST_P(PathTest, ReturnIsTheDiscountedQuadraticReward) {
  LinearModelOptions o;
  o.goal = {0.5f};
  o.r = {0.1f};
  o.cpu_path = GetParam();
  Objective objective;
  objective.discount = 0.9;
  ModelEvaluator ev(Model(o), objective, {.particles = 3});
  ev.SetStart(std::vector<float>{0.2f});
  const std::vector<float> actions = {0.5f, -0.25f, 0.1f, /*second sequence*/ 0.f, 0.f, 0.f};
  std::vector<float> returns(2);
  Executor executor(1);
  ASSERT_TRUE(ev.Evaluate(actions, 2, 3, 0, 0, returns, executor, std::nullopt));
  for (int s = 0; s < 2; ++s) {
    double x = 0.2, expected = 0.0, discount = 1.0;
    for (int t = 0; t < 3; ++t) {
      const double u = actions[s * 3 + t];
      x += u;
      expected += discount * -((x - 0.5) * (x - 0.5) + 0.1 * u * u);
      discount *= 0.9;
    }
    EXPECT_NEAR(returns[s], expected, 1e-5) << "sequence " << s;
  }
}

TEST_P(PathTest, MopoPenaltyUsesTheModelsUncertainty) {
  LinearModelOptions o;
  o.goal = {1.f};
  o.uncertainty_scale = 1.f;  // u_t = ||a||^2
  o.cpu_path = GetParam();
  ModelEvaluator ev(Model(o), Objective::Penalized(2.0), {.particles = 2});
  ev.SetStart(std::vector<float>{0.f});
  std::vector<float> returns(1);
  Executor executor(1);
  ASSERT_TRUE(ev.Evaluate(std::vector<float>{0.4f}, 1, 1, 0, 0, returns, executor, std::nullopt));
  EXPECT_NEAR(returns[0], -(0.4 - 1.0) * (0.4 - 1.0) - 2.0 * 0.16, 1e-6);
}

TEST_P(PathTest, DisagreementPenaltyIsTheParticleSpread) {
  ModelEvaluator ev(Model(OffsetEnsemble(2, GetParam())), Objective::Penalized(3.0),
                    {.particles = 2, .penalty = PenaltySource::kParticleDisagreement});
  ev.SetStart(std::vector<float>{0.f});
  std::vector<float> returns(1);
  Executor executor(1);
  ASSERT_TRUE(ev.Evaluate(std::vector<float>{0.f}, 1, 1, 0, 0, returns, executor, std::nullopt));
  // Particles land on 0 and 1: rewards -0 and -1, std 0.5, penalty 3 * 0.5 on each.
  EXPECT_NEAR(returns[0], -0.5 - 1.5, 1e-6);
}

TEST_P(PathTest, GoalDistanceTerm) {
  LinearModelOptions o;
  o.q = {0.f};  // no reward: only the goal term
  o.cpu_path = GetParam();
  ModelEvaluator ev(Model(o), Objective::Goal({2.f}, 0.5), {.particles = 1});
  ev.SetStart(std::vector<float>{0.f});
  std::vector<float> returns(1);
  Executor executor(1);
  ASSERT_TRUE(ev.Evaluate(std::vector<float>{1.f, 1.f}, 1, 2, 0, 0, returns, executor, std::nullopt));
  EXPECT_NEAR(returns[0], -0.5 * (1.0 + 0.0), 1e-6);
}

TEST_P(PathTest, StopAtDoneAndTerminalValue) {
  LinearModelOptions o;
  o.q = {0.f};
  o.r = {1.f};  // reward -u^2 = -1 per step
  o.done_above = 1.5f;
  o.cpu_path = GetParam();
  Objective objective;
  objective.terminal_value = std::make_shared<LinearValue>(1, 10.f, GetParam());
  ModelEvaluator ev(Model(o), objective, {.particles = 1});
  ev.SetStart(std::vector<float>{0.f});
  std::vector<float> returns(2);
  Executor executor(1);
  // Sequence 0 reaches 2 at step 2 (done there: 2 rewards, no value); sequence 1 stays at 1: 4 rewards + V.
  const std::vector<float> actions = {1.f, 1.f, 1.f, 1.f, /**/ 1.f, 0.f, 0.f, 0.f};
  ASSERT_TRUE(ev.Evaluate(actions, 2, 4, 0, 0, returns, executor, std::nullopt));
  EXPECT_NEAR(returns[0], -2.0, 1e-6);
  EXPECT_NEAR(returns[1], -1.0 + 10.0 * 1.0, 1e-6);
}

INSTANTIATE_TEST_SUITE_P(Paths, PathTest, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "CpuPath" : "TensorPath"; });

// Random sequences on a 2-D system with a 3-member ensemble.
struct Problem {
  LinearModelOptions model;
  std::vector<float> actions;
  int64_t n = 37, horizon = 6;
};

Problem TwoDim() {
  Problem p;
  p.model.state_dim = 2;
  p.model.action_dim = 2;
  p.model.a = {0.9f, 0.1f, -0.2f, 1.0f};
  p.model.b = {0.5f, 0.f, 0.1f, 1.f};
  p.model.goal = {0.3f, -0.4f};
  p.model.r = {0.01f, 0.02f};
  p.model.members = 3;
  p.model.member_offset = 0.05f;
  p.actions.resize(p.n * p.horizon * 2);
  Rng(5).FillUniform(p.actions, -1.f, 1.f);
  return p;
}

std::vector<float> Returns(const Problem& p, bool cpu, RolloutOptions options, int threads, uint64_t seed = 9) {
  LinearModelOptions m = p.model;
  m.cpu_path = cpu;
  Objective objective;
  objective.discount = 0.95;
  ModelEvaluator ev(Model(m), objective, options);
  ev.SetStart(std::vector<float>{0.1f, -0.2f});
  Executor executor(threads);
  std::vector<float> returns(p.n);
  EXPECT_TRUE(ev.Evaluate(p.actions, p.n, p.horizon, seed, 2, returns, executor, std::nullopt));
  return returns;
}

TEST(ModelEvaluatorTest, CpuAndTensorPathsAgree) {
  const Problem p = TwoDim();
  for (Propagation prop : {Propagation::kTs1, Propagation::kTsInf, Propagation::kExpectation}) {
    const RolloutOptions o{.particles = 5, .propagation = prop, .chunk = 4};
    const auto cpu = Returns(p, true, o, 2);
    const auto tensor = Returns(p, false, o, 2);
    for (int64_t s = 0; s < p.n; ++s) EXPECT_NEAR(cpu[s], tensor[s], 1e-4 + 1e-5 * std::abs(cpu[s])) << s;
  }
}

TEST(ModelEvaluatorTest, IdenticalForOneAndTwoThreads) {
  Problem p = TwoDim();
  p.model.noise_std = 0.1f;  // sampling on: per-chunk noise streams
  const RolloutOptions o{.particles = 7, .propagation = Propagation::kTs1, .chunk = 3};
  const auto one = Returns(p, true, o, 1);
  EXPECT_EQ(one, Returns(p, true, o, 2));
  EXPECT_NE(one, Returns(p, true, o, 2, /*seed=*/10));
  const auto tensor_one = Returns(p, false, o, 1);
  EXPECT_EQ(tensor_one, Returns(p, false, o, 2));
}

TEST(ModelEvaluatorTest, ExpiredDeadlineSkipsChunks) {
  const Problem p = TwoDim();
  for (bool cpu : {true, false}) {
    LinearModelOptions m = p.model;
    m.cpu_path = cpu;
    ModelEvaluator ev(Model(m), Objective::Reward(), {.particles = 2, .chunk = 4});
    ev.SetStart(std::vector<float>{0.f, 0.f});
    Executor executor(2);
    std::vector<float> returns(p.n);
    EXPECT_FALSE(
        ev.Evaluate(p.actions, p.n, p.horizon, 0, 0, returns, executor, Clock::now() - std::chrono::seconds(1)));
    EXPECT_TRUE(ev.Evaluate(p.actions, p.n, p.horizon, 0, 0, returns, executor, Clock::now() + std::chrono::hours(1)));
  }
}

TEST(ModelEvaluatorTest, PredictStatesIsTheParticleMean) {
  ModelEvaluator ev(Model(OffsetEnsemble(2)), Objective::Reward(), {.particles = 4});
  ev.SetStart(std::vector<float>{0.f});
  std::vector<float> states(4);
  ev.PredictStates(std::vector<float>{0.5f, 0.5f, 0.5f}, 3, states);
  for (int t = 0; t <= 3; ++t) EXPECT_FLOAT_EQ(states[t], t * (0.5f + 0.5f));  // members 0,1 -> mean offset .5
}

TEST(ModelEvaluatorTest, BadInputsGiveClearErrors) {
  EXPECT_THROW(ModelEvaluator(nullptr, Objective::Reward()), ConfigError);
  EXPECT_THROW(ModelEvaluator(Model({}), Objective::Reward(), {.particles = 0}), ConfigError);
  EXPECT_THROW(ModelEvaluator(Model({}), Objective::Reward(), {.chunk = 0}), ConfigError);
  EXPECT_THROW(ModelEvaluator(Model({}), Objective::Goal({1.f, 2.f})), ShapeError);
  ModelEvaluator ev(Model({}), Objective::Reward());
  std::vector<float> returns(1);
  Executor executor(1);
  EXPECT_THROW(ev.Evaluate(std::vector<float>{0.f}, 1, 1, 0, 0, returns, executor, std::nullopt), StateError);
  EXPECT_THROW(ev.SetStart(std::vector<float>{0.f, 1.f}), ShapeError);
  ev.SetStart(std::vector<float>{0.f});
  EXPECT_THROW(ev.Evaluate(std::vector<float>{0.f}, 2, 1, 0, 0, returns, executor, std::nullopt), ShapeError);
  const Box box = ev.action_bounds();
  EXPECT_EQ(box.low, std::vector<float>{-1.f});
  EXPECT_EQ(box.high, std::vector<float>{1.f});
}

}  // namespace
}  // namespace augur
