// Test fixtures: a noisy 1-D sine with heteroscedastic noise as (obs, action) -> (next_obs, reward) transitions.
#pragma once

#include <ATen/ATen.h>

#include "augur/core/torch_rng.h"
#include "augur/models/transition_batch.h"

namespace augur::models::testing {

// Noise std of the delta-obs target at obs x.
inline at::Tensor SineNoiseStd(const at::Tensor& x) { return 0.05 + 0.1 * x.abs() / 3.0; }

// obs x ~ U[-3, 3] [N, 1], action a ~ U[-1, 1] [N, 1]; next_obs = x + sin(x) + 0.1 a + noise(x) * N(0, 1);
// reward = cos(x) + 0.05 * N(0, 1).
inline TransitionBatch NoisySine(int64_t n, uint64_t seed) {
  at::Generator gen = MakeCpuGenerator(seed, 99);
  TransitionBatch b;
  b.obs = at::rand({n, 1}, gen, at::kFloat) * 6 - 3;
  b.actions = at::rand({n, 1}, gen, at::kFloat) * 2 - 1;
  b.next_obs = b.obs + at::sin(b.obs) + 0.1 * b.actions + SineNoiseStd(b.obs) * at::randn({n, 1}, gen, at::kFloat);
  b.rewards = at::cos(b.obs.squeeze(1)) + 0.05 * at::randn({n}, gen, at::kFloat);
  b.terminals = at::zeros({n}, at::kFloat);
  return b;
}

}  // namespace augur::models::testing
