// Evaluator: what MCTS asks about a leaf, as in OpenSpiel's mcts.h: a value and a prior policy for a batch of
// states. Random rollouts through a world model and a learned value function are two evaluators of one
// interface; MCTS never knows which it has.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "augur/core/world_model.h"

namespace augur {
class Scratch;
class ValueFunction;
}  // namespace augur

namespace augur::search {

class Evaluator {
 public:
  virtual ~Evaluator() = default;
  virtual int64_t state_dim() const = 0;
  virtual int64_t num_actions() const = 0;  // K
  // states [B, S] row-major -> values [B] (discounted return from the state on) and priors [B, K] (each row
  // sums to 1; K = 0: no priors, for progressive widening over continuous actions). Random draws come from streams
  // keyed by (seed, key, row), so the result depends on neither threads nor call order. `scratch` is the calling
  // worker's (slots kPlannerSlots + 32 and above are the evaluator's). Returns the model transitions it predicted (for
  // PlanResult::evaluations).
  virtual int64_t Evaluate(std::span<const float> states, int64_t batch, uint64_t seed, uint64_t key,
                           std::span<float> values, std::span<float> priors, Scratch& scratch) = 0;
};

// Value 0 and a uniform prior for every state: measures the tree's own overhead. num_actions may be 0 (values only).
class NullEvaluator : public Evaluator {
 public:
  NullEvaluator(int64_t state_dim, int64_t num_actions);
  int64_t state_dim() const override { return state_dim_; }
  int64_t num_actions() const override { return num_actions_; }
  int64_t Evaluate(std::span<const float> states, int64_t batch, uint64_t seed, uint64_t key, std::span<float> values,
                   std::span<float> priors, Scratch& scratch) override;

 private:
  int64_t state_dim_, num_actions_;
};

// Uniform-random rollouts of `depth` steps through a WorldModel's fused CPU path: the B * R rollout rows of one
// call step together (one StepCpu per step). value = mean over the R rollouts of sum_t discount^t r_t, stopping
// at a predicted termination. Discrete actions: uniform over K, prior uniform. Continuous (Box with finite
// bounds): uniform in the box, num_actions() = 0 (no prior).
class RolloutEvaluator : public Evaluator {
 public:
  struct Options {
    int64_t depth = 20;      // steps per rollout, >= 0 (0: value 0)
    int64_t rollouts = 1;    // rollouts per state, >= 1
    double discount = 0.99;  // per-step discount in (0, 1]
    void Validate() const;   // ConfigError naming the field
  };
  // Throws ConfigError when the model is null, has no CPU path or a box with an infinite bound.
  RolloutEvaluator(std::shared_ptr<const WorldModel> model, Options options);
  int64_t state_dim() const override { return model_->spec().state_dim; }
  int64_t num_actions() const override { return num_actions_; }
  int64_t Evaluate(std::span<const float> states, int64_t batch, uint64_t seed, uint64_t key, std::span<float> values,
                   std::span<float> priors, Scratch& scratch) override;

 private:
  std::shared_ptr<const WorldModel> model_;
  Options options_;
  int64_t num_actions_ = 0;        // K, 0 for a Box
  std::vector<float> low_, high_;  // the box (continuous)
};

// A learned (or known) value function as the leaf value, with a uniform prior (no policy head yet). Needs
// the value function's CPU path.
class ValueEvaluator : public Evaluator {
 public:
  ValueEvaluator(std::shared_ptr<const ValueFunction> value, int64_t num_actions);
  int64_t state_dim() const override;
  int64_t num_actions() const override { return num_actions_; }
  int64_t Evaluate(std::span<const float> states, int64_t batch, uint64_t seed, uint64_t key, std::span<float> values,
                   std::span<float> priors, Scratch& scratch) override;

 private:
  std::shared_ptr<const ValueFunction> value_;
  int64_t num_actions_;
};

// K of a Discrete action space; throws ConfigError naming `who` and the space when it is continuous.
int64_t DiscreteActions(const ModelSpec& spec, const char* who);

}  // namespace augur::search
