// What a planner maximizes over a predicted trajectory:
//   sum_t discount^t * (reward_t - uncertainty_weight * uncertainty_t - goal_weight * ||s_{t+1} - goal||)
//   + discount^H * terminal_weight * V(s_H)
// Rewards after a predicted termination are not counted (and V is not added) when stop_at_done is set.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <memory>
#include <vector>

namespace augur {

class Scratch;

// A learned (or known) state value, used as a terminal value by planners and as a leaf value by search.
class ValueFunction {
 public:
  virtual ~ValueFunction() = default;
  virtual int64_t state_dim() const = 0;
  // [B, S] -> [B].
  virtual at::Tensor Value(const at::Tensor& state) const = 0;
  virtual bool has_cpu_path() const { return false; }
  // Raw-buffer form: state [rows, S] -> out [rows]; no allocation once scratch has grown.
  virtual void ValueCpu(int64_t rows, const float* state, float* out, Scratch& scratch) const;
};

struct Objective {
  double discount = 1.0;            // per-step discount in (0, 1]
  double uncertainty_weight = 0.0;  // lambda >= 0: MOPO-style penalty on the model's uncertainty signal
  std::vector<float> goal;          // empty: no goal term; else [S], a target state (or latent)
  double goal_weight = 0.0;         // >= 0, weight of the Euclidean distance to the goal per step
  std::shared_ptr<const ValueFunction> terminal_value;  // null: no terminal value
  double terminal_weight = 1.0;     // weight of V(s_H)
  bool stop_at_done = true;         // ignore everything after a predicted termination

  // Plain sum of predicted rewards.
  static Objective Reward() { return Objective{}; }
  // Reward minus lambda * uncertainty (MOPO's penalty with the ensemble's max std norm).
  static Objective Penalized(double lambda) {
    Objective o;
    o.uncertainty_weight = lambda;
    return o;
  }
  // Negative distance to `goal` (reward ignored unless reward_weight stays 1; see goal_weight).
  static Objective Goal(std::vector<float> goal, double weight = 1.0) {
    Objective o;
    o.goal = std::move(goal);
    o.goal_weight = weight;
    return o;
  }

  // Throws ConfigError naming the field when a value is out of range or the goal does not have
  // `state_dim` entries (state_dim < 0 skips that check).
  void Validate(int64_t state_dim = -1) const;
};

}  // namespace augur
