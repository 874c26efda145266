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

namespace augur::envs {
class Env;
}

namespace augur::agents {

class Agent;

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

struct AgentCollectOptions {
  int64_t episodes = 1;           // episodes to collect (>= 0)
  int64_t first_episode = 0;      // episode ids first_episode, first_episode + 1, ... (continuing a file)
  uint64_t seed = 0;              // episode e resets with StreamId({seed, e}) and calls agent.Reset(that seed)
  int max_steps = 0;              // steps per episode; 0 = the env's time limit
  bool record_sim_states = true;  // store the full simulator state of every step
  std::function<void(int64_t)> before_episode;  // optional: called with the episode id before each episode
};

// Runs `agent` (an MPC agent, a noisy expert, a learned policy...) in a clone of `prototype` and hands every
// finished episode to `sink`, as Collect does for behaviour policies. Agents that want the simulator state
// (wants_sim_state) get it before every action. Returns the number of steps.
int64_t CollectWithAgent(const envs::Env& prototype, Agent& agent, const AgentCollectOptions& options,
                         const std::function<void(const data::Episode&)>& sink, Progress* progress = nullptr);

}  // namespace augur::agents
