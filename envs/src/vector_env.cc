#include "augur/envs/vector_env.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include "augur/core/error.h"
#include "augur/envs/registry.h"

namespace augur::envs {

VectorEnv::VectorEnv(const Env& prototype, int64_t num_envs, VectorEnvOptions options) : options_(options) {
  if (num_envs < 1) throw ConfigError(StrCat("VectorEnv: num_envs = ", num_envs, " must be >= 1"));
  if (options.parallel_threshold < 0) {
    throw ConfigError(StrCat("VectorEnv: parallel_threshold = ", options.parallel_threshold, " must be >= 0"));
  }
  envs_.reserve(num_envs);
  for (int64_t i = 0; i < num_envs; ++i) envs_.push_back(prototype.Clone());
  seeds_.assign(num_envs, 0);
  episodes_.assign(num_envs, 0);
  const int64_t o = prototype.spec().obs_dim();
  result_.observations.assign(num_envs * o, 0.f);
  result_.final_observations.assign(num_envs * o, 0.f);
  result_.rewards.assign(num_envs, 0.0);
  result_.terminated.assign(num_envs, 0);
  result_.truncated.assign(num_envs, 0);
}

VectorEnv::VectorEnv(std::string_view id, int64_t num_envs, VectorEnvOptions options)
    : VectorEnv(*Make(id), num_envs, options) {}

const std::vector<float>& VectorEnv::Reset(std::span<const uint64_t> seeds) {
  if (static_cast<int64_t>(seeds.size()) != num_envs()) {
    throw ShapeError(StrCat("VectorEnv(", spec().id, "): Reset got ", seeds.size(), " seeds for ", num_envs(),
                            " envs; give one seed per env"));
  }
  const int64_t o = spec().obs_dim();
  for (int64_t i = 0; i < num_envs(); ++i) {
    envs_[i]->Reset(seeds[i]);
    envs_[i]->ObservationInto(std::span<float>(result_.observations).subspan(i * o, o));
    seeds_[i] = seeds[i];
    episodes_[i] = 0;
  }
  return result_.observations;
}

const std::vector<float>& VectorEnv::Reset(uint64_t seed) {
  std::vector<uint64_t> seeds(num_envs());
  for (int64_t i = 0; i < num_envs(); ++i) seeds[i] = StreamId({seed, static_cast<uint64_t>(i)});
  return Reset(seeds);
}

void VectorEnv::StepOne(int64_t i, std::span<const float> actions) {
  const int64_t o = spec().obs_dim(), a = spec().action_dim();
  std::span<float> obs = std::span<float>(result_.observations).subspan(i * o, o);
  StepInfo info;
  try {
    info = envs_[i]->StepInto(actions.subspan(i * a, a), obs);
  } catch (const ShapeError& e) {
    throw ShapeError(StrCat("VectorEnv env ", i, ": ", e.what()));
  } catch (const RangeError& e) {
    throw RangeError(StrCat("VectorEnv env ", i, ": ", e.what()));
  } catch (const StateError& e) {
    throw StateError(StrCat("VectorEnv env ", i, ": ", e.what()));
  }
  result_.rewards[i] = info.reward;
  result_.terminated[i] = info.terminated;
  result_.truncated[i] = info.truncated;
  if (options_.auto_reset && (info.terminated || info.truncated)) {
    std::copy(obs.begin(), obs.end(), result_.final_observations.begin() + i * o);
    ++episodes_[i];
    const uint64_t seed = StreamId({seeds_[i], episodes_[i]});
    envs_[i]->Reset(seed);
    envs_[i]->ObservationInto(obs);
  }
}

const VectorStepResult& VectorEnv::Step(std::span<const float> actions) {
  const int64_t n = num_envs(), a = spec().action_dim();
  if (static_cast<int64_t>(actions.size()) != n * a) {
    throw ShapeError(StrCat("VectorEnv(", spec().id, "): Step got ", actions.size(), " action values for ", n,
                            " envs x ", a, "; give [num_envs * action_dim] row-major"));
  }
  if (options_.parallel_threshold > 0 && n >= options_.parallel_threshold) {
    tbb::parallel_for(tbb::blocked_range<int64_t>(0, n, 64), [&](const tbb::blocked_range<int64_t>& r) {
      for (int64_t i = r.begin(); i != r.end(); ++i) StepOne(i, actions);
    });
  } else {
    for (int64_t i = 0; i < n; ++i) StepOne(i, actions);
  }
  return result_;
}

}  // namespace augur::envs
