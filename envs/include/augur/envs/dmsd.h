// DMSD: NeoRL-2's double mass-spring-damper task (polixir/NeoRL2 neorl2/envs/dmsd.py, registered as "DMSD").
#pragma once

#include <array>
#include <memory>

#include "augur/envs/env.h"

namespace augur::envs {

// Two masses in series between two walls, joined by three springs and three dampers
// (wall - k1,d1 - m1 - k2,d2 - m2 - k3,d3 - wall); each mass is pushed by its own force and should track
// its own target position. Explicit Euler with dt = 0.2 s:
//   x' = x + dt v,   v' = v + dt (spring and damper forces) / m + dt F / m,   F = 30 clip(action, -1, 1) N.
// Observation (6, float32): [x1, x2, v1, v2, target1, target2]. Action: 2 values in [-1, 1] (clipped).
// Reward: sum_i -log(|x_i' - target_i'| + 0.01) on the float32 next observation. Never terminates;
// truncated after 100 steps.
//
// Targets: at reset each mass draws 1 or 2 targets (equally likely), uniform in [-1.5, 1.5]; with 2, the
// first holds for steps 0..49 and the second from step 50 on (the observation after the 50th step shows
// it). SimState: [x1, x2, v1, v2, target1 before step 50, target1 from step 50, target2 before step 50,
// target2 from step 50, elapsed].
//
// SetFromObservation is supported the way NeoRL-2's own set_obs(state, target) does it: the observed
// target is held for the rest of the episode. The observation does not show whether a target will switch
// at step 50, so a transition recorded across that switch does not replay (0.73 % of the train split's
// rows; every other row matches, see tests/envs/dmsd_test.cc).
class DmsdEnv : public Env {
 public:
  // `mass` of each of the two masses in kg. NeoRL-2 registers DMSD with mode='train', which uses
  // kTrainMass; its other modes use kEvalMass.
  explicit DmsdEnv(double mass = kTrainMass);

  bool CanSetFromObservation() const override { return true; }
  std::unique_ptr<Env> Clone() const override { return std::make_unique<DmsdEnv>(*this); }

  // Constants of dmsd.py (constructor defaults, all bounds equal so the task never varies).
  static constexpr double kDt = 0.2;              // s
  static constexpr double kDamping = 4.0;         // N s/m, d1 = d2 = d3
  static constexpr double kStiffness = 2.0;       // N/m, k1 = k2 = k3
  static constexpr double kTrainMass = 20.0;      // kg, m1 = m2 in mode 'train'
  static constexpr double kEvalMass = 30.0;       // kg, m1 = m2 in any other mode
  static constexpr float kMaxForce = 30.0f;       // N, force_bounds = (-30, 30)
  static constexpr double kTargetBound = 1.5;     // m, targets uniform in [-1.5, 1.5]
  static constexpr double kStartPosBound = 0.25;  // m, start positions uniform in [-0.25, 0.25]
  static constexpr double kStartVelBound = 0.1;   // m/s, start velocities uniform in [-0.1, 0.1]
  static constexpr int kSwitchStep = 50;          // max_episode_steps // 2: when a second target takes over

  // NeoRL-2's normalization (neorl2/envs/info.py MIN_SCORES / MAX_SCORES["DMSD"]):
  // score = 100 * (return - kMinScore) / (kMaxScore - kMinScore).
  static constexpr double kMinScore = 30.60;
  static constexpr double kMaxScore = 849.51;
  // Mean return of the train split's behaviour policy (benchmark/task_reward.csv, column "data").
  static constexpr double kDataReturn = 494.45271875;
  static double NormalizedScore(double episode_return);

 protected:
  void DoReset(Rng& rng) override;
  StepInfo DoStep(std::span<const float> action, std::span<float> observation) override;
  void DoObservation(std::span<float> observation) const override;
  SimState DoGetState() const override;
  void DoSetState(std::span<const double> state) override;
  int64_t physics_state_size() const override { return 8; }
  void DoSetFromObservation(std::span<const float> observation) override;

 private:
  // The target of mass i after `t` steps (dmsd.py: targets[min(t, max_episode_steps - 1)]).
  double Target(int i, int t) const { return t < kSwitchStep ? targets_[i][0] : targets_[i][1]; }

  double mass_;
  std::array<double, 2> x_{}, v_{};
  std::array<std::array<double, 2>, 2> targets_{};  // [mass][before / from step 50]
};

}  // namespace augur::envs
