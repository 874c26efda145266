#include "augur/search/evaluator.h"

#include <algorithm>
#include <cmath>

#include "augur/core/error.h"
#include "augur/core/executor.h"
#include "augur/core/objective.h"
#include "augur/core/rng.h"

namespace augur::search {
namespace {
// Evaluator scratch slots (kPlannerSlots + 32 and above; Mcts uses kPlannerSlots .. +31).
constexpr int kStates = kPlannerSlots + 32;
constexpr int kNext = kPlannerSlots + 33;
constexpr int kActions = kPlannerSlots + 34;
constexpr int kReward = kPlannerSlots + 35;
constexpr int kDone = kPlannerSlots + 36;
constexpr int kReturn = kPlannerSlots + 37;
constexpr int kScale = kPlannerSlots + 38;

void UniformPriors(int64_t batch, int64_t k, std::span<float> priors) {
  if (k == 0) return;
  std::fill(priors.begin(), priors.begin() + batch * k, 1.f / static_cast<float>(k));
}
}  // namespace

int64_t DiscreteActions(const ModelSpec& spec, const char* who) {
  if (!IsDiscrete(spec.action_space)) {
    throw ConfigError(StrCat(who, ": the model's action space ", ToString(spec.action_space),
                             " is continuous; this rule needs a Discrete action space (use a continuous planner "
                             "such as cem or icem, or discretize the actions)"));
  }
  const int64_t k = std::get<Discrete>(spec.action_space).n;
  if (k < 1) throw ConfigError(StrCat(who, ": the model's action space Discrete(", k, ") is empty"));
  return k;
}

NullEvaluator::NullEvaluator(int64_t state_dim, int64_t num_actions)
    : state_dim_(state_dim), num_actions_(num_actions) {
  if (num_actions < 0) throw ConfigError(StrCat("NullEvaluator: num_actions = ", num_actions, " must be >= 0"));
}

// Plain loops, not memset calls (a search with one leaf in flight calls this once per simulation with one row).
__attribute__((optimize("no-tree-loop-distribute-patterns"))) int64_t NullEvaluator::Evaluate(
    std::span<const float>, int64_t batch, uint64_t, uint64_t, std::span<float> values, std::span<float> priors,
    Scratch&) {
  for (int64_t i = 0; i < batch; ++i) values[i] = 0.f;
  const float p = num_actions_ > 0 ? 1.f / static_cast<float>(num_actions_) : 0.f;
  for (int64_t i = 0; i < batch * num_actions_; ++i) priors[i] = p;
  return 0;
}

void RolloutEvaluator::Options::Validate() const {
  if (depth < 0) throw ConfigError(StrCat("RolloutEvaluator: depth = ", depth, " must be >= 0"));
  if (rollouts < 1) throw ConfigError(StrCat("RolloutEvaluator: rollouts = ", rollouts, " must be >= 1"));
  if (!(discount > 0.0 && discount <= 1.0)) {
    throw ConfigError(StrCat("RolloutEvaluator: discount = ", discount, " must be in (0, 1]"));
  }
}

RolloutEvaluator::RolloutEvaluator(std::shared_ptr<const WorldModel> model, Options options)
    : model_(std::move(model)), options_(options) {
  if (!model_) throw ConfigError("RolloutEvaluator: model is null");
  options_.Validate();
  const Space& space = model_->spec().action_space;
  if (IsDiscrete(space)) {
    num_actions_ = DiscreteActions(model_->spec(), "RolloutEvaluator");
  } else {
    const Box& box = std::get<Box>(space);
    for (int64_t i = 0; i < box.dim(); ++i) {
      if (!std::isfinite(box.low[i]) || !std::isfinite(box.high[i])) {
        throw ConfigError(StrCat("RolloutEvaluator: random actions are drawn in the model's box, but its bound ", i,
                                 " is [", box.low[i], ", ", box.high[i], "]; it needs finite bounds"));
      }
    }
    low_ = box.low;
    high_ = box.high;
  }
  if (!model_->has_cpu_path()) {
    throw ConfigError(
        StrCat("RolloutEvaluator: model '", model_->spec().type,
               "' has no fused CPU path (has_cpu_path() is false); the tensor path is not supported yet"));
  }
}

int64_t RolloutEvaluator::Evaluate(std::span<const float> states, int64_t batch, uint64_t seed, uint64_t key,
                                   std::span<float> values, std::span<float> priors, Scratch& scratch) {
  UniformPriors(batch, num_actions_, priors);
  const int64_t s_dim = model_->spec().state_dim, r_count = options_.rollouts, rows = batch * r_count;
  std::fill(values.begin(), values.begin() + batch, 0.f);
  if (options_.depth == 0 || batch == 0) return 0;
  std::span<float> cur = scratch.Floats(kStates, rows * s_dim);
  std::span<float> next = scratch.Floats(kNext, rows * s_dim);
  const int64_t a_dim = num_actions_ > 0 ? 1 : static_cast<int64_t>(low_.size());
  std::span<float> act = scratch.Floats(kActions, rows * a_dim);
  std::span<float> rew = scratch.Floats(kReward, rows);
  std::span<float> done = scratch.Floats(kDone, rows);
  std::span<float> ret = scratch.Floats(kReturn, rows);
  std::span<float> scale = scratch.Floats(kScale, rows);  // discount^t, 0 once done
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t r = 0; r < r_count; ++r) {
      std::copy_n(states.data() + b * s_dim, s_dim, cur.data() + (b * r_count + r) * s_dim);
    }
  }
  std::fill_n(ret.data(), rows, 0.f);
  std::fill_n(scale.data(), rows, 1.f);
  Rng rng(seed, StreamId({0x726f6c6cULL, key}));
  int64_t evaluations = 0;
  for (int64_t t = 0; t < options_.depth; ++t) {
    if (num_actions_ > 0) {
      for (int64_t i = 0; i < rows; ++i) act[i] = static_cast<float>(rng.UniformInt(num_actions_));
    } else {
      for (int64_t i = 0; i < rows * a_dim; ++i) act[i] = rng.Uniform(low_[i % a_dim], high_[i % a_dim]);
    }
    CpuStep step;
    step.rows = rows;
    step.state = cur.data();
    step.action = act.data();
    step.scratch = &scratch;
    step.next_state = next.data();
    step.reward = rew.data();
    step.done = done.data();
    model_->StepCpu(step);
    evaluations += rows;
    bool any_alive = false;
    for (int64_t i = 0; i < rows; ++i) {
      ret[i] += scale[i] * rew[i];
      scale[i] = done[i] > 0.5f ? 0.f : scale[i] * static_cast<float>(options_.discount);
      any_alive |= scale[i] > 0.f;
    }
    std::swap(cur, next);
    if (!any_alive) break;
  }
  for (int64_t b = 0; b < batch; ++b) {
    double sum = 0.0;
    for (int64_t r = 0; r < r_count; ++r) sum += ret[b * r_count + r];
    values[b] = static_cast<float>(sum / static_cast<double>(r_count));
  }
  return evaluations;
}

ValueEvaluator::ValueEvaluator(std::shared_ptr<const ValueFunction> value, int64_t num_actions)
    : value_(std::move(value)), num_actions_(num_actions) {
  if (!value_) throw ConfigError("ValueEvaluator: value function is null");
  if (!value_->has_cpu_path()) {
    throw ConfigError("ValueEvaluator: the value function has no CPU path (has_cpu_path() is false)");
  }
  if (num_actions < 1) throw ConfigError(StrCat("ValueEvaluator: num_actions = ", num_actions, " must be >= 1"));
}

int64_t ValueEvaluator::state_dim() const { return value_->state_dim(); }

int64_t ValueEvaluator::Evaluate(std::span<const float> states, int64_t batch, uint64_t, uint64_t,
                                 std::span<float> values, std::span<float> priors, Scratch& scratch) {
  UniformPriors(batch, num_actions_, priors);
  value_->ValueCpu(batch, states.data(), values.data(), scratch);
  return 0;
}

}  // namespace augur::search
