// A trained SAC policy as an Agent (for augur eval), and its critics as a ValueFunction (the terminal value
// of short-horizon MPPI / CEM through Objective::terminal_value, as in TD-MPC2).
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "augur/agents/agent.h"
#include "augur/agents/rl/sac.h"
#include "augur/core/objective.h"

namespace augur::agents::rl {

// Acts with the policy's mean action (tanh of the Gaussian mean), the usual evaluation of SAC.
class SacAgent : public Agent {
 public:
  SacAgent(std::shared_ptr<const Sac> sac, std::string name);
  // Loads a checkpoint written by augur train-agent (throws as Sac::Load).
  static std::unique_ptr<SacAgent> Load(const std::string& path);
  std::string name() const override { return name_; }
  void Reset(uint64_t) override {}
  std::vector<float> Act(std::span<const float> obs) override;

 private:
  std::shared_ptr<const Sac> sac_;
  std::string name_;
};

// V(s) = min over the critics of Q(s, pi_mean(s)) (Sac::Value). No gradient; thread-safe for inference.
// ValueCpu is the planners' fused path (raw float rows, Eigen GEMMs on float32 copies of the actor and critic
// weights taken at construction: build the value function after training), equal to Value to float rounding.
class SacValueFunction : public ValueFunction {
 public:
  explicit SacValueFunction(std::shared_ptr<const Sac> sac);
  ~SacValueFunction() override;
  int64_t state_dim() const override;
  at::Tensor Value(const at::Tensor& state) const override;
  bool has_cpu_path() const override { return true; }
  void ValueCpu(int64_t rows, const float* state, float* out, Scratch& scratch) const override;

 private:
  struct Layer;
  std::shared_ptr<const Sac> sac_;
  std::vector<Layer> actor_;                 // obs -> hidden ... -> 2A (mean first)
  std::vector<std::vector<Layer>> critics_;  // per critic: obs ++ unit action -> hidden ... -> 1
  int64_t hidden_max_ = 0;
};

}  // namespace augur::agents::rl
