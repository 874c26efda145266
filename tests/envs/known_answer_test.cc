// Single steps of each env worked out by hand from the equations in Gymnasium's classic_control sources
// (the arithmetic is in the comments; exact fractions where the numbers allow).
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "augur/envs/acrobot.h"
#include "augur/envs/cartpole.h"
#include "augur/envs/continuous_mountain_car.h"
#include "augur/envs/mountain_car.h"
#include "augur/envs/pendulum.h"

namespace augur::envs {
namespace {

constexpr double kTol = 1e-6;
constexpr double kPi = std::numbers::pi;

TEST(PendulumKnownAnswer, UprightWithUnitTorque) {
  // theta = 0, theta_dot = 0, u = 1:
  //   cost = 0^2 + 0.1 * 0^2 + 0.001 * 1^2 = 0.001
  //   theta_dot' = 0 + (15 sin 0 + 3 * 1) * 0.05 = 0.15;  theta' = 0 + 0.15 * 0.05 = 0.0075
  PendulumEnv env;
  env.SetState({0.0, 0.0, 0.0});
  const float u[] = {1.f};
  const StepResult r = env.Step(u);
  EXPECT_NEAR(r.reward, -0.001, kTol);
  EXPECT_NEAR(r.observation[0], std::cos(0.0075), kTol);  // 0.99997188
  EXPECT_NEAR(r.observation[1], std::sin(0.0075), kTol);  // 0.00749993
  EXPECT_NEAR(r.observation[2], 0.15, kTol);
  EXPECT_FALSE(r.terminated);
  EXPECT_FALSE(r.truncated);
}

TEST(PendulumKnownAnswer, TorqueIsClippedAndAngleNormalized) {
  // theta = pi/2 + 2 pi (normalizes to pi/2), theta_dot = 1, u = 3 -> clipped to 2:
  //   cost = (pi/2)^2 + 0.1 * 1 + 0.001 * 2^2 = 2.4674011 + 0.1 + 0.004 = 2.5714011
  //   theta_dot' = 1 + (15 sin(pi/2) + 3 * 2) * 0.05 = 1 + 21 * 0.05 = 2.05
  //   theta' = pi/2 + 2 pi + 2.05 * 0.05: cos = -sin(0.1025), sin = cos(0.1025)
  PendulumEnv env;
  env.SetState({kPi / 2 + 2 * kPi, 1.0, 0.0});
  const float u[] = {3.f};
  const StepResult r = env.Step(u);
  EXPECT_NEAR(r.reward, -2.5714011, 1e-6);
  EXPECT_NEAR(r.observation[0], -std::sin(0.1025), kTol);
  EXPECT_NEAR(r.observation[1], std::cos(0.1025), kTol);
  EXPECT_NEAR(r.observation[2], 2.05, kTol);
}

TEST(PendulumKnownAnswer, SpeedIsClippedAtEight) {
  // theta = pi/2, theta_dot = 7.5, u = 2: 7.5 + 21 * 0.05 = 8.55 -> clipped to 8; theta' = pi/2 + 0.4.
  PendulumEnv env;
  env.SetState({kPi / 2, 7.5, 0.0});
  const float u[] = {2.f};
  const StepResult r = env.Step(u);
  EXPECT_NEAR(r.observation[2], 8.0, kTol);
  EXPECT_NEAR(env.GetState()[0], kPi / 2 + 0.4, 1e-12);
}

TEST(PendulumKnownAnswer, AngleNormalizeIsPythonModulo) {
  EXPECT_NEAR(AngleNormalize(0.0), 0.0, 1e-15);
  EXPECT_NEAR(AngleNormalize(3 * kPi / 2), -kPi / 2, 1e-12);
  EXPECT_NEAR(AngleNormalize(-3 * kPi / 2), kPi / 2, 1e-12);
  EXPECT_NEAR(AngleNormalize(-kPi), -kPi, 1e-12);  // ((−pi + pi) mod 2pi) − pi = −pi
}

TEST(CartPoleKnownAnswer, PushRightFromRest) {
  // state 0, action 1 (force +10), total mass 1.1, pole mass * half length = 0.05:
  //   temp = 10 / 1.1 = 100/11
  //   thetaacc = (0 - 1 * 100/11) / (0.5 * (4/3 - 0.1/1.1)) = -(100/11) / (41/66) = -600/41
  //   xacc = 100/11 - 0.05 * (-600/41) / 1.1 = 100/11 + 300/451 = 400/41
  //   Euler: x' = 0, x_dot' = 0.02 * 400/41 = 8/41, theta' = 0, theta_dot' = -0.02 * 600/41 = -12/41
  CartPoleEnv env;
  env.SetState({0, 0, 0, 0, -1, 0});
  const float a[] = {1.f};
  const StepResult r = env.Step(a);
  EXPECT_NEAR(r.observation[0], 0.0, kTol);
  EXPECT_NEAR(r.observation[1], 8.0 / 41, kTol);
  EXPECT_NEAR(r.observation[2], 0.0, kTol);
  EXPECT_NEAR(r.observation[3], -12.0 / 41, kTol);
  EXPECT_EQ(r.reward, 1.0);
  EXPECT_FALSE(r.terminated);
}

TEST(CartPoleKnownAnswer, RewardOneOnTerminalStepThenZero) {
  // theta = 0.2 > 12 degrees = 0.20944 after one step of theta_dot = 1: 0.2 + 0.02 * 1 = 0.22.
  CartPoleEnv env;
  env.SetState({0, 0, 0.2, 1.0, -1, 0});
  const float a[] = {0.f};
  StepResult r = env.Step(a);
  EXPECT_TRUE(r.terminated);
  EXPECT_EQ(r.reward, 1.0);
  r = env.Step(a);
  EXPECT_TRUE(r.terminated);
  EXPECT_EQ(r.reward, 0.0);
  EXPECT_NEAR(CartPoleEnv::ThetaThreshold(), 12 * 2 * kPi / 360, 1e-15);
}

TEST(CartPoleKnownAnswer, CartLeavesTrack) {
  // x = 2.39, x_dot = 1: x' = 2.39 + 0.02 = 2.41 > 2.4.
  CartPoleEnv env;
  env.SetState({2.39, 1.0, 0, 0, -1, 0});
  const float a[] = {1.f};
  const StepResult r = env.Step(a);
  EXPECT_NEAR(r.observation[0], 2.41, kTol);
  EXPECT_TRUE(r.terminated);
}

TEST(MountainCarKnownAnswer, PushRight) {
  // position -0.5, velocity 0, action 2:
  //   v' = 0 + (2 - 1) * 0.001 + cos(-1.5) * (-0.0025) = 0.001 - 0.0025 * 0.0707372 = 0.000823157
  //   p' = -0.5 + 0.000823157 = -0.499176843
  MountainCarEnv env;
  env.SetState({-0.5, 0.0, 0.0});
  const float a[] = {2.f};
  const StepResult r = env.Step(a);
  EXPECT_NEAR(r.observation[1], 0.001 - 0.0025 * std::cos(1.5), kTol);
  EXPECT_NEAR(r.observation[0], -0.499176843, kTol);
  EXPECT_EQ(r.reward, -1.0);
  EXPECT_FALSE(r.terminated);
}

TEST(MountainCarKnownAnswer, LeftWallStopsTheCar) {
  // position -1.19, velocity -0.02, action 0: v' = -0.02 - 0.001 - 0.0025 cos(-3.57) = -0.018722,
  // p' = -1.208722 -> clipped to -1.2, and v' < 0 at the wall -> 0.
  MountainCarEnv env;
  env.SetState({-1.19, -0.02, 0.0});
  const float a[] = {0.f};
  const StepResult r = env.Step(a);
  EXPECT_FLOAT_EQ(r.observation[0], -1.2f);
  EXPECT_EQ(r.observation[1], 0.f);
}

TEST(MountainCarKnownAnswer, VelocityClipAndGoal) {
  // position 0.45, velocity 0.07, action 2: v' = 0.07 + 0.001 - 0.0025 cos(1.35) = 0.07046 -> 0.07;
  // p' = 0.52 >= 0.5 and v' >= 0: terminated.
  MountainCarEnv env;
  env.SetState({0.45, 0.07, 0.0});
  const float a[] = {2.f};
  const StepResult r = env.Step(a);
  EXPECT_NEAR(r.observation[1], 0.07, kTol);
  EXPECT_NEAR(r.observation[0], 0.52, kTol);
  EXPECT_TRUE(r.terminated);
  EXPECT_EQ(r.reward, -1.0);
}

TEST(ContinuousMountainCarKnownAnswer, GoalRewardUsesUnclippedAction) {
  // position 0.44, velocity 0.02, action 2 (force clamped to 1):
  //   v' = 0.02 + 1 * 0.0015 - 0.0025 cos(1.32) = 0.0215 - 0.0025 * 0.248175 = 0.020879562
  //   p' = 0.460879562 >= 0.45 -> terminated; reward = 100 - 0.1 * 2^2 = 99.6
  ContinuousMountainCarEnv env;
  env.SetState({0.44, 0.02, 0.0});
  const float a[] = {2.f};
  const StepResult r = env.Step(a);
  EXPECT_NEAR(r.observation[1], 0.0215 - 0.0025 * std::cos(1.32), kTol);
  EXPECT_NEAR(r.observation[0], 0.44 + 0.0215 - 0.0025 * std::cos(1.32), kTol);
  EXPECT_TRUE(r.terminated);
  EXPECT_NEAR(r.reward, 99.6, 1e-6);
}

TEST(ContinuousMountainCarKnownAnswer, ControlCostAndFloat32State) {
  // position -0.5, velocity 0, action -0.5: v' = -0.00075 - 0.0025 cos(-1.5) = -0.000926843,
  // reward = -0.1 * 0.25 = -0.025; the stored state is the float32 value (continuous_mountain_car.py).
  ContinuousMountainCarEnv env;
  env.SetState({-0.5, 0.0, 0.0});
  const float a[] = {-0.5f};
  const StepResult r = env.Step(a);
  EXPECT_NEAR(r.reward, -0.025, 1e-9);
  EXPECT_NEAR(r.observation[1], -0.00075 - 0.0025 * std::cos(1.5), kTol);
  const SimState s = env.GetState();
  EXPECT_EQ(s[0], static_cast<double>(static_cast<float>(s[0])));
  EXPECT_EQ(s[1], static_cast<double>(static_cast<float>(s[1])));
}

TEST(AcrobotKnownAnswer, DerivativesAtRestWithUnitTorque) {
  // theta = 0 (hanging), rates 0, torque 1 (book dynamics, acrobot.py _dsdt):
  //   d1 = 0.25 + (1 + 0.25 + 2 * 0.5) + 1 + 1 = 4.5;  d2 = (0.25 + 0.5) + 1 = 1.75
  //   phi2 = 0.5 * 9.8 * cos(-pi/2) = 0;  phi1 = 0 (cos(-pi/2) = 0)
  //   ddtheta2 = 1 / (0.25 + 1 - 1.75^2 / 4.5) = 1 / (41/72) = 72/41
  //   ddtheta1 = -(1.75 * 72/41) / 4.5 = -28/41
  const auto d = AcrobotEnv::Derivatives({0, 0, 0, 0, 1.0});
  EXPECT_NEAR(d[0], 0.0, 1e-12);
  EXPECT_NEAR(d[1], 0.0, 1e-12);
  EXPECT_NEAR(d[2], -28.0 / 41, 1e-12);
  EXPECT_NEAR(d[3], 72.0 / 41, 1e-12);
  EXPECT_EQ(d[4], 0.0);
}

TEST(AcrobotKnownAnswer, RestingStaysAtRestAndTerminalRule) {
  // Hanging at rest with zero torque: every derivative is 0, the state does not move, reward -1.
  AcrobotEnv env;
  env.SetState({0, 0, 0, 0, 0});
  const float zero[] = {1.f};
  StepResult r = env.Step(zero);
  const float want[] = {1, 0, 1, 0, 0, 0};
  for (int i = 0; i < 6; ++i) EXPECT_NEAR(r.observation[i], want[i], 1e-9) << i;
  EXPECT_EQ(r.reward, -1.0);
  EXPECT_FALSE(r.terminated);
  // Straight up: -cos(pi) - cos(pi + 0) = 2 > 1 -> terminated with reward 0 (after one step it stays
  // near the top).
  env.SetState({kPi, 0, 0, 0, 0});
  r = env.Step(zero);
  EXPECT_TRUE(r.terminated);
  EXPECT_EQ(r.reward, 0.0);
}

TEST(AcrobotKnownAnswer, AnglesWrapAndVelocitiesAreBounded) {
  // dtheta1 = 4 pi exactly at the bound: after a step it stays within [-4 pi, 4 pi]; angles in [-pi, pi].
  AcrobotEnv env;
  env.SetState({3.0, -3.0, 4 * kPi, -9 * kPi, 0});
  const float a[] = {2.f};
  env.Step(a);
  const SimState s = env.GetState();
  EXPECT_LE(std::fabs(s[0]), kPi);
  EXPECT_LE(std::fabs(s[1]), kPi);
  EXPECT_LE(std::fabs(s[2]), 4 * kPi);
  EXPECT_LE(std::fabs(s[3]), 9 * kPi);
}

}  // namespace
}  // namespace augur::envs
