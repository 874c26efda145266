// EdgeOfReach-v0: the 2D point-mass toy of the edge-of-reach problem (in the spirit of the RAVL paper's toy;
// its exact layout is augur's own).
//
// State (x, y) in [-2, 2]^2, action in [-1, 1]^2, next state clip(s + 0.1 a, -2, 2). Reward in [0, 1]:
// 1 - ||s' - goal|| / (4 sqrt 2) with goal (1.5, 1.5), so any true Q is in [0, 1 / (1 - gamma)].
// Offline data covers only the box [-0.5, 0.5]^2 (DataBoxSample), so the states reachable in exactly k
// steps from it are known in closed form: a state's reach distance is the Chebyshev distance to the data
// box divided by the step size (ReachSteps). States with reach distance k are the edge of reach of k-step
// rollouts: they appear as next states but never as states whose value is trained.
// SimState: [x, y, elapsed]. No termination; truncated after 50 steps.
#pragma once

#include <memory>
#include <span>

#include "augur/envs/env.h"

namespace augur::envs {

class EdgeOfReachEnv : public Env {
 public:
  // Rewards are multiplied by `reward_scale` (0 makes every true value 0: any learned value is an error).
  explicit EdgeOfReachEnv(double reward_scale = 1.0);

  bool CanSetFromObservation() const override { return true; }
  std::unique_ptr<Env> Clone() const override { return std::make_unique<EdgeOfReachEnv>(*this); }

  static constexpr double kBound = 2.0;        // state box half-width
  static constexpr double kStep = 0.1;         // max move per step per axis
  static constexpr double kDataHalfWidth = 0.5;  // the data box
  static constexpr double kGoalX = 1.5, kGoalY = 1.5;
  static double Reward(double x, double y);
  // Smallest number of steps from the data box to (x, y): ceil(Chebyshev distance / kStep) (0 inside).
  static int ReachSteps(double x, double y);

 protected:
  void DoReset(Rng& rng) override;
  StepInfo DoStep(std::span<const float> action, std::span<float> observation) override;
  void DoObservation(std::span<float> observation) const override;
  SimState DoGetState() const override { return {x_, y_}; }
  void DoSetState(std::span<const double> state) override;
  int64_t physics_state_size() const override { return 2; }
  void DoSetFromObservation(std::span<const float> observation) override;

 private:
  double reward_scale_ = 1.0;
  double x_ = 0.0, y_ = 0.0;
};

}  // namespace augur::envs
