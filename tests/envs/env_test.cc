// Properties every env must have: registry, determinism, clones, state round trips, time limits, errors.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <variant>

#include "augur/core/error.h"
#include "augur/envs/registry.h"
#include "augur/envs/replay.h"

namespace augur::envs {
namespace {

// A valid action for step t: cycles over the discrete choices or sweeps the box.
std::vector<float> ActionAt(const EnvSpec& spec, int t) {
  if (const auto* d = std::get_if<Discrete>(&spec.action)) return {static_cast<float>(t % d->n)};
  const Box& box = std::get<Box>(spec.action);
  std::vector<float> a(box.dim());
  for (int64_t i = 0; i < box.dim(); ++i) a[i] = box.low[i] + (box.high[i] - box.low[i]) * ((t * 7 % 11) / 10.f);
  return a;
}

bool IsMujoco(const std::string& id) { return id == "HalfCheetah-v4" || id == "Hopper-v4" || id == "Walker2d-v4"; }

class EnvTest : public ::testing::TestWithParam<std::string> {};

TEST_P(EnvTest, SpecIsValidAndMatchesGymnasium) {
  auto env = Make(GetParam());
  const EnvSpec& spec = env->spec();
  EXPECT_EQ(spec.id, GetParam());
  EXPECT_NO_THROW(spec.Validate());
  // max_episode_steps from gymnasium/envs/__init__.py (DMSD: polixir/NeoRL2 neorl2/envs/__init__.py).
  const std::map<std::string, int> max_steps = {
      {"Pendulum-v1", 200}, {"CartPole-v1", 500},     {"MountainCar-v0", 200}, {"MountainCarContinuous-v0", 999},
      {"Acrobot-v1", 500},  {"HalfCheetah-v4", 1000}, {"Hopper-v4", 1000},     {"Walker2d-v4", 1000},
      {"DMSD", 100},        {"SlipperyGrid-v0", 100}};
  EXPECT_EQ(spec.max_steps, max_steps.at(spec.id));
  // The MuJoCo observations omit the x position, so only SetState restores them.
  EXPECT_EQ(env->CanSetFromObservation(), !IsMujoco(spec.id));
}

TEST_P(EnvTest, SameSeedSameTrajectory) {
  auto a = Make(GetParam()), b = Make(GetParam());
  EXPECT_EQ(a->Reset(42), b->Reset(42));
  for (int t = 0; t < 50; ++t) {
    const auto action = ActionAt(a->spec(), t);
    const StepResult ra = a->Step(action), rb = b->Step(action);
    ASSERT_EQ(ra.observation, rb.observation);
    ASSERT_EQ(ra.reward, rb.reward);
    ASSERT_EQ(ra.terminated, rb.terminated);
  }
  a->Reset(1);
  const SimState one = a->GetState();
  a->Reset(2);
  EXPECT_NE(one, a->GetState());  // SlipperyGrid-v0 always starts on 'S' but draws its steps from the seed
}

TEST_P(EnvTest, ResetFollowsGymnasiumRanges) {
  auto env = Make(GetParam());
  for (uint64_t seed = 0; seed < 200; ++seed) {
    env->Reset(seed);
    const SimState s = env->GetState();
    const std::string& id = env->spec().id;
    if (id == "Pendulum-v1") {
      EXPECT_LE(std::fabs(s[0]), M_PI);
      EXPECT_LE(std::fabs(s[1]), 1.0);
    } else if (id == "CartPole-v1") {
      for (int i = 0; i < 4; ++i) EXPECT_LE(std::fabs(s[i]), 0.05);
    } else if (id == "Acrobot-v1") {
      for (int i = 0; i < 4; ++i) EXPECT_LE(std::fabs(s[i]), 0.1);
      for (int i = 0; i < 4; ++i) EXPECT_EQ(s[i], static_cast<double>(static_cast<float>(s[i])));  // float32
    } else if (IsMujoco(id)) {
      // qpos0 + U(-s, s), qvel +- s (cheetah: s N(0, 1)); s = 0.1 (cheetah) or 5e-3; rootz's qpos0 is 1.25
      // for hopper and walker. Then time 0 (the warm start is what mj_forward leaves).
      const int n = id == "Hopper-v4" ? 6 : 9;
      const double noise = id == "HalfCheetah-v4" ? 0.1 : 5e-3;
      ASSERT_EQ(s.size(), static_cast<size_t>(3 * n + 2));
      for (int i = 0; i < n; ++i) {
        const double qpos0 = (i == 1 && id != "HalfCheetah-v4") ? 1.25 : 0.0;
        EXPECT_LE(std::fabs(s[i] - qpos0), noise) << id << " qpos " << i;
        if (id != "HalfCheetah-v4") {
          EXPECT_LE(std::fabs(s[n + i]), noise) << id << " qvel " << i;
        }
      }
      EXPECT_EQ(s[2 * n], 0.0);
    } else if (id == "SlipperyGrid-v0") {
      EXPECT_EQ(s[0], 0.0);  // the default map's 'S' at column 0, row 2
      EXPECT_EQ(s[1], 2.0);
    } else if (id == "DMSD") {
      for (int i = 0; i < 2; ++i) EXPECT_LE(std::fabs(s[i]), 0.25);
      for (int i = 2; i < 4; ++i) EXPECT_LE(std::fabs(s[i]), 0.1);
      for (int i = 4; i < 8; ++i) EXPECT_LE(std::fabs(s[i]), 1.5);
    } else {
      EXPECT_GE(s[0], -0.6);
      EXPECT_LT(s[0], -0.4);
      EXPECT_EQ(s[1], 0.0);
    }
    EXPECT_EQ(s.back(), 0.0);
  }
}

TEST_P(EnvTest, CloneIsIndependent) {
  auto env = Make(GetParam());
  env->Reset(7);
  auto clone = env->Clone();
  EXPECT_EQ(clone->GetState(), env->GetState());
  const auto action = ActionAt(env->spec(), 1);
  const StepResult r1 = clone->Step(action);
  EXPECT_NE(clone->GetState(), env->GetState());  // the original did not move
  const StepResult r2 = env->Step(action);
  EXPECT_EQ(r1.observation, r2.observation);
  EXPECT_EQ(clone->GetState(), env->GetState());
}

TEST_P(EnvTest, GetSetStateRoundTrip) {
  auto env = Make(GetParam());
  env->Reset(3);
  for (int t = 0; t < 5; ++t) env->Step(ActionAt(env->spec(), t));
  const SimState saved = env->GetState();
  EXPECT_EQ(saved.back(), 5.0);
  std::vector<StepResult> first;
  for (int t = 0; t < 10; ++t) first.push_back(env->Step(ActionAt(env->spec(), t)));
  env->SetState(saved);
  EXPECT_EQ(env->elapsed_steps(), 5);
  for (int t = 0; t < 10; ++t) {
    const StepResult r = env->Step(ActionAt(env->spec(), t));
    EXPECT_EQ(r.observation, first[t].observation);
    EXPECT_EQ(r.reward, first[t].reward);
  }
}

TEST_P(EnvTest, SetFromObservationRoundTrip) {
  auto env = Make(GetParam());
  env->Reset(11);
  if (!env->CanSetFromObservation()) {
    EXPECT_THROW(env->SetFromObservation(env->Observation()), StateError);
    return;
  }
  for (int t = 0; t < 8; ++t) env->Step(ActionAt(env->spec(), t));
  const std::vector<float> obs = env->Observation();
  auto copy = Make(GetParam());
  copy->SetFromObservation(obs);
  EXPECT_EQ(copy->elapsed_steps(), 0);
  const std::vector<float> back = copy->Observation();
  for (size_t i = 0; i < obs.size(); ++i) EXPECT_NEAR(back[i], obs[i], 1e-6) << i;
  // One step from the observation matches one step of the original to 1e-5 (a stochastic env: the same
  // outcome).
  const auto action = ActionAt(env->spec(), 3);
  if (env->num_outcomes() > 0) {
    std::vector<float> first(obs.size()), next(obs.size());
    const StepInfo a = env->StepOutcome(action, 1, first);
    const StepInfo b = copy->StepOutcome(action, 1, next);
    EXPECT_EQ(next, first);
    EXPECT_EQ(a.reward, b.reward);
    EXPECT_EQ(a.terminated, b.terminated);
    return;
  }
  const StepResult a = env->Step(action), b = copy->Step(action);
  for (size_t i = 0; i < obs.size(); ++i) EXPECT_NEAR(a.observation[i], b.observation[i], 1e-5) << i;
  EXPECT_NEAR(a.reward, b.reward, 1e-5);
  EXPECT_EQ(a.terminated, b.terminated);
}

TEST_P(EnvTest, TruncatesAtMaxSteps) {
  auto env = Make(GetParam());
  env->Reset(0);
  const int max_steps = env->spec().max_steps;
  SimState s = env->GetState();
  s.back() = max_steps - 2;  // two steps left
  env->SetState(s);
  // Keep the physics from terminating: use a state that does not end within two steps.
  StepResult r = env->Step(ActionAt(env->spec(), 1));
  EXPECT_FALSE(r.truncated);
  r = env->Step(ActionAt(env->spec(), 1));
  EXPECT_TRUE(r.truncated);
  EXPECT_EQ(env->elapsed_steps(), max_steps);
}

TEST_P(EnvTest, BadInputsThrowTypedErrors) {
  auto env = Make(GetParam());
  const auto action = ActionAt(env->spec(), 0);
  EXPECT_THROW(env->Step(action), StateError);  // before Reset
  env->Reset(0);
  std::vector<float> too_long(env->spec().action_dim() + 1, 0.f);
  EXPECT_THROW(env->Step(too_long), ShapeError);
  EXPECT_THROW(env->Step(std::vector<float>{}), ShapeError);
  std::vector<float> nan_action(env->spec().action_dim(), std::numeric_limits<float>::quiet_NaN());
  EXPECT_THROW(env->Step(nan_action), RangeError);
  if (const auto* d = std::get_if<Discrete>(&env->spec().action)) {
    EXPECT_THROW(env->Step(std::vector<float>{static_cast<float>(d->n)}), RangeError);
    EXPECT_THROW(env->Step(std::vector<float>{-1.f}), RangeError);
    EXPECT_THROW(env->Step(std::vector<float>{0.5f}), RangeError);
    try {
      env->Step(std::vector<float>{7.f});
      FAIL();
    } catch (const RangeError& e) {
      EXPECT_NE(std::string(e.what()).find(env->spec().id), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find('7'), std::string::npos) << e.what();
    }
  } else {
    const std::vector<float> big(env->spec().action_dim(), 100.f);  // clipped like Gymnasium, not an error
    EXPECT_NO_THROW(env->Step(big));
  }
  EXPECT_THROW(env->SetState({1.0}), ShapeError);
  SimState s = env->GetState();
  s[0] = std::nan("");
  EXPECT_THROW(env->SetState(s), RangeError);
  std::vector<float> nan_obs(env->spec().obs_dim(), std::numeric_limits<float>::quiet_NaN());
  if (env->CanSetFromObservation()) {
    EXPECT_THROW(env->SetFromObservation(std::vector<float>(env->spec().obs_dim() + 1, 0.f)), ShapeError);
    EXPECT_THROW(env->SetFromObservation(nan_obs), RangeError);
  } else {
    EXPECT_THROW(env->SetFromObservation(nan_obs), StateError);
  }
}

INSTANTIATE_TEST_SUITE_P(Envs, EnvTest, ::testing::ValuesIn(RegisteredEnvs()), [](const auto& info) {
  std::string name = info.param;
  for (char& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return name;
});

TEST(RegistryTest, ListsEveryEnvSorted) {
  EXPECT_EQ(RegisteredEnvs(),
            (std::vector<std::string>{"Acrobot-v1", "CartPole-v1", "DMSD", "HalfCheetah-v4", "Hopper-v4",
                                      "MountainCar-v0", "MountainCarContinuous-v0", "Pendulum-v1", "SlipperyGrid-v0",
                                      "Walker2d-v4"}));
}

TEST(RegistryTest, UnknownIdListsValidOnes) {
  try {
    Make("Pendulum-v0");
    FAIL();
  } catch (const NotFoundError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("Pendulum-v0"), std::string::npos) << msg;
    EXPECT_NE(msg.find("Pendulum-v1"), std::string::npos) << msg;
    EXPECT_NE(msg.find("Acrobot-v1"), std::string::npos) << msg;
  }
}

}  // namespace
}  // namespace augur::envs

namespace augur::envs {
namespace {

// A toy env whose observation does not determine its state (a hidden counter): the base class must
// refuse SetFromObservation and Replay with StateError.
class HiddenCounterEnv : public Env {
 public:
  HiddenCounterEnv() : Env(MakeSpec()) {}
  std::unique_ptr<Env> Clone() const override { return std::make_unique<HiddenCounterEnv>(*this); }

 protected:
  void DoReset(Rng&) override { count_ = 0; }
  StepInfo DoStep(std::span<const float>, std::span<float> observation) override {
    ++count_;
    DoObservation(observation);
    return {static_cast<double>(count_), false, false};
  }
  void DoObservation(std::span<float> observation) const override { observation[0] = 0.f; }
  SimState DoGetState() const override { return {static_cast<double>(count_)}; }
  void DoSetState(std::span<const double> state) override { count_ = static_cast<int>(state[0]); }
  int64_t physics_state_size() const override { return 1; }

 private:
  static EnvSpec MakeSpec() {
    EnvSpec spec;
    spec.id = "HiddenCounter-v0";
    spec.observation = Box::Uniform(1, -1.f, 1.f);
    spec.action = Discrete{1};
    spec.max_steps = 3;
    return spec;
  }
  int count_ = 0;
};

TEST(EnvBaseTest, EnvsWithoutObservableStateRefuseSetFromObservation) {
  HiddenCounterEnv env;
  EXPECT_FALSE(env.CanSetFromObservation());
  EXPECT_THROW(env.SetFromObservation(std::vector<float>{0.f}), StateError);
  const std::vector<float> col = {0.f};
  EXPECT_THROW(Replay(env, col, col, col, col, col, 1), StateError);
}

TEST(EnvBaseTest, TimeLimitAndStateBookkeeping) {
  HiddenCounterEnv env;
  env.Reset(0);
  const std::vector<float> a = {0.f};
  EXPECT_FALSE(env.Step(a).truncated);
  EXPECT_FALSE(env.Step(a).truncated);
  const StepResult r = env.Step(a);
  EXPECT_TRUE(r.truncated);
  EXPECT_EQ(r.reward, 3.0);
  EXPECT_EQ(env.GetState(), (SimState{3, 3}));
  EXPECT_THROW(env.SetState({1.0, -1.0}), RangeError);  // negative elapsed steps
  EXPECT_THROW(env.SetState({1.0, 0.5}), RangeError);   // fractional elapsed steps
  env.SetState({1.0, 1.0});
  EXPECT_EQ(env.elapsed_steps(), 1);
}

}  // namespace
}  // namespace augur::envs
