// Experiment 1 of the RAVL issue: the edge-of-reach toy (envs/edge_of_reach.h) trained offline with the true
// dynamics and truncated rollouts, once with an unprotected critic (method "sac", one critic) and once with
// RAVL. Tracks the learned values on the whole state grid, split by reach distance from the data, so the
// overestimation at edge-of-reach states (never trained as states, only bootstrapped from) is visible.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "augur/core/executor.h"

namespace augur::agents::rl {

struct EdgeOfReachOptions {
  std::string method = "ravl";   // "ravl" or "sac" (or mopo / mobile: with the true model they act as sac)
  int critics = 0;               // 0: the method's default (ravl 10, sac 1)
  double eta = -1;               // < 0: the method's default
  int hidden = 32, layers = 2;   // tiny networks: the effect shows in seconds
  // Defaults chosen so the effect shows in about a thousand updates (the paper needs ~1M): a long horizon,
  // fast target updates (tau = 1: the target is the critic itself) and a small fixed entropy coefficient.
  double gamma = 0.99;
  double tau = 1.0;              // target soft-update factor
  double lr = 3e-3;              // actor, critic and alpha learning rates
  double alpha = 0.01;           // fixed entropy coefficient; 0: automatic tuning
  double reward_scale = 0.01;    // scales the toy's rewards (in [0, reward_scale])
  int64_t steps = 1500;
  int batch = 128;
  double real_ratio = 0.05;
  int rollout_length = 5;        // k: the edge of reach is at reach distance k
  int64_t rollout_starts = 256;
  int64_t rollout_every = 100;
  int64_t data_rows = 1000;      // one-step transitions from the data box
  int64_t log_every = 100;
  int grid = 41;                 // value grid resolution over the state box
  uint64_t seed = 0;
};

struct EdgeOfReachResult {
  std::string method;
  // No true soft value exceeds (reward_scale + alpha log 4) / (1 - gamma): rewards are at most reward_scale
  // and the entropy of a policy on the unit action box [-1, 1]^2 at most log 4 (alpha > 0 fixed; with
  // automatic tuning the reward part only).
  double bound = 0;
  std::vector<double> steps;     // log points
  std::vector<double> q_batch_max;   // max |Q| on the training batch
  std::vector<double> v_reach_max;   // max |V| over grid states reachable within k steps
  std::vector<double> v_edge_mean;   // mean V over grid states at reach distance exactly k (the edge)
  std::vector<double> v_inside_mean; // mean V over grid states inside the data box
  std::vector<double> v_by_reach;    // final mean V per reach distance 0 .. k
  std::vector<float> grid_values;    // final V on the grid, [grid * grid], row-major over (y, x)
  bool diverged = false;         // training stopped on a non-finite loss
  int64_t final_step = 0;
  double max_abs_value() const;  // largest |V| or |Q| seen (infinity when diverged)
};

EdgeOfReachResult RunEdgeOfReach(const EdgeOfReachOptions& options, Executor& executor);

}  // namespace augur::agents::rl
