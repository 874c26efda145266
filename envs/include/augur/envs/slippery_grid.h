// SlipperyGrid-v0: augur's stochastic reference env with a known, enumerable outcome distribution (the
// "slippery" moves of Russell & Norvig's 4x3 world and of Gymnasium's FrozenLake, on a cliff map).
//
// A grid map of rows (row 0 at the top): 'S' start, '.' free, 'H' hole (terminal), 'G' goal (terminal),
// '#' wall (blocked). Observation [x, y] = [column, row] as floats. Discrete(4) actions in FrozenLake's order:
// 0 left, 1 down, 2 right, 3 up. A move goes in the intended direction with probability p and in each of the
// two perpendicular directions with probability (1 - p) / 2; a move off the grid or into a wall stays. Three
// outcomes per step, in this order: 0 intended, 1 the direction (a + 3) % 4, 2 the direction (a + 1) % 4
// (FrozenLake's slippery set {a - 1, a, a + 1}); outcomes that land on the same cell keep their own index.
// Reward: goal_reward on entering G, hole_reward on entering H (both terminate), step_reward otherwise. A step
// from a terminal cell stays with reward 0, terminated (FrozenLake's absorbing terminals): outcome 0 w.p. 1.
//
// Default map (the cliff: the short path along row 1 risks slipping into the holes, the long one along row 0
// does not; a model that only predicts the intended move prefers the short one):
//   ......
//   ......
//   SHHHHG
// SimState: [x, y, seed_hi, seed_lo, draws] + elapsed; the step draws come from Rng(seed, StreamId({draws})),
// the seed from Reset, so a restored state steps as the original. SetFromObservation keeps the seed.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "augur/envs/env.h"

namespace augur::envs {

struct SlipperyGridOptions {
  std::vector<std::string> map = {"......", "......", "SHHHHG"};
  double success_prob = 0.8;    // p: probability of the intended move (R&N's 4x3 world: 0.8)
  double goal_reward = 1.0;
  double hole_reward = -1.0;
  double step_reward = 0.0;
  int max_steps = 100;
  // Throws ConfigError naming the field: map not rectangular, no or several 'S', no 'G', an unknown
  // character, p outside [0, 1], max_steps < 1.
  void Validate() const;
};

class SlipperyGridEnv : public Env {
 public:
  static constexpr int64_t kOutcomes = 3;
  // The direction (dx, dy) of action a in [0, 4): left, down, right, up.
  static constexpr int kDx[4] = {-1, 0, 1, 0};
  static constexpr int kDy[4] = {0, 1, 0, -1};

  explicit SlipperyGridEnv(SlipperyGridOptions options = {});

  bool CanSetFromObservation() const override { return true; }
  std::unique_ptr<Env> Clone() const override { return std::make_unique<SlipperyGridEnv>(*this); }
  int64_t num_outcomes() const override { return kOutcomes; }

  const SlipperyGridOptions& options() const { return options_; }
  // The observations [x, y] of every cell that is neither a hole, a goal nor a wall, row by row.
  std::vector<std::array<float, 2>> NonTerminalCells() const;
  int width() const { return width_; }
  int height() const { return height_; }
  char Cell(int x, int y) const { return options_.map[y][x]; }
  // Where a move in direction d from (x, y) lands (stays off the grid or at a wall).
  void Move(int x, int y, int d, int* nx, int* ny) const;
  // The direction of outcome k of action a.
  static int OutcomeDirection(int action, int64_t k) { return k == 0 ? action : k == 1 ? (action + 3) % 4 : (action + 1) % 4; }

 protected:
  void DoReset(Rng& rng) override;
  StepInfo DoStep(std::span<const float> action, std::span<float> observation) override;
  void DoObservation(std::span<float> observation) const override;
  SimState DoGetState() const override;
  void DoSetState(std::span<const double> state) override;
  int64_t physics_state_size() const override { return 5; }
  void DoSetFromObservation(std::span<const float> observation) override;
  void DoOutcomeProbs(std::span<const float> action, std::span<float> probs) const override;
  StepInfo DoStepOutcome(std::span<const float> action, int64_t outcome, std::span<float> observation) override;

 private:
  bool Terminal() const;

  SlipperyGridOptions options_;
  int width_ = 0, height_ = 0, start_x_ = 0, start_y_ = 0;
  int x_ = 0, y_ = 0;
  uint64_t seed_ = 0;
  uint64_t draws_ = 0;
};

// Transitions for model training and tests: n rows from uniformly drawn non-terminal cells and uniform actions,
// each stepped with the env's own draw (Rng keyed by `seed` and the row), so every (cell, action) is covered.
struct GridTransitions {
  std::vector<float> obs, action, next_obs, reward, done;  // [n * 2], [n], [n * 2], [n], [n] (done 0 or 1)
};
GridTransitions SampleUniformTransitions(const SlipperyGridEnv& env, int64_t n, uint64_t seed);

}  // namespace augur::envs
