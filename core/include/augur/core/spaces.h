// Observation and action spaces and the environment spec, as plain C++ values (no protobuf, no tensors).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

namespace augur {

// A box in R^n: low[i] <= x[i] <= high[i]. Infinite bounds are allowed (+-infinity).
struct Box {
  std::vector<float> low, high;

  int64_t dim() const { return static_cast<int64_t>(low.size()); }
  bool Contains(std::span<const float> x) const;
  // Clamps x into the box in place.
  void Clip(std::span<float> x) const;
  // A box of dim n with the same bound in every dimension.
  static Box Uniform(int64_t n, float low, float high);
};

// n choices, {0, ..., n - 1}. As a tensor a discrete value is one float holding the index.
struct Discrete {
  int64_t n = 0;
};

using Space = std::variant<Box, Discrete>;

bool IsDiscrete(const Space& space);
// Number of floats a value of the space occupies in a batch row: Box -> dim, Discrete -> 1.
int64_t FlatDim(const Space& space);
// "Box(3, [-1, 1])", "Discrete(4)".
std::string ToString(const Space& space);
// Throws ConfigError naming `what` when the space is empty or low > high somewhere.
void Validate(const Space& space, const std::string& what);
bool operator==(const Box& a, const Box& b);
bool operator==(const Discrete& a, const Discrete& b);

// What a planner, model or dataset needs to know about an environment.
struct EnvSpec {
  std::string id;              // registry id, e.g. "Pendulum-v1"
  Space observation;           // observation space
  Space action;                // action space
  int max_steps = 0;           // time limit (truncation), 0 = none
  double dt = 0.0;             // seconds of simulated time per step (0 if not meaningful)
  std::optional<double> reward_threshold;  // return at which the task counts as solved, when defined

  int64_t obs_dim() const { return FlatDim(observation); }
  int64_t action_dim() const { return FlatDim(action); }
  // Throws ConfigError on an empty id or an invalid space.
  void Validate() const;
};

}  // namespace augur
