#include "augur/planners/mppi.h"

#include <algorithm>
#include <cmath>

#include "augur/core/error.h"

namespace augur {

void Mppi::Options::Validate() const {
  common.Validate("mppi");
  if (samples < 1) throw ConfigError(StrCat("mppi: samples = ", samples, " must be >= 1"));
  if (prior_samples < 0) throw ConfigError(StrCat("mppi: prior_samples = ", prior_samples, " must be >= 0"));
  const int64_t total = samples + (prior ? prior_samples : 0);
  if (elites < 1 || elites > total) {
    throw ConfigError(StrCat("mppi: elites = ", elites, " must be in [1, samples + prior samples = ", total, "]"));
  }
  if (!(temperature > 0.0)) throw ConfigError(StrCat("mppi: temperature = ", temperature, " must be > 0"));
  if (!(init_std > 0.0)) throw ConfigError(StrCat("mppi: init_std = ", init_std, " must be > 0"));
  if (!(min_std >= 0.0)) throw ConfigError(StrCat("mppi: min_std = ", min_std, " must be >= 0"));
  if (!(max_std >= min_std)) {
    throw ConfigError(StrCat("mppi: max_std = ", max_std, " must be >= min_std = ", min_std));
  }
}

Mppi::Mppi(std::shared_ptr<SequenceEvaluator> evaluator, Executor& executor, Options options)
    : SamplingPlanner("mppi", std::move(evaluator), executor, options.common), o_(std::move(options)) {
  o_.Validate();
}

void Mppi::Allocate() {
  const int64_t HA = horizon_ * action_dim_;
  const int64_t total = o_.samples + prior_count();
  std_.assign(HA, 0.f);
  samples_.assign(total * HA, 0.f);
  returns_.assign(total, 0.f);
  index_.assign(total, 0);
  weight_.assign(o_.elites, 0.0);
}

void Mppi::BeginPlan() {
  const int64_t HA = horizon_ * action_dim_;
  for (int64_t i = 0; i < HA; ++i) std_[i] = static_cast<float>(o_.init_std) * half_range_[i % action_dim_];
  if (prior_count() > 0) {
    const std::span<float> prior(samples_.data(), prior_count() * HA);
    o_.prior(obs_, prior_count(), horizon_, StreamId({seed_, plan_index_, 0x5052494Full}), prior);
    ClipToBounds(prior);
  }
}

bool Mppi::Iterate(int64_t iteration) {
  const int64_t HA = horizon_ * action_dim_, A = action_dim_;
  const int64_t first = prior_count(), total = first + o_.samples;
  Rng rng = IterationRng(iteration);
  for (int64_t s = first; s < total; ++s) {
    float* seq = samples_.data() + s * HA;
    for (int64_t i = 0; i < HA; ++i) seq[i] = mean_[i] + std_[i] * rng.Normal();
  }
  ClipToBounds(std::span<float>(samples_.data() + first * HA, o_.samples * HA));
  if (!EvaluateSequences(samples_, total, iteration, returns_)) return false;

  TopK(returns_, total, o_.elites, index_);
  const double best = returns_[index_[0]];
  double sum = 0.0, value = 0.0;
  for (int64_t e = 0; e < o_.elites; ++e) {
    const double r = returns_[index_[e]];
    weight_[e] = std::isnan(r) ? 0.0 : std::exp((r - best) / o_.temperature);
    sum += weight_[e];
    value += weight_[e] * (std::isnan(r) ? 0.0 : r);
  }
  if (!(sum > 0.0)) return true;  // every return NaN: keep the previous mean
  for (int64_t e = 0; e < o_.elites; ++e) weight_[e] /= sum;
  for (int64_t i = 0; i < HA; ++i) {
    double m = 0.0;
    for (int64_t e = 0; e < o_.elites; ++e) m += weight_[e] * samples_[index_[e] * HA + i];
    double v = 0.0;
    for (int64_t e = 0; e < o_.elites; ++e) {
      const double d = samples_[index_[e] * HA + i] - m;
      v += weight_[e] * d * d;
    }
    const double h = half_range_[i % A];
    mean_[i] = static_cast<float>(m);
    std_[i] = static_cast<float>(std::clamp(std::sqrt(v), o_.min_std * h, o_.max_std * h));
  }
  std::copy(mean_.begin(), mean_.end(), plan_.begin());
  plan_return_ = value / sum;
  return true;
}

}  // namespace augur
