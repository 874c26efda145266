// DatasetBuilder: appends episodes step by step (collectors use it) and produces a Dataset.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "augur/data/dataset.h"
#include "augur/data/episode.h"

namespace augur::data {

class DatasetBuilder {
 public:
  // Dims of every step; sim_state_dim 0 means no simulator states. Throws ConfigError on dims < 1.
  DatasetBuilder(int64_t obs_dim, int64_t action_dim, int64_t sim_state_dim = 0);

  // Adds one step to the episode in flight. Throws ShapeError when a span has the wrong length.
  // terminal/truncated end the episode (the next AddStep starts a new one).
  void AddStep(std::span<const float> observation, std::span<const float> action, float reward,
               std::span<const float> next_observation, bool terminal, bool truncated,
               std::span<const float> sim_state = {});
  // Adds a whole episode (e.g. read from a record file). Throws StateError if an episode is in flight.
  void AddEpisode(const Episode& episode);
  // Steps of the episode in flight (not yet ended by terminal/truncated).
  int64_t steps_in_flight() const { return current_.length(); }
  // Ends the episode in flight without a terminal or time-out flag (an incomplete episode), if any.
  void EndIncompleteEpisode();
  // Finished episodes, oldest first (a collector may stream episodes().back() to a RecordWriter).
  const std::vector<Episode>& episodes() const { return episodes_; }
  int64_t num_steps() const { return num_steps_; }

  // All finished episodes (and the one in flight, as incomplete) as a Dataset.
  Dataset Build(DatasetMetadata metadata = {}) const;

 private:
  int64_t obs_dim_, action_dim_, sim_state_dim_;
  std::vector<Episode> episodes_;
  Episode current_;
  int64_t num_steps_ = 0;
};

// Episode e of a dataset as an Episode (copies).
Episode GetEpisode(const Dataset& dataset, int64_t e);
// Builds a dataset from episodes (copies).
Dataset FromEpisodes(const std::vector<Episode>& episodes, int64_t obs_dim, int64_t action_dim,
                     DatasetMetadata metadata = {});

}  // namespace augur::data
