#include "augur/core/world_model.h"

#include <ATen/ATen.h>

#include "augur/core/error.h"
#include "augur/core/objective.h"

namespace augur {

void WorldModel::StepCpu(const CpuStep&) const {
  AUGUR_CHECK(false) << "StepCpu called on model type '" << spec().type << "' which has no CPU path";
}

void ValueFunction::ValueCpu(int64_t, const float*, float*, Scratch&) const {
  AUGUR_CHECK(false) << "ValueCpu called on a value function without a CPU path";
}

Transition RunCpuStepOnTensors(const at::Tensor& state, const at::Tensor& action, int64_t state_dim,
                               const std::function<void(CpuStep&)>& run) {
  const at::Tensor s = state.contiguous(), a = action.contiguous();
  const int64_t rows = s.size(0);
  Transition out;
  out.next_state = at::empty({rows, state_dim});
  out.reward = at::empty({rows});
  at::Tensor done = at::empty({rows});
  CpuStep step;
  step.rows = rows;
  step.state = s.data_ptr<float>();
  step.action = a.data_ptr<float>();
  step.next_state = out.next_state.data_ptr<float>();
  step.reward = out.reward.data_ptr<float>();
  step.done = done.data_ptr<float>();
  run(step);
  out.done = done.gt(0.5f);
  return out;
}

void CheckMatrix(const at::Tensor& t, int64_t rows, int64_t cols, const std::string& what) {
  if (!t.defined()) throw ShapeError(StrCat(what, " is undefined; pass a [", rows < 0 ? "B" : std::to_string(rows),
                                            ", ", cols, "] float tensor"));
  if (t.dim() != 2 || t.size(1) != cols || (rows >= 0 && t.size(0) != rows)) {
    throw ShapeError(StrCat(what, " has shape ", t.sizes(), " but must be [", rows < 0 ? "B" : std::to_string(rows),
                            ", ", cols, "]"));
  }
  if (t.scalar_type() != at::kFloat) {
    throw ShapeError(StrCat(what, " has dtype ", t.scalar_type(), " but must be float32"));
  }
}

void Objective::Validate(int64_t state_dim) const {
  if (!(discount > 0.0 && discount <= 1.0)) {
    throw ConfigError(StrCat("objective: discount = ", discount, " must be in (0, 1]"));
  }
  if (!(uncertainty_weight >= 0.0)) {
    throw ConfigError(StrCat("objective: uncertainty_weight = ", uncertainty_weight, " must be >= 0"));
  }
  if (!(goal_weight >= 0.0)) throw ConfigError(StrCat("objective: goal_weight = ", goal_weight, " must be >= 0"));
  if (!goal.empty() && state_dim >= 0 && static_cast<int64_t>(goal.size()) != state_dim) {
    throw ShapeError(StrCat("objective: goal has ", goal.size(), " values but the model's state has ", state_dim));
  }
  if (goal_weight > 0 && goal.empty()) {
    throw ConfigError("objective: goal_weight > 0 but no goal is set; set Objective::goal");
  }
  if (terminal_value && state_dim >= 0 && terminal_value->state_dim() != state_dim) {
    throw ShapeError(StrCat("objective: terminal value takes states of ", terminal_value->state_dim(),
                            " values but the model's state has ", state_dim));
  }
}

}  // namespace augur
