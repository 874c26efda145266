// Evaluation: run an agent for several episodes from seeded starts and report returns, normalized scores
// and time per action.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace augur {
class Progress;
}
namespace augur::envs {
class Env;
}

namespace augur::agents {

class Agent;

// Returns of a random and an expert policy for an env, for D4RL-style normalized scores:
// 100 * (R - random) / (expert - random).
struct ReferenceReturns {
  double random = 0.0;
  double expert = 0.0;
  std::string source;  // where the numbers come from
};

// Reference returns for an env id, when augur has them: augur's own random / expert measurements for
// classic control, D4RL's for the MuJoCo locomotion envs, NeoRL-2's normalization for DMSD.
std::optional<ReferenceReturns> ReferenceFor(std::string_view env_id);
double NormalizedScore(double ret, const ReferenceReturns& ref);

struct EvaluationOptions {
  int episodes = 10;        // episodes to run (>= 1)
  uint64_t seed = 0;        // episode e resets the env with StreamId({seed, e})
  int max_steps = 0;        // steps per episode; 0 = the env's time limit
  bool record_trajectory = true;  // keep the first episode's observations, actions, rewards and plans
  void Validate() const;
};

struct EpisodeResult {
  uint64_t seed = 0;
  double ret = 0.0;
  int steps = 0;
  bool terminated = false;
  double mean_action_ms = 0.0;
  double max_action_ms = 0.0;
};

struct EvaluationReport {
  std::string env_id;
  std::string agent;
  std::vector<EpisodeResult> episodes;
  double mean_return = 0.0, std_return = 0.0;
  std::optional<double> normalized_mean, normalized_std;   // when the env has reference returns
  double mean_action_ms = 0.0, p50_action_ms = 0.0, p99_action_ms = 0.0;
  // First episode, when recorded: [T * O], [T * A], [T].
  std::vector<float> observations, actions;
  std::vector<double> rewards;
  int64_t obs_dim = 0, action_dim = 0;
};

// Runs `agent` in clones of `prototype`. Progress counts episodes.
EvaluationReport Evaluate(const envs::Env& prototype, Agent& agent, const EvaluationOptions& options,
                          Progress* progress = nullptr);

nlohmann::json ToJson(const EvaluationReport& report);

}  // namespace augur::agents
