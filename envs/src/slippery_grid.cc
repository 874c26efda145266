// Facts: the slippery transition model (intended move 0.8, each perpendicular 0.1, blocked moves stay) is
// Russell & Norvig's 4x3 grid world (AIMA, ch. 17); the action order (left, down, right, up), the map letters
// and the slippery set {a - 1, a, a + 1} with absorbing terminals follow Gymnasium's
// gymnasium/envs/toy_text/frozen_lake.py. The cliff map is augur's own (after Sutton & Barto's cliff walking).
#include "augur/envs/slippery_grid.h"

#include <cmath>

#include "augur/core/error.h"

namespace augur::envs {
namespace {

EnvSpec GridSpec(const SlipperyGridOptions& o) {
  o.Validate();
  EnvSpec spec;
  spec.id = "SlipperyGrid-v0";
  const float w = static_cast<float>(o.map[0].size() - 1), h = static_cast<float>(o.map.size() - 1);
  spec.observation = Box{{0.f, 0.f}, {w, h}};
  spec.action = Discrete{4};
  spec.max_steps = o.max_steps;
  return spec;
}

}  // namespace

void SlipperyGridOptions::Validate() const {
  if (map.empty() || map[0].empty()) throw ConfigError("SlipperyGrid: map is empty; give at least one row");
  int starts = 0, goals = 0;
  for (size_t y = 0; y < map.size(); ++y) {
    if (map[y].size() != map[0].size()) {
      throw ConfigError(StrCat("SlipperyGrid: map row ", y, " has ", map[y].size(), " cells but row 0 has ",
                               map[0].size(), "; the map must be rectangular"));
    }
    for (char c : map[y]) {
      if (c == 'S') ++starts;
      if (c == 'G') ++goals;
      if (c != 'S' && c != 'G' && c != 'H' && c != '.' && c != '#') {
        throw ConfigError(StrCat("SlipperyGrid: map row ", y, " holds '", std::string(1, c),
                                 "'; cells are S (start), . (free), H (hole), G (goal) or # (wall)"));
      }
    }
  }
  if (starts != 1) throw ConfigError(StrCat("SlipperyGrid: the map has ", starts, " start cells 'S'; give exactly one"));
  if (goals < 1) throw ConfigError("SlipperyGrid: the map has no goal cell 'G'");
  if (!(success_prob >= 0.0 && success_prob <= 1.0)) {
    throw ConfigError(StrCat("SlipperyGrid: success_prob = ", success_prob, " must be in [0, 1]"));
  }
  if (max_steps < 1) throw ConfigError(StrCat("SlipperyGrid: max_steps = ", max_steps, " must be >= 1"));
}

SlipperyGridEnv::SlipperyGridEnv(SlipperyGridOptions options) : Env(GridSpec(options)), options_(std::move(options)) {
  height_ = static_cast<int>(options_.map.size());
  width_ = static_cast<int>(options_.map[0].size());
  for (int y = 0; y < height_; ++y) {
    for (int x = 0; x < width_; ++x) {
      if (Cell(x, y) == 'S') start_x_ = x, start_y_ = y;
    }
  }
}

void SlipperyGridEnv::Move(int x, int y, int d, int* nx, int* ny) const {
  const int tx = x + kDx[d], ty = y + kDy[d];
  const bool blocked = tx < 0 || tx >= width_ || ty < 0 || ty >= height_ || Cell(tx, ty) == '#';
  *nx = blocked ? x : tx;
  *ny = blocked ? y : ty;
}

bool SlipperyGridEnv::Terminal() const { return Cell(x_, y_) == 'H' || Cell(x_, y_) == 'G'; }

void SlipperyGridEnv::DoReset(Rng& rng) {
  x_ = start_x_;
  y_ = start_y_;
  seed_ = rng.NextU64();
  draws_ = 0;
}

void SlipperyGridEnv::DoOutcomeProbs(std::span<const float>, std::span<float> probs) const {
  if (Terminal()) {
    probs[0] = 1.f;
    probs[1] = probs[2] = 0.f;
    return;
  }
  probs[0] = static_cast<float>(options_.success_prob);
  probs[1] = probs[2] = static_cast<float>((1.0 - options_.success_prob) / 2);
}

StepInfo SlipperyGridEnv::DoStepOutcome(std::span<const float> action, int64_t outcome, std::span<float> observation) {
  StepInfo info;
  if (Terminal()) {
    info.terminated = true;  // absorbing: stay, reward 0
  } else {
    Move(x_, y_, OutcomeDirection(static_cast<int>(action[0]), outcome), &x_, &y_);
    const char c = Cell(x_, y_);
    info.terminated = c == 'H' || c == 'G';
    info.reward = c == 'G' ? options_.goal_reward : c == 'H' ? options_.hole_reward : options_.step_reward;
  }
  DoObservation(observation);
  return info;
}

StepInfo SlipperyGridEnv::DoStep(std::span<const float> action, std::span<float> observation) {
  float probs[kOutcomes];
  DoOutcomeProbs(action, probs);
  Rng rng(seed_, StreamId({draws_++}));
  const float u = rng.Uniform();
  int64_t k = 0;
  float cumulative = probs[0];
  while (k + 1 < kOutcomes && u >= cumulative) cumulative += probs[++k];
  return DoStepOutcome(action, k, observation);
}

void SlipperyGridEnv::DoObservation(std::span<float> observation) const {
  observation[0] = static_cast<float>(x_);
  observation[1] = static_cast<float>(y_);
}

SimState SlipperyGridEnv::DoGetState() const {
  return {static_cast<double>(x_), static_cast<double>(y_), static_cast<double>(seed_ >> 32),
          static_cast<double>(seed_ & 0xffffffffULL), static_cast<double>(draws_)};
}

void SlipperyGridEnv::DoSetState(std::span<const double> state) {
  for (int i = 0; i < 2; ++i) {
    const int limit = i == 0 ? width_ : height_;
    if (state[i] != std::floor(state[i]) || state[i] < 0 || state[i] >= limit) {
      throw RangeError(StrCat(spec().id, ": SetState cell coordinate [", i, "] = ", state[i],
                              " is not an integer in [0, ", limit, ")"));
    }
  }
  x_ = static_cast<int>(state[0]);
  y_ = static_cast<int>(state[1]);
  seed_ = (static_cast<uint64_t>(state[2]) << 32) | static_cast<uint64_t>(state[3]);
  draws_ = static_cast<uint64_t>(state[4]);
}

void SlipperyGridEnv::DoSetFromObservation(std::span<const float> observation) {
  // The nearest cell (model states are close to, not exactly on, the grid).
  const int x = static_cast<int>(std::lround(observation[0])), y = static_cast<int>(std::lround(observation[1]));
  if (x < 0 || x >= width_ || y < 0 || y >= height_) {
    throw RangeError(StrCat(spec().id, ": observation (", observation[0], ", ", observation[1],
                            ") is outside the ", width_, " x ", height_, " grid"));
  }
  x_ = x;
  y_ = y;
  draws_ = 0;
}

std::vector<std::array<float, 2>> SlipperyGridEnv::NonTerminalCells() const {
  std::vector<std::array<float, 2>> cells;
  for (int y = 0; y < height_; ++y) {
    for (int x = 0; x < width_; ++x) {
      const char c = Cell(x, y);
      if (c == '.' || c == 'S') cells.push_back({static_cast<float>(x), static_cast<float>(y)});
    }
  }
  return cells;
}

GridTransitions SampleUniformTransitions(const SlipperyGridEnv& prototype, int64_t n, uint64_t seed) {
  const auto cells = prototype.NonTerminalCells();
  auto env = prototype.Clone();
  GridTransitions t;
  t.obs.resize(2 * n);
  t.next_obs.resize(2 * n);
  t.action.resize(n);
  t.reward.resize(n);
  t.done.resize(n);
  Rng rng(seed, StreamId({0x9d1d}));
  for (int64_t i = 0; i < n; ++i) {
    const auto& cell = cells[rng.UniformInt(cells.size())];
    const float a = static_cast<float>(rng.UniformInt(4));
    env->SetState({cell[0], cell[1], static_cast<double>(seed >> 32), static_cast<double>(seed & 0xffffffffULL),
                   static_cast<double>(i), 0.0});
    const StepInfo info = env->StepInto({&a, 1}, {t.next_obs.data() + 2 * i, 2});
    t.obs[2 * i] = cell[0];
    t.obs[2 * i + 1] = cell[1];
    t.action[i] = a;
    t.reward[i] = static_cast<float>(info.reward);
    t.done[i] = info.terminated ? 1.f : 0.f;
  }
  return t;
}

}  // namespace augur::envs
