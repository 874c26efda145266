#include "augur/envs/edge_of_reach.h"

#include <algorithm>
#include <cmath>

namespace augur::envs {
namespace {

EnvSpec EdgeOfReachSpec() {
  EnvSpec spec;
  spec.id = "EdgeOfReach-v0";
  const float b = static_cast<float>(EdgeOfReachEnv::kBound);
  spec.observation = Box{{-b, -b}, {b, b}};
  spec.action = Box{{-1.f, -1.f}, {1.f, 1.f}};
  spec.max_steps = 50;
  spec.dt = 0.0;
  return spec;
}

double Clip(double v) { return std::clamp(v, -EdgeOfReachEnv::kBound, EdgeOfReachEnv::kBound); }

}  // namespace

EdgeOfReachEnv::EdgeOfReachEnv(double reward_scale) : Env(EdgeOfReachSpec()), reward_scale_(reward_scale) {}

double EdgeOfReachEnv::Reward(double x, double y) {
  return 1.0 - std::hypot(x - kGoalX, y - kGoalY) / (4.0 * std::sqrt(2.0));
}

int EdgeOfReachEnv::ReachSteps(double x, double y) {
  const double d = std::max({std::abs(x) - kDataHalfWidth, std::abs(y) - kDataHalfWidth, 0.0});
  // A small tolerance so that float rounding of s + k * 0.1 does not add a step.
  return static_cast<int>(std::ceil(d / kStep - 1e-4));
}

void EdgeOfReachEnv::DoReset(Rng& rng) {
  x_ = -kDataHalfWidth + 2 * kDataHalfWidth * rng.UniformDouble();
  y_ = -kDataHalfWidth + 2 * kDataHalfWidth * rng.UniformDouble();
}

StepInfo EdgeOfReachEnv::DoStep(std::span<const float> action, std::span<float> observation) {
  const double ax = std::clamp<double>(action[0], -1.0, 1.0), ay = std::clamp<double>(action[1], -1.0, 1.0);
  x_ = Clip(x_ + kStep * ax);
  y_ = Clip(y_ + kStep * ay);
  DoObservation(observation);
  return {reward_scale_ * Reward(x_, y_), false, false};
}

void EdgeOfReachEnv::DoObservation(std::span<float> observation) const {
  observation[0] = static_cast<float>(x_);
  observation[1] = static_cast<float>(y_);
}

void EdgeOfReachEnv::DoSetState(std::span<const double> state) {
  x_ = state[0];
  y_ = state[1];
}

void EdgeOfReachEnv::DoSetFromObservation(std::span<const float> observation) {
  x_ = observation[0];
  y_ = observation[1];
}

}  // namespace augur::envs
