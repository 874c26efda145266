#include "augur/planners/icem.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "augur/core/error.h"

namespace augur {

void Icem::Options::Validate() const {
  common.Validate("icem");
  if (pop < 2) throw ConfigError(StrCat("icem: pop = ", pop, " must be >= 2"));
  if (elites < 1 || elites > pop) {
    throw ConfigError(StrCat("icem: elites = ", elites, " must be in [1, pop = ", pop, "]"));
  }
  if (!(beta >= 0.0)) throw ConfigError(StrCat("icem: beta = ", beta, " must be >= 0"));
  if (!(decay >= 1.0)) throw ConfigError(StrCat("icem: decay = ", decay, " must be >= 1"));
  if (!(keep >= 0.0 && keep <= 1.0)) throw ConfigError(StrCat("icem: keep = ", keep, " must be in [0, 1]"));
  if (!(alpha >= 0.0 && alpha < 1.0)) throw ConfigError(StrCat("icem: alpha = ", alpha, " must be in [0, 1)"));
  if (!(init_std > 0.0)) throw ConfigError(StrCat("icem: init_std = ", init_std, " must be > 0"));
  if (!(min_std >= 0.0)) throw ConfigError(StrCat("icem: min_std = ", min_std, " must be >= 0"));
}

Icem::Icem(std::shared_ptr<SequenceEvaluator> evaluator, Executor& executor, Options options)
    : SamplingPlanner("icem", std::move(evaluator), executor, options.common),
      o_((options.Validate(), options)),
      keep_count_(static_cast<int64_t>(std::floor(options.keep * options.elites))),
      noise_(options.common.horizon, options.beta) {}

int64_t Icem::PopulationAt(int64_t iteration) const {
  const double shrunk = static_cast<double>(o_.pop) / std::pow(o_.decay, static_cast<double>(iteration));
  return std::min(o_.pop, std::max<int64_t>(static_cast<int64_t>(shrunk), 2 * o_.elites));
}

void Icem::Allocate() {
  const int64_t HA = horizon_ * action_dim_;
  const int64_t capacity = o_.pop + keep_count_ + 1;
  std_.assign(HA, 0.f);
  samples_.assign(capacity * HA, 0.f);
  returns_.assign(capacity, 0.f);
  index_.assign(capacity, 0);
  kept_seq_.assign(std::max<int64_t>(keep_count_, 1) * HA, 0.f);
}

void Icem::BeginPlan() {
  for (int64_t i = 0; i < horizon_ * action_dim_; ++i) {
    std_[i] = static_cast<float>(o_.init_std) * half_range_[i % action_dim_];
  }
  ShiftSequences(kept_seq_, kept_);  // elites of the previous Plan, one step on
  best_ = -std::numeric_limits<double>::infinity();
}

bool Icem::Iterate(int64_t iteration) {
  const int64_t HA = horizon_ * action_dim_, A = action_dim_;
  const int64_t sampled = PopulationAt(iteration);
  Rng rng = IterationRng(iteration);
  for (int64_t s = 0; s < sampled; ++s) {
    float* seq = samples_.data() + s * HA;
    for (int64_t a = 0; a < A; ++a) noise_.Sample(rng, seq + a, A);
    for (int64_t i = 0; i < HA; ++i) seq[i] = mean_[i] + std_[i] * seq[i];
  }
  int64_t n = sampled;
  std::copy(kept_seq_.begin(), kept_seq_.begin() + kept_ * HA, samples_.begin() + n * HA);
  n += kept_;
  std::copy(mean_.begin(), mean_.end(), samples_.begin() + n * HA);
  ++n;
  ClipToBounds(std::span<float>(samples_.data(), n * HA));
  if (!EvaluateSequences(samples_, n, iteration, returns_)) return false;

  const int64_t k = std::min(o_.elites, n);
  TopK(returns_, n, k, index_);
  const float a = static_cast<float>(o_.alpha);
  for (int64_t i = 0; i < HA; ++i) {
    float m = 0.f;
    for (int64_t e = 0; e < k; ++e) m += samples_[index_[e] * HA + i];
    m /= static_cast<float>(k);
    float v = 0.f;
    for (int64_t e = 0; e < k; ++e) {
      const float d = samples_[index_[e] * HA + i] - m;
      v += d * d;
    }
    const float sd = std::sqrt(v / static_cast<float>(k));
    mean_[i] = a * mean_[i] + (1.f - a) * m;
    std_[i] = std::max(a * std_[i] + (1.f - a) * sd, static_cast<float>(o_.min_std) * half_range_[i % A]);
  }
  kept_ = std::min(keep_count_, k);
  for (int64_t e = 0; e < kept_; ++e) {
    std::copy_n(samples_.data() + index_[e] * HA, HA, kept_seq_.data() + e * HA);
  }
  const float top = returns_[index_[0]];
  if (!std::isnan(top) && top > best_) {
    best_ = top;
    std::copy_n(samples_.data() + index_[0] * HA, HA, plan_.data());
    plan_return_ = top;
  }
  return true;
}

}  // namespace augur
