// Replay: checks a recorded dataset against the simulator, transition by transition (`augur replay`).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "augur/envs/env.h"

namespace augur::envs {

struct ReplayOptions {
  // Absolute tolerance for the next observation (every component) and the reward. Default 1e-5.
  double atol = 1e-5;
  // How many of the worst rows to report. Default 10; 0 reports none.
  int worst_rows = 10;
  // Throws ConfigError when atol is negative or NaN, or worst_rows < 0.
  void Validate() const;
};

// One row among the worst: its index, the field with the largest error and that error.
struct ReplayMismatch {
  int64_t row = 0;
  std::string field;    // "next_obs[i]", "reward" or "terminal"
  double error = 0;     // max abs error; 1 for a terminal flag that differs
  bool matched = true;  // whether the whole row matched within atol
};

// Fractions in [0, 1] of rows whose field matched within atol; all_match: every field of the row did.
struct ReplayReport {
  int64_t rows = 0;
  double obs_match = 0, reward_match = 0, done_match = 0, all_match = 0;
  double max_obs_error = 0, max_reward_error = 0;
  int64_t mismatched_rows = 0;
  std::vector<ReplayMismatch> worst;  // sorted by error, largest first (ties: lower row first)
  // "rows=..., next_obs 100.00%, reward ..., terminal ..., all ..." plus one line per worst row.
  std::string ToString() const;
};

// Steps `env` from every recorded (obs, action) after SetFromObservation and compares the result with the
// recorded next_obs, reward and terminal (nonzero = terminated). Column views, row-major:
// obs and next_obs [rows * obs_dim], actions [rows * action_dim] (discrete: the index), rewards and
// terminals [rows]. Throws ShapeError when a column does not have that size, StateError when the env
// cannot be set from an observation, and the env's RangeError (naming the row) for an invalid action.
ReplayReport Replay(Env& env, std::span<const float> obs, std::span<const float> actions,
                    std::span<const float> next_obs, std::span<const float> rewards, std::span<const float> terminals,
                    int64_t rows, const ReplayOptions& options = {});

// The same with a new env of a registered id.
ReplayReport Replay(std::string_view env_id, std::span<const float> obs, std::span<const float> actions,
                    std::span<const float> next_obs, std::span<const float> rewards, std::span<const float> terminals,
                    int64_t rows, const ReplayOptions& options = {});

}  // namespace augur::envs
