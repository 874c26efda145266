// Agent: anything that maps an observation to an action in an episode (an MPC agent, a behaviour policy,
// a learned policy).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "augur/core/budget.h"
#include "augur/core/planner.h"
#include "augur/core/rng.h"

namespace augur::envs {
class Policy;
}

namespace augur::agents {

class Agent {
 public:
  virtual ~Agent() = default;
  virtual std::string name() const = 0;
  // Called at the start of every episode with that episode's seed.
  virtual void Reset(uint64_t seed) = 0;
  // The action for `obs` ([action_dim] floats; a discrete action is one float holding the index).
  virtual std::vector<float> Act(std::span<const float> obs) = 0;
  // Agents that plan with the true simulator (TrueModelMpcAgent) get the env's full simulator state
  // (envs::SimState) before every Act: Evaluate and CollectWithAgent call ObserveSimState when this is true.
  virtual bool wants_sim_state() const { return false; }
  virtual void ObserveSimState(std::span<const double> state) {}
};

// The budget of one planning call from its two knobs: `iterations` (0 = the planner spec's own `iters`, or
// until the deadline) and `deadline_ms` (0 = none). Throws ConfigError on negative values.
Budget PlanBudget(int64_t iterations, double deadline_ms);

// Model-predictive control: replan from every observation and execute the plan's first action.
class MpcAgent : public Agent {
 public:
  struct Options {
    // Planner iterations per action; 0 = the planner spec's own `iters` (or, with a deadline and iters=0 in
    // the spec, until the deadline).
    int64_t iterations = 0;
    double deadline_ms = 0;   // wall-time budget per action in milliseconds; 0 = none
    // Throws ConfigError on negative values.
    void Validate() const;
  };

  MpcAgent(std::shared_ptr<Planner> planner, Options options);

  std::string name() const override;
  void Reset(uint64_t seed) override;
  std::vector<float> Act(std::span<const float> obs) override;

  // The plan behind the last action (predicted trajectory, statistics).
  const PlanResult& last_plan() const { return last_plan_; }
  Planner& planner() { return *planner_; }

 private:
  Budget MakeBudget() const;

  std::shared_ptr<Planner> planner_;
  Options options_;
  PlanResult last_plan_;
};

// A behaviour policy from envs/ (random, expert, medium, ...) as an agent: the baselines of every table.
class PolicyAgent : public Agent {
 public:
  explicit PolicyAgent(std::unique_ptr<envs::Policy> policy);
  ~PolicyAgent() override;
  std::string name() const override;
  void Reset(uint64_t seed) override;
  std::vector<float> Act(std::span<const float> obs) override;

 private:
  std::unique_ptr<envs::Policy> policy_;
  Rng rng_;
};

}  // namespace augur::agents
