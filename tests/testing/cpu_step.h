// Test helper: sampled steps of a model's fused CPU path.
#pragma once

#include <cstdint>
#include <vector>

#include "augur/core/rng.h"
#include "augur/core/world_model.h"

namespace augur::testing {

// Next states [rows * S] of `rows` copies of (state, action) (one discrete action index) under StepCpu with an
// Rng keyed by `seed`.
inline std::vector<float> SampledNextStates(const WorldModel& model, const std::vector<float>& state, float action,
                                           int64_t rows, uint64_t seed) {
  const int64_t s = static_cast<int64_t>(state.size());
  std::vector<float> states, actions(rows, action), next(rows * s), reward(rows), done(rows);
  for (int64_t r = 0; r < rows; ++r) states.insert(states.end(), state.begin(), state.end());
  Rng rng(seed);
  CpuStep step{.rows = rows, .state = states.data(), .action = actions.data(), .rng = &rng,
               .next_state = next.data(), .reward = reward.data(), .done = done.data()};
  model.StepCpu(step);
  return next;
}

}  // namespace augur::testing
