// A tiny deterministic chain MDP as an offline dataset, for sequence-model tests (header-only).
//
// States 0..4 on a line (obs = [position]), actions -1 (left) or +1 (right) (obs/actions as floats; the
// position is clamped to [0, 4]). Reward of a step: 1 when it ends in state 4, 0.1 for a left move that ends
// elsewhere, 0 otherwise. So the greedy choice at state 0 is left (0.1 > 0), but over 4 steps the best sequence
// is right, right, right, right (0 + 0 + 0 + 1 against 0.4).
#pragma once

#include <ATen/ATen.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "augur/core/rng.h"
#include "augur/data/dataset.h"

namespace augur::testing {

inline float ChainReward(float next, float action) {
  if (next >= 4.0f) return 1.0f;
  return action < 0 ? 0.1f : 0.0f;
}

inline float ChainStep(float x, float action) { return std::clamp(x + (action > 0 ? 1.0f : -1.0f), 0.0f, 4.0f); }

// `episodes` episodes of `length` steps from uniform random start states under a uniform random policy.
inline data::Dataset ChainDataset(int64_t episodes, int64_t length, uint64_t seed) {
  Rng rng(seed, 0);
  std::vector<float> obs, act, rew, next;
  std::vector<uint8_t> term, timeout;
  for (int64_t e = 0; e < episodes; ++e) {
    float x = static_cast<float>(rng.UniformInt(5));
    for (int64_t t = 0; t < length; ++t) {
      const float a = rng.UniformInt(2) == 0 ? -1.0f : 1.0f;
      const float y = ChainStep(x, a);
      obs.push_back(x), act.push_back(a), rew.push_back(ChainReward(y, a)), next.push_back(y);
      term.push_back(0), timeout.push_back(t + 1 == length);
      x = y;
    }
  }
  const int64_t n = static_cast<int64_t>(rew.size());
  auto b = [n](std::vector<uint8_t>& v) { return at::from_blob(v.data(), {n}, at::kByte).to(at::kBool); };
  return data::Dataset(at::from_blob(obs.data(), {n, 1}, at::kFloat).clone(),
                       at::from_blob(act.data(), {n, 1}, at::kFloat).clone(),
                       at::from_blob(rew.data(), {n}, at::kFloat).clone(), b(term), b(timeout),
                       at::from_blob(next.data(), {n, 1}, at::kFloat).clone());
}

}  // namespace augur::testing
