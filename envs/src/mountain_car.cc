// Facts (constants, equations, clipping, left-wall rule, reset range) from Gymnasium's
// gymnasium/envs/classic_control/mountain_car.py and gymnasium/envs/__init__.py
// (MountainCar-v0: max_episode_steps=200, reward_threshold=-110.0).
#include "augur/envs/mountain_car.h"

#include <algorithm>
#include <cmath>

namespace augur::envs {
namespace {

EnvSpec MountainCarSpec() {
  EnvSpec spec;
  spec.id = "MountainCar-v0";
  spec.observation = Box{{-1.2f, -0.07f}, {0.6f, 0.07f}};
  spec.action = Discrete{3};
  spec.max_steps = 200;
  spec.dt = 0.0;  // the simulation has no physical time step
  spec.reward_threshold = -110.0;
  return spec;
}

}  // namespace

MountainCarEnv::MountainCarEnv() : Env(MountainCarSpec()) {}

void MountainCarEnv::DoReset(Rng& rng) {
  // state = [uniform(low=-0.6, high=-0.4), 0].
  position_ = -0.6 + 0.2 * rng.UniformDouble();
  velocity_ = 0.0;
}

StepInfo MountainCarEnv::DoStep(std::span<const float> action, std::span<float> observation) {
  const int a = static_cast<int>(action[0]);
  double position = position_, velocity = velocity_;
  velocity += (a - 1) * kForce + std::cos(3 * position) * (-kGravity);
  velocity = std::clamp(velocity, -kMaxSpeed, kMaxSpeed);
  position += velocity;
  position = std::clamp(position, kMinPosition, kMaxPosition);
  if (position == kMinPosition && velocity < 0) velocity = 0;
  const bool terminated = position >= kGoalPosition && velocity >= kGoalVelocity;
  position_ = position;
  velocity_ = velocity;
  DoObservation(observation);
  return {-1.0, terminated, false};
}

void MountainCarEnv::DoObservation(std::span<float> observation) const {
  observation[0] = static_cast<float>(position_);
  observation[1] = static_cast<float>(velocity_);
}

void MountainCarEnv::DoSetState(std::span<const double> state) {
  position_ = state[0];
  velocity_ = state[1];
}

void MountainCarEnv::DoSetFromObservation(std::span<const float> observation) {
  position_ = observation[0];
  velocity_ = observation[1];
}

}  // namespace augur::envs
