// VectorEnv: many copies of one env stepped together, batch-first.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "augur/envs/env.h"

namespace augur::envs {

struct VectorEnvOptions {
  // When an env terminates or is truncated, reset it within the same Step: the returned observation row is
  // the new start state and the last observation of the ended episode goes to final_observations. The
  // new seed is StreamId({seed of that env's last reset, episode index}). Default: off (the ended env
  // stays where it is until Reset).
  bool auto_reset = false;
  // Step the envs in parallel on TBB when there are at least this many (each env is independent, so the
  // results do not depend on the thread count). Default 512; 0 means never in parallel.
  int64_t parallel_threshold = 512;
};

// The arrays of one vector step, [N, ...] row-major. The buffers are reused between steps.
struct VectorStepResult {
  std::vector<float> observations;        // [N * obs_dim]
  std::vector<double> rewards;            // [N]
  std::vector<uint8_t> terminated;        // [N], 0 or 1
  std::vector<uint8_t> truncated;         // [N], 0 or 1
  std::vector<float> final_observations;  // [N * obs_dim], rows valid where the episode ended (auto-reset)
};

class VectorEnv {
 public:
  // N clones of `prototype` (its state is copied too). Throws ConfigError when num_envs < 1.
  VectorEnv(const Env& prototype, int64_t num_envs, VectorEnvOptions options = {});
  // N new envs of a registered id (NotFoundError for an unknown id).
  VectorEnv(std::string_view id, int64_t num_envs, VectorEnvOptions options = {});

  int64_t num_envs() const { return static_cast<int64_t>(envs_.size()); }
  const EnvSpec& spec() const { return envs_.front()->spec(); }
  Env& env(int64_t i) { return *envs_.at(i); }
  const Env& env(int64_t i) const { return *envs_.at(i); }

  // Resets env i with seeds[i] (size N, else ShapeError); returns the observations [N * obs_dim].
  const std::vector<float>& Reset(std::span<const uint64_t> seeds);
  // Resets env i with seed StreamId({seed, i}).
  const std::vector<float>& Reset(uint64_t seed);
  // actions: [N * action_dim] row-major (a discrete action is one float holding the index). A wrong size
  // throws ShapeError; an invalid action throws the env's error naming the env index.
  const VectorStepResult& Step(std::span<const float> actions);

 private:
  void StepOne(int64_t i, std::span<const float> actions);

  std::vector<std::unique_ptr<Env>> envs_;
  VectorEnvOptions options_;
  std::vector<uint64_t> seeds_;     // seed of each env's last reset
  std::vector<uint64_t> episodes_;  // episodes ended per env, for auto-reset seeds
  VectorStepResult result_;
};

}  // namespace augur::envs
