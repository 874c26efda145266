// Offline model-based RL: branched rollouts and the ring buffer, the shared RAVL / MOPO / MOBILE loop at toy
// size (resume, bad input, divergence), true-model rollouts from recorded sim states, and the edge-of-reach
// toy's qualitative result with fixed seeds.
#include "augur/agents/rl/offline_rl.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "augur/agents/collect.h"
#include "augur/agents/rl/edge_of_reach.h"
#include "augur/core/error.h"
#include "../testing/temp_files.h"
#include "augur/envs/edge_of_reach.h"
#include "augur/envs/env_model.h"
#include "augur/envs/pendulum.h"

namespace augur::agents::rl {
namespace {

std::string TempPath(const std::string& name) { return augur::testing::TempPath("offline_rl_test", name); }
using augur::testing::ReadAll;

const data::Dataset& PendulumData() {
  static const data::Dataset d =
      CollectDataset({.env = "Pendulum-v1", .policy = "random", .episodes = 2, .seed = 1, .max_steps = 50});
  return d;
}

OfflineRlOptions Tiny(const std::string& method) {
  OfflineRlOptions o;
  o.method = method;
  o.hidden = 16;
  o.layers = 2;
  o.steps = 20;
  o.batch = 32;
  o.rollout_length = 3;
  o.rollout_starts = 16;
  o.rollout_every = 10;
  o.retain_rounds = 2;
  o.checkpoint_every = 10;
  o.log_every = 5;
  o.seed = 4;
  return o;
}

TEST(ReplayBufferTest, RingKeepsTheNewestRows) {
  rollouts::ReplayBuffer buffer(5, 1, 1);
  auto rows = [](int64_t first, int64_t n) {
    at::Tensor v = at::arange(first, first + n, at::kFloat);
    return rollouts::TransitionRows{v.unsqueeze(1), v.unsqueeze(1), v, v.unsqueeze(1), at::zeros({n})};
  };
  buffer.Add(rows(0, 3));
  EXPECT_EQ(buffer.size(), 3);
  buffer.Add(rows(3, 4));
  EXPECT_EQ(buffer.size(), 5);
  const rollouts::TransitionRows all = buffer.Gather(at::arange(5, at::kLong));
  std::vector<float> held(all.rewards.data_ptr<float>(), all.rewards.data_ptr<float>() + 5);
  std::sort(held.begin(), held.end());
  EXPECT_EQ(held, (std::vector<float>{2, 3, 4, 5, 6}));
  Rng rng(1);
  EXPECT_EQ(buffer.Sample(7, rng).size(), 7);
  rollouts::ReplayBuffer empty(3, 1, 1);
  EXPECT_THROW(empty.Sample(1, rng), StateError);
  EXPECT_THROW(buffer.Add({at::zeros({2, 2}), at::zeros({2, 1}), at::zeros({2}), at::zeros({2, 1}), at::zeros({2})}),
               ShapeError);
}

TEST(BranchedRolloutTest, TrueModelRolloutsMatchTheEnvAndAreThreadCountInvariant) {
  envs::PendulumEnv env;
  envs::EnvModel model(env);
  rollouts::WorldModelStepper stepper(model);
  const at::Tensor start = PendulumData().observations().slice(0, 0, 10);
  const at::Tensor rows = at::arange(10, at::kLong);
  rollouts::RolloutPolicy policy = [](const at::Tensor& obs, int64_t t) {
    return at::full({obs.size(0), 1}, 0.5f * static_cast<float>(t) - 1.0f);
  };
  Executor one(1), two(2);
  const auto a = rollouts::BranchedRollout(stepper, policy, start, rows, {.length = 4, .seed = 3}, one);
  const auto b = rollouts::BranchedRollout(stepper, policy, start, rows, {.length = 4, .seed = 3}, two);
  ASSERT_EQ(a.transitions.size(), 40);  // Pendulum never terminates
  EXPECT_TRUE(at::equal(a.transitions.next_observations, b.transitions.next_observations));
  // Row 0 of step 0 and of step 1 follow the env exactly.
  envs::PendulumEnv check;
  const at::Tensor s0 = start[0].contiguous();
  check.SetFromObservation(std::span<const float>(s0.data_ptr<float>(), 3));
  const envs::StepResult r0 = check.Step(std::vector<float>{-1.f});
  const envs::StepResult r1 = check.Step(std::vector<float>{-0.5f});
  for (int d = 0; d < 3; ++d) {
    EXPECT_NEAR(a.transitions.next_observations[0][d].item<float>(), r0.observation[d], 1e-5);
    EXPECT_NEAR(a.transitions.next_observations[10][d].item<float>(), r1.observation[d], 1e-5);
  }
  EXPECT_NEAR(a.transitions.rewards[0].item<float>(), r0.reward, 1e-4);
}

TEST(BranchedRolloutTest, SimStateStepperMatchesSettingFromObservations) {
  const data::Dataset& d = PendulumData();
  ASSERT_GT(d.sim_state_dim(), 0);
  envs::PendulumEnv env;
  auto sim = MakeSimStateStepper(env, d);
  envs::EnvModel model(env);
  rollouts::WorldModelStepper obs_stepper(model);
  const at::Tensor rows = at::arange(5, 25, at::kLong);
  const at::Tensor start = d.observations().index_select(0, rows);
  rollouts::RolloutPolicy policy = [](const at::Tensor& obs, int64_t) { return obs.slice(1, 0, 1) * 1.5f; };
  Executor ex(2);
  const auto a = rollouts::BranchedRollout(*sim, policy, start, rows, {.length = 3}, ex);
  const auto b = rollouts::BranchedRollout(obs_stepper, policy, start, rows, {.length = 3}, ex);
  EXPECT_TRUE(at::allclose(a.transitions.next_observations, b.transitions.next_observations, 1e-4, 1e-4));
  EXPECT_TRUE(at::allclose(a.transitions.rewards, b.transitions.rewards, 1e-3, 1e-3));
  // A dataset without sim states is refused.
  const data::Dataset no_sim(d.observations(), d.actions(), d.rewards(), d.terminals(), d.timeouts(),
                             d.next_observations(), d.metadata());
  EXPECT_THROW(MakeSimStateStepper(env, no_sim), DataError);
}

TEST(OfflineRlTest, AllMethodsRunOneCodePathAndResumeFromTheirCheckpoint) {
  envs::PendulumEnv env;
  envs::EnvModel model(env);
  rollouts::WorldModelStepper stepper(model, false);
  Executor ex(1);
  for (const char* method : {"ravl", "mopo", "mobile"}) {
    SCOPED_TRACE(method);
    const std::string path = TempPath(std::string(method) + ".ckpt");
    std::filesystem::remove(path);
    OfflineRlOptions o = Tiny(method);
    OfflineRlTrainer first(o, PendulumData(), stepper, &model, ex);
    const OfflineRlResult r1 = first.Run(path);
    EXPECT_EQ(r1.final_step, 20);
    ASSERT_EQ(r1.log.size(), 4u);
    EXPECT_TRUE(r1.log.back().metrics.finite());
    // With the true model MOPO's uncertainty and MOBILE's member spread are 0.
    EXPECT_EQ(r1.log.back().penalty_mean, 0.0);
    EXPECT_EQ(first.sac().options().critics, std::string(method) == "ravl" ? 10 : 2);
    o.steps = 30;
    OfflineRlTrainer second(o, PendulumData(), stepper, &model, ex);
    const OfflineRlResult r2 = second.Run(path);
    EXPECT_EQ(r2.start_step, 20);
    EXPECT_EQ(r2.final_step, 30);
    EXPECT_EQ(Sac::Load(path).updates(), 30);
    std::filesystem::remove(path);
  }
}

TEST(OfflineRlTest, BadInputIsRefusedWithTheRowOrTheReason) {
  const data::Dataset& d = PendulumData();
  at::Tensor rewards = d.rewards().clone();
  rewards[7] = std::nanf("");
  const data::Dataset nan_reward(d.observations(), d.actions(), rewards, d.terminals(), d.timeouts(),
                                 d.next_observations(), d.metadata());
  try {
    CheckOfflineDataset(nan_reward);
    FAIL() << "NaN reward accepted";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("row 7"), std::string::npos) << e.what();
  }
  OfflineRlOptions o = Tiny("ravl");
  o.critics = 1;
  try {
    o.Validate();
    FAIL() << "RAVL with one critic accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("critics >= 2"), std::string::npos) << e.what();
  }
  o = Tiny("cql");
  EXPECT_THROW(o.Validate(), ConfigError);
}

TEST(OfflineRlTest, DivergenceStopsWithTheStepAndKeepsTheLastGoodCheckpoint) {
  envs::PendulumEnv env;
  envs::EnvModel model(env);
  rollouts::WorldModelStepper stepper(model, false);
  Executor ex(1);
  const std::string path = TempPath("diverge.ckpt");
  std::filesystem::remove(path);
  OfflineRlOptions o = Tiny("sac");
  o.steps = 10;
  OfflineRlTrainer good(o, PendulumData(), stepper, &model, ex);
  good.Run(path);
  const std::string before = ReadAll(path);
  // Rewards of 1e30 are finite but square to infinity in the critic loss.
  const data::Dataset& d = PendulumData();
  const data::Dataset huge(d.observations(), d.actions(), d.rewards() * 0 + 1e30f, d.terminals(), d.timeouts(),
                           d.next_observations(), d.metadata());
  o.steps = 20;
  o.real_ratio = 1.0;
  OfflineRlTrainer bad(o, huge, stepper, &model, ex);
  try {
    bad.Run(path);
    FAIL() << "divergence not detected";
  } catch (const StateError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("diverged at step 11"), std::string::npos) << msg;
    EXPECT_NE(msg.find(path + " at step 10"), std::string::npos) << msg;
  }
  EXPECT_EQ(ReadAll(path), before);
  std::filesystem::remove(path);
}

TEST(EdgeOfReachTest, ReachDistanceIsKnownInClosedForm) {
  using envs::EdgeOfReachEnv;
  EXPECT_EQ(EdgeOfReachEnv::ReachSteps(0.0, 0.0), 0);
  EXPECT_EQ(EdgeOfReachEnv::ReachSteps(0.5, -0.5), 0);
  EXPECT_EQ(EdgeOfReachEnv::ReachSteps(0.55, 0.0), 1);
  EXPECT_EQ(EdgeOfReachEnv::ReachSteps(1.0, 0.3), 5);
  EXPECT_EQ(EdgeOfReachEnv::ReachSteps(0.0, -1.01), 6);
  // k full steps from the corner of the data box land exactly at reach distance k.
  EdgeOfReachEnv env;
  env.SetFromObservation(std::vector<float>{0.5f, 0.5f});
  std::vector<float> obs;
  for (int t = 0; t < 5; ++t) obs = env.Step(std::vector<float>{1.f, 1.f}).observation;
  EXPECT_EQ(EdgeOfReachEnv::ReachSteps(obs[0], obs[1]), 5);
}

TEST(EdgeOfReachTest, SingleCriticOverestimatesEdgeOfReachWhileRavlStaysBounded) {
  Executor ex(1);
  EdgeOfReachOptions o;
  o.steps = 600;
  o.grid = 21;  // spacing 0.2: grid points at every reach distance 0..5
  o.seed = 0;
  o.method = "sac";
  const EdgeOfReachResult sac = RunEdgeOfReach(o, ex);
  o.method = "ravl";
  const EdgeOfReachResult ravl = RunEdgeOfReach(o, ex);
  // No true soft value exceeds (0.01 + 0.01 log 4) / (1 - 0.99) = 2.39.
  EXPECT_NEAR(sac.bound, 2.386, 1e-3);
  EXPECT_GT(sac.max_abs_value(), 10.0 * sac.bound);
  EXPECT_LT(ravl.max_abs_value(), ravl.bound);
  // The single critic's values grow with the reach distance from the data: highest at the edge of reach.
  if (!sac.diverged) {
    EXPECT_GT(sac.v_by_reach.back(), sac.v_by_reach.front());
  }
}

}  // namespace
}  // namespace augur::agents::rl
