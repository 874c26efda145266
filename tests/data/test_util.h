// Helpers for the data tests: a toy collector and temporary directories.
#pragma once

#include <ATen/ATen.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <string>

#include "augur/core/rng.h"
#include "augur/data/dataset_builder.h"
#include "augur/data/episode.h"

namespace augur::data::testing {

inline std::string TestDataDir() { return std::string(AUGUR_SOURCE_DIR) + "/tests/data/testdata"; }
inline std::string SharedNeorl2Dir() { return std::string(AUGUR_SOURCE_DIR) + "/../shared/data/neorl2"; }

// A fresh directory under the build tree, removed at destruction.
class TempDir {
 public:
  TempDir() {
    static int counter = 0;
    path_ = std::filesystem::path(AUGUR_BINARY_DIR) / "tmp" /
            ("data_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// Episode `index` of a toy damped oscillator (obs dim 3, action dim 2) driven by random actions from
// Rng(seed, index): deterministic for (seed, index). Lengths vary; even episodes end terminal, odd ones cut.
inline Episode ToyEpisode(uint64_t seed, int64_t index, int64_t max_len = 40, int64_t sim_state_dim = 0) {
  Rng rng(seed, static_cast<uint64_t>(index));
  Episode ep;
  ep.episode_id = index;
  ep.seed = seed * 1000 + index;
  ep.obs_dim = 3;
  ep.action_dim = 2;
  ep.sim_state_dim = sim_state_dim;
  const int64_t len = 5 + static_cast<int64_t>(rng.UniformInt(static_cast<uint64_t>(max_len - 4)));
  float x[3] = {rng.Normal(), rng.Normal(), rng.Uniform()};
  for (int64_t t = 0; t < len; ++t) {
    const float a[2] = {rng.Uniform(-1.f, 1.f), rng.Uniform(-1.f, 1.f)};
    float nx[3] = {x[0] + 0.1f * x[1], 0.9f * x[1] - 0.1f * x[0] + 0.1f * a[0], x[2] + 0.05f * a[1]};
    ep.observations.insert(ep.observations.end(), x, x + 3);
    ep.actions.insert(ep.actions.end(), a, a + 2);
    ep.rewards.push_back(-(nx[0] * nx[0]) - 0.01f * (a[0] * a[0] + a[1] * a[1]));
    ep.next_observations.insert(ep.next_observations.end(), nx, nx + 3);
    for (int64_t k = 0; k < sim_state_dim; ++k) ep.sim_states.push_back(x[k % 3] + k);
    std::copy(nx, nx + 3, x);
  }
  ep.terminal = index % 2 == 0;
  ep.truncated = !ep.terminal;
  return ep;
}

// Collects `episodes` toy episodes step by step through a DatasetBuilder (as a collector would).
inline Dataset CollectToy(uint64_t seed, int64_t episodes, DatasetMetadata metadata = {}) {
  DatasetBuilder builder(3, 2);
  for (int64_t i = 0; i < episodes; ++i) {
    Episode ep = ToyEpisode(seed, i);
    for (int64_t t = 0; t < ep.length(); ++t) {
      const bool last = t + 1 == ep.length();
      builder.AddStep({ep.observations.data() + 3 * t, 3}, {ep.actions.data() + 2 * t, 2}, ep.rewards[t],
                      {ep.next_observations.data() + 3 * t, 3}, last && ep.terminal, last && ep.truncated);
    }
    builder.EndIncompleteEpisode();
  }
  return builder.Build(std::move(metadata));
}

inline DatasetMetadata ToyMetadata() {
  DatasetMetadata m;
  m.env_spec = EnvSpec{"Toy-v0", Box::Uniform(3, -10.f, 10.f), Box::Uniform(2, -1.f, 1.f), 40, 0.1, {}};
  m.source = "augur tests: toy oscillator";
  m.licence = "Apache-2.0";
  m.behaviour_policy = "uniform-random";
  m.extra = {{"note", "synthetic"}, {"seed", "7"}};
  return m;
}

inline bool Equal(const at::Tensor& a, const at::Tensor& b) {
  if (a.defined() != b.defined()) return false;
  return !a.defined() || (a.sizes() == b.sizes() && a.scalar_type() == b.scalar_type() && at::equal(a, b));
}

inline bool SameData(const Dataset& a, const Dataset& b) {
  return Equal(a.observations(), b.observations()) && Equal(a.actions(), b.actions()) &&
         Equal(a.rewards(), b.rewards()) && Equal(a.terminals(), b.terminals()) &&
         Equal(a.timeouts(), b.timeouts()) && Equal(a.next_observations(), b.next_observations()) &&
         Equal(a.sim_states(), b.sim_states()) && a.episode_starts() == b.episode_starts();
}

}  // namespace augur::data::testing
