#include "augur/planners/cem.h"

#include <algorithm>
#include <cmath>
#include <span>

#include "augur/core/error.h"

namespace augur {

void Cem::Options::Validate() const {
  common.Validate("cem");
  if (pop < 2) throw ConfigError(StrCat("cem: pop = ", pop, " must be >= 2"));
  if (elites < 1 || elites > pop)
    throw ConfigError(StrCat("cem: elites = ", elites, " must be in [1, pop = ", pop, "]"));
  if (!(alpha >= 0.0 && alpha < 1.0)) throw ConfigError(StrCat("cem: alpha = ", alpha, " must be in [0, 1)"));
  if (!(init_std > 0.0)) throw ConfigError(StrCat("cem: init_std = ", init_std, " must be > 0"));
  if (!(min_std >= 0.0)) throw ConfigError(StrCat("cem: min_std = ", min_std, " must be >= 0"));
}

Cem::Cem(std::shared_ptr<SequenceEvaluator> evaluator, Executor& executor, Options options)
    : SamplingPlanner("cem", std::move(evaluator), executor, options.common), o_(options) {
  o_.Validate();
}

void Cem::Allocate() {
  const int64_t HA = horizon_ * action_dim_;
  std_.assign(HA, 0.f);
  samples_.assign(o_.pop * HA, 0.f);
  returns_.assign(o_.pop, 0.f);
  index_.assign(o_.pop, 0);
}

void Cem::BeginPlan() {
  for (int64_t i = 0; i < horizon_ * action_dim_; ++i) {
    std_[i] = static_cast<float>(o_.init_std) * half_range_[i % action_dim_];
  }
}

bool Cem::Iterate(int64_t iteration) {
  const int64_t HA = horizon_ * action_dim_;
  Rng rng = IterationRng(iteration);
  // Bulk normals (Rng::FillNormal, vectorized) in sample order, then scaled and shifted per position.
  rng.FillNormal(std::span<float>(samples_.data(), static_cast<size_t>(o_.pop * HA)));
  for (int64_t s = 0; s < o_.pop; ++s) {
    float* seq = samples_.data() + s * HA;
    for (int64_t i = 0; i < HA; ++i) seq[i] = mean_[i] + std_[i] * seq[i];
  }
  ClipToBounds(samples_);
  if (!EvaluateSequences(samples_, o_.pop, iteration, returns_)) return false;
  TopK(returns_, o_.pop, o_.elites, index_);
  const float a = static_cast<float>(o_.alpha);
  const float k = static_cast<float>(o_.elites);
  for (int64_t i = 0; i < HA; ++i) {
    float m = 0.f;
    for (int64_t e = 0; e < o_.elites; ++e) m += samples_[index_[e] * HA + i];
    m /= k;
    float v = 0.f;
    for (int64_t e = 0; e < o_.elites; ++e) {
      const float d = samples_[index_[e] * HA + i] - m;
      v += d * d;
    }
    const float sd = std::sqrt(v / k);
    mean_[i] = a * mean_[i] + (1.f - a) * m;
    std_[i] = std::max(a * std_[i] + (1.f - a) * sd, static_cast<float>(o_.min_std) * half_range_[i % action_dim_]);
  }
  double elite_return = 0.0;
  for (int64_t e = 0; e < o_.elites; ++e) elite_return += returns_[index_[e]];
  std::copy(mean_.begin(), mean_.end(), plan_.begin());
  plan_return_ = elite_return / o_.elites;
  return true;
}

}  // namespace augur
