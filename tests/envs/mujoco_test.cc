// MuJoCo locomotion envs (HalfCheetah-v4, Hopper-v4, Walker2d-v4): model facts, observation layout,
// reward known answers, healthy ranges and termination, time limit, exact state round trips, clones.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "augur/core/error.h"
#include "augur/envs/half_cheetah.h"
#include "augur/envs/hopper.h"
#include "augur/envs/policies.h"
#include "augur/envs/registry.h"
#include "augur/envs/walker2d.h"

namespace augur::envs {
namespace {

std::unique_ptr<MujocoEnv> MakeMujoco(const std::string& id) {
  auto env = Make(id);
  auto* mujoco = dynamic_cast<MujocoEnv*>(env.get());
  EXPECT_NE(mujoco, nullptr) << id;
  env.release();
  return std::unique_ptr<MujocoEnv>(mujoco);
}

// A fixed pseudo-random action sequence in [-1, 1].
std::vector<float> ActionAt(int dim, int t) {
  std::vector<float> a(dim);
  for (int i = 0; i < dim; ++i) a[i] = std::sin(0.37f * t + 1.3f * i);
  return a;
}

struct ModelFacts {
  std::string id;
  int nq, nv, nu, frame_skip, obs_dim;
  double dt;
  bool clips_velocity;
};

// From gymnasium/envs/mujoco/{half_cheetah,hopper,walker2d}_v4.py and their XML files.
const ModelFacts kFacts[] = {
    {"HalfCheetah-v4", 9, 9, 6, 5, 17, 0.05, false},
    {"Hopper-v4", 6, 6, 3, 4, 11, 0.008, true},
    {"Walker2d-v4", 9, 9, 6, 4, 17, 0.008, true},
};

class MujocoTest : public ::testing::TestWithParam<ModelFacts> {};

TEST_P(MujocoTest, ModelMatchesGymnasiumV4) {
  const ModelFacts& f = GetParam();
  auto env = MakeMujoco(f.id);
  EXPECT_EQ(env->nq(), f.nq);
  EXPECT_EQ(env->nv(), f.nv);
  EXPECT_EQ(env->nu(), f.nu);
  EXPECT_EQ(env->frame_skip(), f.frame_skip);
  EXPECT_DOUBLE_EQ(env->spec().dt, f.dt);
  EXPECT_DOUBLE_EQ(env->timestep() * env->frame_skip(), env->spec().dt);
  EXPECT_EQ(env->spec().obs_dim(), f.obs_dim);
  EXPECT_EQ(std::get<Box>(env->spec().action), Box::Uniform(f.nu, -1.f, 1.f));
  EXPECT_EQ(env->spec().max_steps, 1000);
  EXPECT_FALSE(env->CanSetFromObservation());
}

TEST_P(MujocoTest, ObservationIsQposWithoutXThenQvel) {
  const ModelFacts& f = GetParam();
  auto env = MakeMujoco(f.id);
  std::vector<float> obs = env->Reset(5);
  for (int t = 0; t < 20; ++t) obs = env->Step(ActionAt(f.nu, t)).observation;
  const std::vector<double> qpos = env->qpos(), qvel = env->qvel();
  ASSERT_EQ(obs.size(), static_cast<size_t>(f.nq - 1 + f.nv));
  for (int i = 1; i < f.nq; ++i) EXPECT_EQ(obs[i - 1], static_cast<float>(qpos[i])) << i;
  for (int i = 0; i < f.nv; ++i) {
    const double v = f.clips_velocity ? std::clamp(qvel[i], -10.0, 10.0) : qvel[i];
    EXPECT_EQ(obs[f.nq - 1 + i], static_cast<float>(v)) << i;
  }
  // SimState starts with qpos and qvel (D4RL's infos/qpos, infos/qvel).
  const SimState s = env->GetState();
  ASSERT_EQ(s.size(), static_cast<size_t>(f.nq + 2 * f.nv + 2));
  for (int i = 0; i < f.nq; ++i) EXPECT_EQ(s[i], qpos[i]);
  for (int i = 0; i < f.nv; ++i) EXPECT_EQ(s[f.nq + i], qvel[i]);
  EXPECT_NEAR(s[f.nq + f.nv], 20 * f.dt, 1e-9);  // simulated time
  EXPECT_EQ(s.back(), 20.0);
}

TEST_P(MujocoTest, RewardIsForwardVelocityMinusControlCost) {
  const ModelFacts& f = GetParam();
  auto env = MakeMujoco(f.id);
  env->Reset(8);
  const double ctrl_weight = f.id == "HalfCheetah-v4" ? 0.1 : 1e-3;
  const double healthy = f.id == "HalfCheetah-v4" ? 0.0 : 1.0;
  for (int t = 0; t < 5; ++t) {
    const std::vector<float> a = t == 0 ? std::vector<float>(f.nu, 0.f) : ActionAt(f.nu, t);
    double sum_sq = 0;
    for (float x : a) sum_sq += x * x;
    const double x_before = env->qpos()[0];
    const StepResult r = env->Step(a);
    const double x_velocity = (env->qpos()[0] - x_before) / f.dt;
    if (r.terminated) break;
    // 1e-6: the sum of squares is taken in float32, like np.sum(np.square(action)) on a float32 action.
    EXPECT_NEAR(r.reward, x_velocity + healthy - ctrl_weight * sum_sq, 1e-6) << t;
  }
}

TEST_P(MujocoTest, OutOfRangeActionsMoveLikeTheBoundButCostTheirSquare) {
  // Gymnasium passes the action to data.ctrl, MuJoCo clamps it to ctrlrange, and the control cost uses the
  // action as given.
  const ModelFacts& f = GetParam();
  auto a = MakeMujoco(f.id), b = MakeMujoco(f.id);
  a->Reset(2);
  b->Reset(2);
  const StepResult ra = a->Step(std::vector<float>(f.nu, 3.f));
  const StepResult rb = b->Step(std::vector<float>(f.nu, 1.f));
  EXPECT_EQ(ra.observation, rb.observation);
  const double ctrl_weight = f.id == "HalfCheetah-v4" ? 0.1 : 1e-3;
  EXPECT_NEAR(rb.reward - ra.reward, ctrl_weight * f.nu * (9.0 - 1.0), 1e-9);
}

TEST_P(MujocoTest, SetStateFromAnotherEnvGivesBitwiseTheSameSteps) {
  const ModelFacts& f = GetParam();
  auto a = MakeMujoco(f.id);
  a->Reset(21);
  for (int t = 0; t < 30; ++t) a->Step(ActionAt(f.nu, t));
  auto b = MakeMujoco(f.id);
  b->SetState(a->GetState());
  EXPECT_EQ(b->Observation(), a->Observation());
  for (int t = 30; t < 60; ++t) {
    const StepResult ra = a->Step(ActionAt(f.nu, t)), rb = b->Step(ActionAt(f.nu, t));
    ASSERT_EQ(ra.observation, rb.observation) << t;
    ASSERT_EQ(ra.reward, rb.reward) << t;
    ASSERT_EQ(ra.terminated, rb.terminated) << t;
  }
  EXPECT_EQ(a->GetState(), b->GetState());
}

TEST_P(MujocoTest, MakeStateFromQposQvelReplaysToSolverTolerance) {
  // D4RL records qpos and qvel only: restarting from them (no warm start) follows the original closely.
  const ModelFacts& f = GetParam();
  auto a = MakeMujoco(f.id);
  a->Reset(13);
  for (int t = 0; t < 10; ++t) a->Step(ActionAt(f.nu, t));
  auto b = MakeMujoco(f.id);
  b->SetState(b->MakeState(a->qpos(), a->qvel(), a->elapsed_steps()));
  EXPECT_EQ(b->elapsed_steps(), 10);
  EXPECT_EQ(b->Observation(), a->Observation());
  for (int t = 10; t < 15; ++t) {
    const StepResult ra = a->Step(ActionAt(f.nu, t)), rb = b->Step(ActionAt(f.nu, t));
    for (size_t i = 0; i < ra.observation.size(); ++i) EXPECT_NEAR(ra.observation[i], rb.observation[i], 1e-5);
    EXPECT_NEAR(ra.reward, rb.reward, 1e-5);
  }
  EXPECT_THROW(b->MakeState(std::vector<double>(f.nq + 1), std::vector<double>(f.nv)), ShapeError);
  EXPECT_THROW(b->MakeState(std::vector<double>(f.nq), std::vector<double>(f.nv - 1)), ShapeError);
  std::vector<double> bad_qvel(f.nv, 0.0);
  bad_qvel[1] = std::numeric_limits<double>::infinity();
  EXPECT_THROW(b->MakeState(std::vector<double>(f.nq), bad_qvel), RangeError);
}

TEST_P(MujocoTest, ClonesContinueExactlyAndIndependently) {
  const ModelFacts& f = GetParam();
  auto env = MakeMujoco(f.id);
  env->Reset(4);
  for (int t = 0; t < 7; ++t) env->Step(ActionAt(f.nu, t));
  auto clone = env->Clone();
  for (int t = 0; t < 5; ++t) clone->Step(ActionAt(f.nu, 100 + t));  // the clone wanders off
  auto clone2 = env->Clone();
  for (int t = 7; t < 20; ++t) {
    const StepResult r1 = env->Step(ActionAt(f.nu, t)), r2 = clone2->Step(ActionAt(f.nu, t));
    ASSERT_EQ(r1.observation, r2.observation);
    ASSERT_EQ(r1.reward, r2.reward);
  }
  EXPECT_NE(clone->GetState(), env->GetState());
}

TEST_P(MujocoTest, RandomPolicyRunsAndExpertIsNotFound) {
  const ModelFacts& f = GetParam();
  auto env = MakeMujoco(f.id);
  auto policy = MakePolicy("random", env->spec());
  Rng rng(1);
  std::vector<float> obs = env->Reset(1);
  for (int t = 0; t < 50; ++t) {
    const StepResult r = env->Step(policy->Act(obs, rng));
    for (float x : r.observation) ASSERT_TRUE(std::isfinite(x));
    obs = r.observation;
    if (r.terminated) obs = env->Reset(t);
  }
  try {
    MakePolicy("expert", env->spec());
    FAIL();
  } catch (const NotFoundError& e) {
    EXPECT_NE(std::string(e.what()).find(f.id), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("random"), std::string::npos) << e.what();
  }
}

TEST_P(MujocoTest, StateAccessorsNeedAState) {
  auto env = MakeMujoco(GetParam().id);
  EXPECT_THROW(env->qpos(), StateError);
  EXPECT_THROW(env->qvel(), StateError);
  EXPECT_THROW(env->GetState(), StateError);
}

INSTANTIATE_TEST_SUITE_P(Envs, MujocoTest, ::testing::ValuesIn(kFacts), [](const auto& info) {
  std::string name = info.param.id;
  for (char& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return name;
});

TEST(HalfCheetahTest, ResetNoiseIsUniformQposAndGaussianQvel) {
  HalfCheetahEnv env;
  double max_qpos = 0, max_qvel = 0, sum_sq_qvel = 0;
  int n = 0;
  for (uint64_t seed = 0; seed < 300; ++seed) {
    env.Reset(seed);
    for (double q : env.qpos()) max_qpos = std::max(max_qpos, std::fabs(q));
    for (double v : env.qvel()) max_qvel = std::max(max_qvel, std::fabs(v)), sum_sq_qvel += v * v, ++n;
  }
  EXPECT_LE(max_qpos, 0.1);
  EXPECT_GT(max_qpos, 0.09);
  EXPECT_GT(max_qvel, 0.2);                            // a normal with stddev 0.1 exceeds 2 sigma
  EXPECT_NEAR(std::sqrt(sum_sq_qvel / n), 0.1, 0.01);  // 0.1 * N(0, 1)
}

TEST(HalfCheetahTest, NeverTerminatesAndTruncatesAt1000) {
  HalfCheetahEnv env;
  auto policy = MakePolicy("random", env.spec());
  Rng rng(2);
  std::vector<float> obs = env.Reset(3);
  for (int t = 1; t <= 1000; ++t) {
    const StepResult r = env.Step(policy->Act(obs, rng));
    ASSERT_FALSE(r.terminated) << t;
    ASSERT_EQ(r.truncated, t == 1000) << t;
    obs = r.observation;
  }
}

TEST(HalfCheetahTest, OptionsAreValidated) {
  EXPECT_THROW(HalfCheetahEnv({.ctrl_cost_weight = -1}), ConfigError);
  EXPECT_THROW(HalfCheetahEnv({.reset_noise_scale = std::nan("")}), ConfigError);
  HalfCheetahEnv env({.forward_reward_weight = 2.0, .ctrl_cost_weight = 0.0});
  env.Reset(0);
  const double x0 = env.qpos()[0];
  const StepResult r = env.Step(std::vector<float>(6, 0.5f));
  EXPECT_NEAR(r.reward, 2.0 * (env.qpos()[0] - x0) / 0.05, 1e-9);
}

// Sets qpos[index] = value on a reset hopper or walker (zero velocity), keeping everything else.
template <typename E>
void SetCoordinate(E& env, int index, double value) {
  env.Reset(0);
  std::vector<double> qpos = env.qpos(), qvel(env.nv(), 0.0);
  qpos[index] = value;
  env.SetState(env.MakeState(qpos, qvel));
}

TEST(HopperTest, HealthyRangesFollowV4) {
  HopperEnv env;
  env.Reset(0);
  EXPECT_TRUE(env.IsHealthy());
  SetCoordinate(env, 1, 0.69);  // z <= 0.7
  EXPECT_FALSE(env.IsHealthy());
  SetCoordinate(env, 1, 0.71);
  EXPECT_TRUE(env.IsHealthy());
  SetCoordinate(env, 2, 0.21);  // |angle| >= 0.2
  EXPECT_FALSE(env.IsHealthy());
  SetCoordinate(env, 2, -0.21);
  EXPECT_FALSE(env.IsHealthy());
  SetCoordinate(env, 2, 0.19);
  EXPECT_TRUE(env.IsHealthy());
  SetCoordinate(env, 1, 5.0);  // no upper bound on z
  EXPECT_TRUE(env.IsHealthy());
  // Every entry of qpos[2:] and qvel inside (-100, 100).
  env.Reset(0);
  std::vector<double> qvel(6, 0.0);
  qvel[4] = 100.5;
  env.SetState(env.MakeState(env.qpos(), qvel));
  EXPECT_FALSE(env.IsHealthy());
  qvel[4] = 0.0;
  qvel[0] = 100.5;  // qvel[0] (x velocity) is part of state_vector()[2:] too
  env.SetState(env.MakeState(env.qpos(), qvel));
  EXPECT_FALSE(env.IsHealthy());
}

TEST(HopperTest, TiltedHopperTerminatesWithHealthyRewardCounted) {
  HopperEnv env;
  SetCoordinate(env, 2, 0.5);  // tilted beyond 0.2 rad
  const double x0 = env.qpos()[0];
  const StepResult r = env.Step(std::vector<float>(3, 0.f));
  EXPECT_TRUE(r.terminated);
  EXPECT_FALSE(r.truncated);
  // terminate_when_unhealthy: the healthy reward is paid even on the terminating step (v4's healthy_reward).
  EXPECT_NEAR(r.reward, (env.qpos()[0] - x0) / 0.008 + 1.0, 1e-9);
}

TEST(HopperTest, WithoutTerminationUnhealthyStepsEarnNothing) {
  HopperEnv env({.terminate_when_unhealthy = false});
  SetCoordinate(env, 2, 0.5);
  const double x0 = env.qpos()[0];
  const StepResult r = env.Step(std::vector<float>(3, 0.f));
  EXPECT_FALSE(r.terminated);
  EXPECT_NEAR(r.reward, (env.qpos()[0] - x0) / 0.008, 1e-9);
}

TEST(HopperTest, ObservationClipsVelocities) {
  HopperEnv env;
  env.Reset(0);
  std::vector<double> qvel(6, 0.0);
  qvel[3] = 50.0;
  qvel[5] = -12.0;
  env.SetState(env.MakeState(env.qpos(), qvel));
  const std::vector<float> obs = env.Observation();
  EXPECT_EQ(obs[5 + 3], 10.f);
  EXPECT_EQ(obs[5 + 5], -10.f);
  EXPECT_EQ(env.qvel()[3], 50.0);  // the state itself is not clipped
}

TEST(HopperTest, ResetIsNearTheStandingPose) {
  HopperEnv env;
  env.Reset(77);
  EXPECT_NEAR(env.qpos()[1], 1.25, 5e-3);
  EXPECT_TRUE(env.IsHealthy());
  // Standing still with zero torques the hopper stays healthy for a few steps and earns about 1 per step.
  const StepResult r = env.Step(std::vector<float>(3, 0.f));
  EXPECT_FALSE(r.terminated);
  EXPECT_NEAR(r.reward, 1.0, 0.5);
}

TEST(HopperTest, OptionsAreValidated) {
  EXPECT_THROW(HopperEnv({.healthy_z_low = 1.0, .healthy_z_high = 0.5}), ConfigError);
  EXPECT_THROW(HopperEnv({.healthy_reward = -1}), ConfigError);
}

TEST(Walker2dTest, HealthyRangesFollowV4) {
  Walker2dEnv env;
  env.Reset(0);
  EXPECT_TRUE(env.IsHealthy());
  SetCoordinate(env, 1, 0.79);  // z <= 0.8
  EXPECT_FALSE(env.IsHealthy());
  SetCoordinate(env, 1, 2.01);  // z >= 2.0
  EXPECT_FALSE(env.IsHealthy());
  SetCoordinate(env, 2, 0.99);
  EXPECT_TRUE(env.IsHealthy());
  SetCoordinate(env, 2, -1.01);  // |angle| >= 1
  EXPECT_FALSE(env.IsHealthy());
  // No state-range check in Walker2d-v4.
  env.Reset(0);
  std::vector<double> qvel(9, 0.0);
  qvel[5] = 500.0;
  env.SetState(env.MakeState(env.qpos(), qvel));
  EXPECT_TRUE(env.IsHealthy());
}

TEST(Walker2dTest, TiltedWalkerTerminates) {
  Walker2dEnv env;
  SetCoordinate(env, 2, 1.3);
  const StepResult r = env.Step(std::vector<float>(6, 0.f));
  EXPECT_TRUE(r.terminated);
  Walker2dEnv lenient({.terminate_when_unhealthy = false});
  SetCoordinate(lenient, 2, 1.3);
  EXPECT_FALSE(lenient.Step(std::vector<float>(6, 0.f)).terminated);
}

TEST(Walker2dTest, TruncatesAt1000FromAStoredCount) {
  Walker2dEnv env;
  env.Reset(0);
  SimState s = env.GetState();
  s.back() = 999;
  env.SetState(s);
  const StepResult r = env.Step(std::vector<float>(6, 0.f));
  EXPECT_TRUE(r.truncated);
  EXPECT_FALSE(r.terminated);
}

TEST(MujocoModelTest, EnvsShareOneModelAndManyClonesWork) {
  std::vector<std::unique_ptr<Env>> envs;
  auto prototype = Make("Hopper-v4");
  prototype->Reset(0);
  for (int i = 0; i < 64; ++i) envs.push_back(prototype->Clone());
  for (auto& env : envs) env->Step(std::vector<float>(3, 0.1f));
  for (auto& env : envs) EXPECT_EQ(env->GetState(), envs[0]->GetState());
}

}  // namespace
}  // namespace augur::envs
