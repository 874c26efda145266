#include "augur/planners/random_shooting.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "augur/core/error.h"

namespace augur {

void RandomShooting::Options::Validate() const {
  common.Validate("rs");
  if (pop < 1) throw ConfigError(StrCat("rs: pop = ", pop, " must be >= 1"));
}

RandomShooting::RandomShooting(std::shared_ptr<SequenceEvaluator> evaluator, Executor& executor, Options options)
    : SamplingPlanner("rs", std::move(evaluator), executor, options.common), o_(options) {
  o_.Validate();
}

void RandomShooting::Allocate() {
  const int64_t HA = horizon_ * action_dim_;
  samples_.assign((o_.pop + 1) * HA, 0.f);
  returns_.assign(o_.pop + 1, 0.f);
}

void RandomShooting::BeginPlan() { best_ = -std::numeric_limits<double>::infinity(); }

bool RandomShooting::Iterate(int64_t iteration) {
  const int64_t HA = horizon_ * action_dim_, A = action_dim_;
  Rng rng = IterationRng(iteration);
  for (int64_t i = 0; i < o_.pop * HA; ++i) {
    const int64_t a = i % A;
    samples_[i] = center_[a] + half_range_[a] * (2.f * rng.Uniform() - 1.f);
  }
  int64_t n = o_.pop;
  if (iteration == 0) {
    std::copy(mean_.begin(), mean_.end(), samples_.begin() + n * HA);  // the shifted previous best
    ++n;
  }
  ClipToBounds(std::span<float>(samples_.data(), n * HA));
  if (!EvaluateSequences(samples_, n, iteration, returns_)) return false;
  for (int64_t s = 0; s < n; ++s) {
    if (!std::isnan(returns_[s]) && returns_[s] > best_) {
      best_ = returns_[s];
      std::copy_n(samples_.data() + s * HA, HA, plan_.data());
      plan_return_ = best_;
    }
  }
  return true;
}

void RandomShooting::EndPlan() { std::copy(plan_.begin(), plan_.end(), mean_.begin()); }

}  // namespace augur
