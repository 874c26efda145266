// The true-model planner for envs whose observation does not determine the simulator state (the MuJoCo
// locomotion envs omit the x position): a SequenceEvaluator that restarts per-worker clones of the env from
// the full simulator state (envs::SimState: qpos, qvel, ...) and an MPC agent that hands it that state before
// every plan. This is the upper bound of every benchmark table and the expert behind the graded datasets.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "augur/agents/agent.h"
#include "augur/core/executor.h"
#include "augur/core/planner.h"
#include "augur/envs/env.h"

namespace augur::agents {

// Scores action sequences by stepping clones of a reference env from a start simulator state. The return of
// a sequence is the sum of the env's rewards (times discount^t) until the env terminates; nothing after a
// termination counts, so sequences that fall are worse than those that stay healthy. Deterministic.
// Parallel over the Executor: sequences in chunks of `chunk`, one env clone per worker (restarted with
// SetState, never cloned per rollout). Not thread-safe itself.
class SimStateEvaluator : public SequenceEvaluator {
 public:
  SimStateEvaluator(const envs::Env& prototype, double discount = 1.0, int64_t chunk = 4);
  ~SimStateEvaluator() override;

  int64_t obs_dim() const override { return prototype_->spec().obs_dim(); }
  int64_t action_dim() const override { return prototype_->spec().action_dim(); }
  int64_t state_dim() const override { return prototype_->spec().obs_dim(); }
  Box action_bounds() const override;

  // The start of the next SetStart (and so of the next plan).
  void SetSimState(std::span<const double> state);
  // Starts from the state given to SetSimState; without one, from the observation when the env can be set
  // from it (classic control), else throws StateError saying to call SetSimState.
  void SetStart(std::span<const float> obs) override;
  bool Evaluate(std::span<const float> actions, int64_t n, int64_t horizon, uint64_t seed, uint64_t iteration,
                std::span<float> returns, Executor& executor, std::optional<Clock::time_point> deadline) override;
  // Observations along the sequence; after a termination the last observation is repeated.
  void PredictStates(std::span<const float> actions, int64_t horizon, std::span<float> states) override;

 private:
  envs::Env& WorkerEnv(int worker);

  std::unique_ptr<envs::Env> prototype_;
  std::vector<std::unique_ptr<envs::Env>> workers_;  // one per Executor worker, grown on demand
  envs::SimState start_;
  std::vector<double> pending_;
  bool has_pending_ = false;
  double discount_;
  int64_t chunk_;
};

// MPC with a sampling planner ("icem:...", "cem:...", "mppi:...", "rs:...") on the true simulator. Use it
// through Evaluate or CollectWithAgent, which pass the simulator state (wants_sim_state()).
class TrueModelMpcAgent : public Agent {
 public:
  // Throws NotFoundError / ConfigError for a bad planner spec.
  TrueModelMpcAgent(const envs::Env& prototype, std::string_view planner_spec, Executor& executor,
                    MpcAgent::Options options = {});
  ~TrueModelMpcAgent() override;

  std::string name() const override;
  void Reset(uint64_t seed) override { mpc_->Reset(seed); }
  std::vector<float> Act(std::span<const float> obs) override { return mpc_->Act(obs); }
  bool wants_sim_state() const override { return true; }
  void ObserveSimState(std::span<const double> state) override { evaluator_->SetSimState(state); }
  const PlanResult& last_plan() const { return mpc_->last_plan(); }

 private:
  std::shared_ptr<SimStateEvaluator> evaluator_;
  std::unique_ptr<MpcAgent> mpc_;
};

// Another agent whose actions are perturbed: with probability `random_prob` a uniformly random action,
// else the agent's action plus Gaussian noise of stddev sigma * (high - low) / 2, clipped to the box.
// Randomness from Rng(episode seed, a fixed stream). Forwards the simulator state to the inner agent.
class NoisyAgent : public Agent {
 public:
  struct Options {
    double random_prob = 0.0;  // in [0, 1]
    double sigma = 0.0;        // >= 0, in half-widths of the action box
    void Validate() const;     // ConfigError naming the field
  };
  NoisyAgent(std::shared_ptr<Agent> inner, const Box& action_box, Options options);

  std::string name() const override;
  void Reset(uint64_t seed) override;
  std::vector<float> Act(std::span<const float> obs) override;
  bool wants_sim_state() const override { return inner_->wants_sim_state(); }
  void ObserveSimState(std::span<const double> state) override { inner_->ObserveSimState(state); }
  // Changes the noise between episodes (medium-replay's schedule).
  void set_options(const Options& options);

 private:
  std::shared_ptr<Agent> inner_;
  Box box_;
  Options options_;
  Rng rng_;
};

}  // namespace augur::agents
