// Dataset: an offline dataset as columnar tensors plus an episode index and metadata.
//
// Field meanings follow D4RL and RLDS: row i is the transition (observations[i], actions[i]) -> rewards[i],
// next_observations[i]. `terminals[i]` says the MDP reached a terminal state (do not bootstrap past it);
// `timeouts[i]` says the episode was cut there by a time limit (bootstrap from next_observations[i]).
// Both are false inside an episode; an episode ends at a row where one of them is true, or at the end of the
// dataset (an incomplete last episode, both false).
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "augur/core/spaces.h"

namespace augur::data {

// What a dataset says about itself. Every field is optional except the dims implied by the tensors.
struct DatasetMetadata {
  std::optional<EnvSpec> env_spec;        // environment, when the source says which
  std::string source;                     // where the data came from (URL, path, "augur collect ...")
  std::string licence;                    // licence of the data, e.g. "Apache-2.0"
  std::string behaviour_policy;           // policy that collected it, e.g. "random", "sac-medium"
  std::map<std::string, std::string> extra;  // free-form key/value pairs, kept through every format

  bool operator==(const DatasetMetadata& other) const;
};

// Per-dimension summary of one column, for `augur info` and sanity checks.
struct ColumnStats {
  std::vector<double> mean, std, min, max;
};

class Dataset {
 public:
  Dataset() = default;
  // Takes the columns as they are (float32 contiguous CPU tensors; terminals/timeouts bool) and derives the
  // episode index from terminals | timeouts. `sim_states` may be undefined. Throws ShapeError on
  // inconsistent shapes or dtypes (Validate() checks values as well).
  Dataset(at::Tensor observations, at::Tensor actions, at::Tensor rewards, at::Tensor terminals,
          at::Tensor timeouts, at::Tensor next_observations, DatasetMetadata metadata = {},
          at::Tensor sim_states = {});

  int64_t size() const { return rewards_.defined() ? rewards_.size(0) : 0; }
  bool empty() const { return size() == 0; }
  int64_t obs_dim() const { return observations_.defined() ? observations_.size(1) : 0; }
  int64_t action_dim() const { return actions_.defined() ? actions_.size(1) : 0; }
  int64_t sim_state_dim() const { return sim_states_.defined() ? sim_states_.size(1) : 0; }

  const at::Tensor& observations() const { return observations_; }            // [N, O] float32
  const at::Tensor& actions() const { return actions_; }                      // [N, A] float32
  const at::Tensor& rewards() const { return rewards_; }                      // [N] float32
  const at::Tensor& terminals() const { return terminals_; }                  // [N] bool
  const at::Tensor& timeouts() const { return timeouts_; }                    // [N] bool
  const at::Tensor& next_observations() const { return next_observations_; }  // [N, O] float32
  const at::Tensor& sim_states() const { return sim_states_; }                // [N, K] float32 or undefined
  const DatasetMetadata& metadata() const { return metadata_; }
  DatasetMetadata& mutable_metadata() { return metadata_; }

  // Row offsets where episodes start, ascending, first 0; episode e is rows [starts[e], end(e)).
  const std::vector<int64_t>& episode_starts() const { return episode_starts_; }
  int64_t num_episodes() const { return static_cast<int64_t>(episode_starts_.size()); }
  int64_t EpisodeBegin(int64_t e) const;
  int64_t EpisodeEnd(int64_t e) const;
  int64_t EpisodeLength(int64_t e) const { return EpisodeEnd(e) - EpisodeBegin(e); }

  // Throws DataError naming the column and the first row holding NaN or Inf, ShapeError naming both shapes
  // when column lengths or dims disagree, DataError when metadata dims disagree with the tensors.
  void Validate() const;
  // Stable 128-bit hex digest of the tensor contents and episode index (not of the metadata): the same data
  // gives the same digest on every machine and run. Checkpoints store it to name their training data.
  std::string Digest() const;
  // The same data with an explicit episode index (e.g. incomplete episodes in the middle, from a record
  // file or a Concat). starts must begin at 0, ascend, and include every row after a terminal or time-out;
  // throws ConfigError otherwise.
  Dataset WithEpisodeStarts(std::vector<int64_t> starts) const;
  // Rows [begin, end) as a new dataset (views, no copy); episodes cut at `end` become incomplete.
  Dataset Slice(int64_t begin, int64_t end) const;
  // Episodes [first, last) as a new dataset.
  Dataset SliceEpisodes(int64_t first, int64_t last) const;
  // Sum of rewards per episode, [num_episodes] float64.
  std::vector<double> EpisodeReturns() const;
  // Per-dimension statistics of observations, actions or rewards.
  ColumnStats ObservationStats() const;
  ColumnStats ActionStats() const;
  ColumnStats RewardStats() const;
  // Multi-line human summary (sizes, episodes, returns, metadata), for `augur info`.
  std::string Summary() const;

 private:
  at::Tensor observations_, actions_, rewards_, terminals_, timeouts_, next_observations_, sim_states_;
  std::vector<int64_t> episode_starts_;
  DatasetMetadata metadata_;
};

// Rows of all datasets in order; metadata of the first. Throws ShapeError when dims differ.
Dataset Concat(const std::vector<Dataset>& datasets);

}  // namespace augur::data
