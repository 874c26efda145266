// Episode: one episode as plain row-major float vectors, the unit collectors append and record files store.
#pragma once

#include <cstdint>
#include <vector>

namespace augur::data {

struct Episode {
  int64_t episode_id = 0;                  // collector's index of the episode
  uint64_t seed = 0;                       // reset seed, when known
  int64_t obs_dim = 0;                     // O
  int64_t action_dim = 0;                  // A
  int64_t sim_state_dim = 0;               // K, 0 when no simulator states are stored
  std::vector<float> observations;         // [T * O]
  std::vector<float> actions;              // [T * A]
  std::vector<float> rewards;              // [T]
  std::vector<float> next_observations;    // [T * O]
  std::vector<float> sim_states;           // [T * K] or empty
  bool terminal = false;                   // last step reached a terminal state
  bool truncated = false;                  // last step was cut by a time limit

  int64_t length() const { return static_cast<int64_t>(rewards.size()); }
  // Throws ShapeError naming the episode and the field whose size is not T times its dim.
  void CheckShapes() const;
  bool operator==(const Episode& other) const = default;
};

}  // namespace augur::data
