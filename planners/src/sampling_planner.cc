#include "augur/planners/sampling_planner.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "augur/core/error.h"

namespace augur {

void SamplingOptions::Validate(const std::string& who) const {
  if (horizon < 1) throw ConfigError(StrCat(who, ": horizon = ", horizon, " must be >= 1"));
  if (iters < 0) throw ConfigError(StrCat(who, ": iters = ", iters, " must be >= 0 (0: until the deadline)"));
}

SamplingPlanner::SamplingPlanner(std::string name, std::shared_ptr<SequenceEvaluator> evaluator, Executor& executor,
                                 const SamplingOptions& options)
    : evaluator_(std::move(evaluator)), executor_(executor), options_(options), name_(std::move(name)) {
  if (!evaluator_) throw ConfigError(StrCat("planner '", name_, "': the sequence evaluator is null"));
  options_.Validate(name_);
  horizon_ = options_.horizon;
  action_dim_ = evaluator_->action_dim();
  const Box box = evaluator_->action_bounds();
  if (box.dim() != action_dim_) {
    throw ShapeError(
        StrCat("planner '", name_, "': action bounds have ", box.dim(), " dimensions but actions have ", action_dim_));
  }
  low_ = box.low;
  high_ = box.high;
  center_.resize(action_dim_);
  half_range_.resize(action_dim_);
  for (int64_t a = 0; a < action_dim_; ++a) {
    if (!(low_[a] <= high_[a])) {
      throw ConfigError(StrCat("planner '", name_, "': action bound ", a, " has low ", low_[a], " > high ", high_[a]));
    }
    const bool finite = std::isfinite(low_[a]) && std::isfinite(high_[a]);
    center_[a] = finite ? 0.5f * (low_[a] + high_[a]) : std::clamp(0.f, low_[a], high_[a]);
    half_range_[a] = finite ? 0.5f * (high_[a] - low_[a]) : 1.f;
  }
  seed_ = options_.seed;
}

void SamplingPlanner::Reset(uint64_t seed) {
  seed_ = seed;
  plan_index_ = 0;
  has_warm_start_ = false;
  OnReset();
}

Rng SamplingPlanner::IterationRng(int64_t iteration) const {
  return Rng(seed_, StreamId({plan_index_, static_cast<uint64_t>(iteration)}));
}

void SamplingPlanner::ClipToBounds(std::span<float> sequences) const {
  const int64_t A = action_dim_;
  for (size_t i = 0; i < sequences.size(); ++i) {
    const int64_t a = static_cast<int64_t>(i) % A;
    sequences[i] = std::clamp(sequences[i], low_[a], high_[a]);
  }
}

void SamplingPlanner::ShiftSequences(std::span<float> sequences, int64_t count) const {
  const int64_t A = action_dim_, H = horizon_;
  for (int64_t s = 0; s < count; ++s) {
    float* seq = sequences.data() + s * H * A;
    std::copy(seq + A, seq + H * A, seq);
    std::copy(center_.begin(), center_.end(), seq + (H - 1) * A);
  }
}

bool SamplingPlanner::EvaluateSequences(std::span<const float> sequences, int64_t n, int64_t iteration,
                                        std::span<float> returns) {
  if (budget_->Expired()) return false;
  const bool complete = evaluator_->Evaluate(sequences, n, horizon_, StreamId({seed_, plan_index_}),
                                             static_cast<uint64_t>(iteration), returns, executor_, budget_->deadline);
  if (complete) evaluations_ += n * horizon_ * evaluator_->rows_per_sequence();
  return complete;
}

void SamplingPlanner::DoPlan(std::span<const float> obs, const Budget& budget, PlanResult& out) {
  const int64_t HA = horizon_ * action_dim_;
  if (!allocated_) {
    mean_.assign(HA, 0.f);
    plan_.assign(HA, 0.f);
    obs_.assign(obs.size(), 0.f);
    Allocate();
    allocated_ = true;
  }
  std::copy(obs.begin(), obs.end(), obs_.begin());
  evaluator_->SetStart(obs);
  if (has_warm_start_) {
    ShiftSequences(mean_, 1);
  } else {
    for (int64_t t = 0; t < horizon_; ++t) std::copy(center_.begin(), center_.end(), mean_.begin() + t * action_dim_);
  }
  std::copy(mean_.begin(), mean_.end(), plan_.begin());
  plan_return_ = std::numeric_limits<double>::quiet_NaN();
  budget_ = &budget;
  evaluations_ = 0;
  BeginPlan();

  const int64_t target = budget.iterations > 0 ? budget.iterations : options_.iters;
  int64_t done = 0;
  bool cut_short = false;
  while (target == 0 || done < target) {
    if (budget.Expired()) {
      cut_short = target > 0;
      break;
    }
    if (!Iterate(done)) {
      cut_short = true;
      break;
    }
    ++done;
  }
  EndPlan();
  budget_ = nullptr;
  has_warm_start_ = true;
  ++plan_index_;

  out.plan.resize(HA);
  std::copy(plan_.begin(), plan_.end(), out.plan.begin());
  out.action.resize(action_dim_);
  std::copy(plan_.begin(), plan_.begin() + action_dim_, out.action.begin());
  if (options_.predict_states) {
    out.predicted_states.resize((horizon_ + 1) * evaluator_->state_dim());
    evaluator_->PredictStates(plan_, horizon_, out.predicted_states);
  } else {
    out.predicted_states.clear();
  }
  out.predicted_return = plan_return_;
  out.iterations = done;
  out.evaluations = evaluations_;
  out.cut_short = cut_short;
}

void TopK(std::span<const float> returns, int64_t n, int64_t k, std::span<int64_t> index) {
  AUGUR_CHECK_GE(static_cast<int64_t>(index.size()), n);
  AUGUR_CHECK(k >= 0 && k <= n) << "k = " << k << ", n = " << n;
  std::iota(index.begin(), index.begin() + n, int64_t{0});
  auto better = [&returns](int64_t a, int64_t b) {
    const float ra = returns[a], rb = returns[b];
    const bool na = std::isnan(ra), nb = std::isnan(rb);
    if (na != nb) return nb;  // a non-NaN return beats NaN
    if (!na && ra != rb) return ra > rb;
    return a < b;
  };
  std::partial_sort(index.begin(), index.begin() + k, index.begin() + n, better);
}

}  // namespace augur
