// Collecting offline datasets: run a behaviour policy in a reference env and stream every finished episode
// to a record file (fsynced per episode, so a killed collector loses at most the episode in flight).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "augur/data/dataset.h"
#include "augur/data/episode.h"

namespace augur {
class Progress;
}

namespace augur::agents {

struct CollectOptions {
  std::string env = "Pendulum-v1";  // registered env id
  std::string policy = "mixed";     // behaviour policy spec (envs::MakePolicy): random, medium, expert, mixed, ...
  int episodes = 100;               // episodes to collect (>= 1)
  uint64_t seed = 0;                // episode e resets with StreamId({seed, e}); the same seed gives the same data
  int max_steps = 0;                // steps per episode; 0 = the env's time limit
  bool record_sim_states = true;    // store the full simulator state of every step (for true-model replays)
  void Validate() const;
};

// Runs the collection and hands every finished episode to `sink` (in order). Returns the number of steps.
int64_t Collect(const CollectOptions& options, const std::function<void(const data::Episode&)>& sink,
                Progress* progress = nullptr);

// Collects into memory.
data::Dataset CollectDataset(const CollectOptions& options, Progress* progress = nullptr);

// Collects into a record file at `path` (created; or appended to when `append`, continuing the episode
// numbering and seeds after the episodes already there). Returns the dataset's metadata as written.
data::DatasetMetadata CollectToFile(const CollectOptions& options, const std::string& path, bool append,
                                    Progress* progress = nullptr);

}  // namespace augur::agents
