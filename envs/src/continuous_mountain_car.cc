// Facts (constants, equations, reward with the unclipped action, float32 state, reset range) from
// Gymnasium's gymnasium/envs/classic_control/continuous_mountain_car.py and gymnasium/envs/__init__.py
// (MountainCarContinuous-v0: max_episode_steps=999, reward_threshold=90.0).
#include "augur/envs/continuous_mountain_car.h"

#include <algorithm>
#include <cmath>

namespace augur::envs {
namespace {

EnvSpec ContinuousMountainCarSpec() {
  EnvSpec spec;
  spec.id = "MountainCarContinuous-v0";
  spec.observation = Box{{-1.2f, -0.07f}, {0.6f, 0.07f}};
  spec.action = Box{{-1.f}, {1.f}};
  spec.max_steps = 999;
  spec.dt = 0.0;  // the simulation has no physical time step
  spec.reward_threshold = 90.0;
  return spec;
}

}  // namespace

ContinuousMountainCarEnv::ContinuousMountainCarEnv() : Env(ContinuousMountainCarSpec()) {}

void ContinuousMountainCarEnv::DoReset(Rng& rng) {
  // state = [uniform(low=-0.6, high=-0.4), 0] (float64 until the first step).
  position_ = -0.6 + 0.2 * rng.UniformDouble();
  velocity_ = 0.0;
}

StepInfo ContinuousMountainCarEnv::DoStep(std::span<const float> action, std::span<float> observation) {
  const double a = action[0];
  double position = position_, velocity = velocity_;
  const double force = std::min(std::max(a, kMinAction), kMaxAction);
  velocity += force * kPower - 0.0025 * std::cos(3 * position);
  if (velocity > kMaxSpeed) velocity = kMaxSpeed;
  if (velocity < -kMaxSpeed) velocity = -kMaxSpeed;
  position += velocity;
  if (position > kMaxPosition) position = kMaxPosition;
  if (position < kMinPosition) position = kMinPosition;
  if (position == kMinPosition && velocity < 0) velocity = 0;
  const bool terminated = position >= kGoalPosition && velocity >= kGoalVelocity;
  double reward = terminated ? 100.0 : 0.0;
  reward -= a * a * 0.1;  // math.pow(action[0], 2) * 0.1: the unclipped action
  // self.state = np.array([position, velocity], dtype=np.float32).
  position_ = static_cast<float>(position);
  velocity_ = static_cast<float>(velocity);
  DoObservation(observation);
  return {reward, terminated, false};
}

void ContinuousMountainCarEnv::DoObservation(std::span<float> observation) const {
  observation[0] = static_cast<float>(position_);
  observation[1] = static_cast<float>(velocity_);
}

void ContinuousMountainCarEnv::DoSetState(std::span<const double> state) {
  position_ = state[0];
  velocity_ = state[1];
}

void ContinuousMountainCarEnv::DoSetFromObservation(std::span<const float> observation) {
  position_ = observation[0];
  velocity_ = observation[1];
}

}  // namespace augur::envs
