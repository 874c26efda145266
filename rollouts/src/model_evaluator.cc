#include "augur/rollouts/model_evaluator.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>

#include "augur/core/error.h"
#include "augur/core/rng.h"
#include "augur/core/torch_rng.h"

namespace augur {
namespace {

// Scratch slots, relative to kRolloutSlots.
enum FloatSlot : int {
  kCur = 0,      // [rows, S] canonical states
  kIn,           // [rows, S] grouped states
  kAct,          // [rows, A] grouped actions
  kNext,         // [rows, S] grouped next states
  kReward,       // [rows] grouped
  kDone,         // [rows] grouped
  kUncertainty,  // [rows] grouped
  kStepReward,   // [rows] canonical objective term of this step
  kStepDone,     // [rows] canonical
  kReturn,       // [rows] canonical
  kAlive,        // [rows] canonical
  kValue,        // [rows] terminal values
  kStats,        // [2 S] disagreement
  kRecord,       // [(H + 1), P, S] predicted particles (PredictStates)
};
enum IntSlot : int { kMember = 0, kOrder, kMemberBegin, kSequence };

std::span<float> F(Scratch& s, int slot, int64_t n) { return s.Floats(kRolloutSlots + slot, static_cast<size_t>(n)); }
std::span<int64_t> I(Scratch& s, int slot, int64_t n) { return s.Ints(kRolloutSlots + slot, static_cast<size_t>(n)); }

at::Tensor Wrap(float* data, int64_t rows, int64_t cols) {
  return at::from_blob(data, {rows, cols}, at::TensorOptions().dtype(at::kFloat));
}

// Copies a [rows] or [rows, cols] tensor (any dtype, any device) into out as floats.
void CopyOut(const at::Tensor& t, std::span<float> out, int64_t count, const char* what) {
  AUGUR_CHECK(t.defined()) << "the model's Step returned no " << what;
  const at::Tensor c = t.to(at::kCPU, at::kFloat).contiguous();
  AUGUR_CHECK_EQ(c.numel(), count) << what;
  std::memcpy(out.data(), c.data_ptr<float>(), sizeof(float) * count);
}

}  // namespace

struct ModelEvaluator::Job {
  std::span<const float> actions;  // [n, horizon, A]
  int64_t n = 0;
  int64_t horizon = 0;
  uint64_t seed = 0;
  uint64_t iteration = 0;
  std::span<float> returns;  // [n]
  std::optional<Clock::time_point> deadline;
  Executor* executor = nullptr;
  std::optional<at::Generator> generator;  // tensor path
  std::atomic<bool> cut{false};
};

ModelEvaluator::ModelEvaluator(std::shared_ptr<const WorldModel> model, Objective objective, RolloutOptions options)
    : model_(std::move(model)), objective_(std::move(objective)), options_(options) {
  if (!model_) throw ConfigError("ModelEvaluator: the world model is null; pass a model");
  options_.Validate();
  objective_.Validate(model_->spec().state_dim);
  if (model_->spec().members < 1) {
    throw ConfigError(StrCat("ModelEvaluator: model '", model_->spec().type, "' reports ", model_->spec().members,
                             " members; must be >= 1"));
  }
  start_.assign(model_->spec().state_dim, 0.f);
}

Box ModelEvaluator::action_bounds() const {
  const Space& space = model_->spec().action_space;
  if (const Box* box = std::get_if<Box>(&space)) {
    if (box->dim() != action_dim()) {
      throw ShapeError(StrCat("model '", model_->spec().type, "': action space has ", box->dim(),
                              " dimensions but action_dim is ", action_dim()));
    }
    return *box;
  }
  throw ConfigError(StrCat("model '", model_->spec().type, "' has a discrete action space (", ToString(space),
                           "); continuous planners need a Box; use a search planner"));
}

void ModelEvaluator::SetStart(std::span<const float> obs) {
  if (static_cast<int64_t>(obs.size()) != obs_dim()) {
    throw ShapeError(StrCat("ModelEvaluator: observation has ", obs.size(), " values but model '", model_->spec().type,
                            "' expects ", obs_dim()));
  }
  const ModelSpec& spec = model_->spec();
  if (spec.state_kind == StateKind::kObservation && spec.state_dim == spec.obs_dim) {
    std::copy(obs.begin(), obs.end(), start_.begin());
  } else {
    const at::Tensor o = Wrap(const_cast<float*>(obs.data()), 1, obs_dim()).clone();
    CopyOut(model_->Encode(o), start_, state_dim(), "encoded state");
  }
  started_ = true;
}

void ModelEvaluator::StepRows(const Job& job, int64_t rows, int64_t chunk, std::span<const int64_t> member_begin,
                              Rng* noise, Scratch& scratch, std::span<float> in, std::span<float> act,
                              std::span<float> next, std::span<float> reward, std::span<float> done,
                              std::span<float> uncertainty) {
  const bool want_uncertainty = objective_.uncertainty_weight > 0.0 && options_.penalty == PenaltySource::kModel;
  if (want_uncertainty) std::fill(uncertainty.begin(), uncertainty.begin() + rows, 0.f);
  if (model_->has_cpu_path()) {
    CpuStep step;
    step.rows = rows;
    step.state = in.data();
    step.action = act.data();
    step.member_begin = member_begin;
    step.rng = noise;
    step.scratch = &scratch;
    step.next_state = next.data();
    step.reward = reward.data();
    step.done = done.data();
    step.uncertainty = want_uncertainty ? uncertainty.data() : nullptr;
    model_->StepCpu(step);
    return;
  }
  StepContext ctx;
  if (options_.sample) ctx.generator = job.generator;
  if (!member_begin.empty()) {
    ctx.member_begin = at::from_blob(const_cast<int64_t*>(member_begin.data()),
                                     {static_cast<int64_t>(member_begin.size())}, at::TensorOptions().dtype(at::kLong))
                           .clone();
  }
  const Transition t = model_->Step(Wrap(in.data(), rows, state_dim()), Wrap(act.data(), rows, action_dim()), ctx);
  CopyOut(t.next_state, next, rows * state_dim(), "next_state");
  CopyOut(t.reward, reward, rows, "reward");
  if (t.done.defined()) {
    CopyOut(t.done, done, rows, "done");
  } else {
    std::fill(done.begin(), done.begin() + rows, 0.f);
  }
  if (want_uncertainty && t.uncertainty.defined()) CopyOut(t.uncertainty, uncertainty, rows, "uncertainty");
}

bool ModelEvaluator::RolloutChunk(const Job& job, int64_t first, int64_t last, int64_t chunk, Scratch& sc,
                                  float* record) {
  const int64_t P = options_.particles, S = state_dim(), A = action_dim(), H = job.horizon;
  const int64_t E = model_->spec().members;
  const int64_t rows = (last - first) * P;
  auto cur = F(sc, kCur, rows * S);
  auto in = F(sc, kIn, rows * S);
  auto act = F(sc, kAct, rows * A);
  auto next = F(sc, kNext, rows * S);
  auto reward = F(sc, kReward, rows);
  auto done = F(sc, kDone, rows);
  auto uncertainty = F(sc, kUncertainty, rows);
  auto step_reward = F(sc, kStepReward, rows);
  auto step_done = F(sc, kStepDone, rows);
  auto ret = F(sc, kReturn, rows);
  auto alive = F(sc, kAlive, rows);
  auto member = I(sc, kMember, rows);
  auto order = I(sc, kOrder, rows);
  auto member_begin = I(sc, kMemberBegin, E + 1);

  for (int64_t i = 0; i < rows; ++i) std::copy(start_.begin(), start_.end(), cur.begin() + i * S);
  std::fill(ret.begin(), ret.end(), 0.f);
  std::fill(alive.begin(), alive.end(), 1.f);
  if (record) std::copy(cur.begin(), cur.end(), record);

  Rng noise(job.seed, StreamId({job.iteration, static_cast<uint64_t>(chunk), kNoiseStream}));
  Rng* noise_ptr = options_.sample ? &noise : nullptr;
  const double lambda = objective_.uncertainty_weight;
  const bool model_penalty = lambda > 0.0 && options_.penalty == PenaltySource::kModel;
  const bool particle_penalty = lambda > 0.0 && options_.penalty == PenaltySource::kParticleDisagreement && P > 1;
  const bool goal = objective_.goal_weight > 0.0;
  double discount = 1.0;

  // The objective's step value for output row g with predicted state y: reward, minus the model's
  // uncertainty penalty, minus the distance to the goal.
  const auto step_value = [&](int64_t g, const float* y) {
    double r = reward[g];
    if (model_penalty) r -= lambda * uncertainty[g];
    if (goal) {
      double d2 = 0.0;
      for (int64_t k = 0; k < S; ++k) {
        const double d = y[k] - objective_.goal[k];
        d2 += d * d;
      }
      r -= objective_.goal_weight * std::sqrt(d2);
    }
    return r;
  };
  // Adds the discounted terminal value of the rows' final states (same row order as ret and alive).
  const auto add_terminal_value = [&](std::span<float> final_states) {
    if (!objective_.terminal_value) return;
    auto value = F(sc, kValue, rows);
    const ValueFunction& v = *objective_.terminal_value;
    if (v.has_cpu_path()) {
      v.ValueCpu(rows, final_states.data(), value.data(), sc);
    } else {
      CopyOut(v.Value(Wrap(final_states.data(), rows, S)), value, rows, "terminal value");
    }
    const double w = discount * objective_.terminal_weight;
    for (int64_t i = 0; i < rows; ++i) {
      if (alive[i] > 0.f) ret[i] += static_cast<float>(w * value[i]);
    }
  };
  // Each sequence's return: the mean over its particles (rows in canonical order).
  const auto write_returns = [&](std::span<const float> per_row) {
    for (int64_t j = 0; j < last - first; ++j) {
      double sum = 0.0;
      for (int64_t k = 0; k < P; ++k) sum += per_row[j * P + k];
      job.returns[first + j] = static_cast<float>(sum / P);
    }
  };

  if (options_.propagation == Propagation::kTsInf && !particle_penalty && record == nullptr) {
    // TSinf: a particle keeps its member, so the grouping is the same at every step. The particles stay in
    // grouped order for the whole horizon (no gather and scatter of states per step); returns are put back
    // in canonical order at the end. Same values, same noise draws as the general loop below.
    const Ts1Key key{job.seed, job.iteration, 0, first};
    GroupRows(options_.propagation, rows, P, E, key, member, order, member_begin);
    const std::span<const int64_t> groups(member_begin.data(), E + 1);
    auto seq = I(sc, kSequence, rows);
    for (int64_t g = 0; g < rows; ++g) seq[g] = first + order[g] / P;
    for (int64_t g = 0; g < rows; ++g) std::copy(start_.begin(), start_.end(), in.begin() + g * S);
    std::span<float> state = in, out = next;
    for (int64_t t = 0; t < H; ++t) {
      if (!model_->has_cpu_path() && job.deadline && Clock::now() >= *job.deadline) return false;
      for (int64_t g = 0; g < rows; ++g) {
        const float* a = job.actions.data() + (seq[g] * H + t) * A;
        for (int64_t k = 0; k < A; ++k) act[g * A + k] = a[k];
      }
      StepRows(job, rows, chunk, groups, noise_ptr, sc, state, act, out, reward, done, uncertainty);
      for (int64_t g = 0; g < rows; ++g) {
        const double r = step_value(g, out.data() + g * S);
        if (alive[g] > 0.f) {
          ret[g] += static_cast<float>(discount * static_cast<float>(r));
          if (objective_.stop_at_done && done[g] > 0.5f) alive[g] = 0.f;
        }
      }
      std::swap(state, out);
      discount *= objective_.discount;
    }
    add_terminal_value(state);
    for (int64_t g = 0; g < rows; ++g) step_reward[order[g]] = ret[g];  // canonical order
    write_returns(step_reward);
    return true;
  }

  for (int64_t t = 0; t < H; ++t) {
    if (!model_->has_cpu_path() && job.deadline && Clock::now() >= *job.deadline) return false;
    const Ts1Key key{job.seed, job.iteration, static_cast<uint64_t>(t), first};
    const bool grouped = GroupRows(options_.propagation, rows, P, E, key, member, order, member_begin);
    const std::span<const int64_t> groups =
        grouped ? std::span<const int64_t>(member_begin.data(), E + 1) : std::span<const int64_t>();
    for (int64_t g = 0; g < rows; ++g) {
      const int64_t i = order[g];
      std::copy_n(cur.data() + i * S, S, in.data() + g * S);
      const int64_t seq = first + i / P;
      std::copy_n(job.actions.data() + (seq * H + t) * A, A, act.data() + g * A);
    }
    StepRows(job, rows, chunk, groups, noise_ptr, sc, in, act, next, reward, done, uncertainty);
    for (int64_t g = 0; g < rows; ++g) {
      const int64_t i = order[g];
      const float* y = next.data() + g * S;
      std::copy_n(y, S, cur.data() + i * S);
      step_reward[i] = static_cast<float>(step_value(g, y));
      step_done[i] = done[g];
    }
    if (particle_penalty) {
      auto stats = F(sc, kStats, 2 * S);
      for (int64_t j = 0; j < last - first; ++j) {
        std::fill(stats.begin(), stats.end(), 0.f);
        for (int64_t k = 0; k < P; ++k) {
          const float* y = cur.data() + (j * P + k) * S;
          for (int64_t d = 0; d < S; ++d) stats[d] += y[d];
        }
        for (int64_t d = 0; d < S; ++d) stats[d] /= static_cast<float>(P);
        for (int64_t k = 0; k < P; ++k) {
          const float* y = cur.data() + (j * P + k) * S;
          for (int64_t d = 0; d < S; ++d) stats[S + d] += (y[d] - stats[d]) * (y[d] - stats[d]);
        }
        double var = 0.0;
        for (int64_t d = 0; d < S; ++d) var += stats[S + d] / P;
        const float penalty = static_cast<float>(lambda * std::sqrt(var));
        for (int64_t k = 0; k < P; ++k) step_reward[j * P + k] -= penalty;
      }
    }
    for (int64_t i = 0; i < rows; ++i) {
      if (alive[i] > 0.f) {
        ret[i] += static_cast<float>(discount * step_reward[i]);
        if (objective_.stop_at_done && step_done[i] > 0.5f) alive[i] = 0.f;
      }
    }
    if (record) std::copy(cur.begin(), cur.end(), record + (t + 1) * rows * S);
    discount *= objective_.discount;
  }

  add_terminal_value(cur);
  write_returns(ret);
  return true;
}

bool ModelEvaluator::Evaluate(std::span<const float> actions, int64_t n, int64_t horizon, uint64_t seed,
                              uint64_t iteration, std::span<float> returns, Executor& executor,
                              std::optional<Clock::time_point> deadline) {
  if (!started_) throw StateError("ModelEvaluator: Evaluate before SetStart; set the start observation first");
  if (horizon < 1) throw ConfigError(StrCat("ModelEvaluator: horizon = ", horizon, " must be >= 1"));
  if (n < 0 || static_cast<int64_t>(actions.size()) < n * horizon * action_dim() ||
      static_cast<int64_t>(returns.size()) < n) {
    throw ShapeError(StrCat("ModelEvaluator: ", n, " sequences of horizon ", horizon, " need ",
                            n * horizon * action_dim(), " actions and ", n, " returns; got ", actions.size(), " and ",
                            returns.size()));
  }
  if (n == 0) return true;
  Job job;
  job.actions = actions;
  job.n = n;
  job.horizon = horizon;
  job.seed = seed;
  job.iteration = iteration;
  job.returns = returns;
  job.deadline = deadline;
  job.executor = &executor;
  if (model_->has_cpu_path()) {
    if (primed_for_ != &executor && n >= options_.chunk) {
      // Grow every worker's buffers now, from this thread: a worker that happens to run no chunk during the
      // first calls would otherwise grow its scratch (and the model's) later, in the steady state. Chunk 0 is
      // recomputed from the same random streams, so the results do not change.
      for (int w = 0; w < executor.threads(); ++w) {
        RolloutChunk(job, 0, options_.chunk, 0, executor.worker_scratch(w), nullptr);
      }
      primed_for_ = &executor;
    }
    executor.ParallelFor(n, options_.chunk, [this, &job](int64_t begin, int64_t end, int64_t chunk) {
      if (job.cut.load(std::memory_order_relaxed) || (job.deadline && Clock::now() >= *job.deadline)) {
        job.cut.store(true, std::memory_order_relaxed);
        return;
      }
      RolloutChunk(job, begin, end, chunk, job.executor->scratch(), nullptr);
    });
    return !job.cut.load();
  }
  if (options_.sample) job.generator = MakeCpuGenerator(seed, StreamId({iteration}));
  return RolloutChunk(job, 0, n, 0, local_, nullptr);
}

void ModelEvaluator::PredictParticles(std::span<const float> actions, int64_t horizon, uint64_t seed,
                                      uint64_t iteration, std::span<float> states) {
  if (!started_) throw StateError("ModelEvaluator: PredictParticles before SetStart");
  const int64_t P = options_.particles, S = state_dim();
  if (horizon < 1 || static_cast<int64_t>(actions.size()) < horizon * action_dim() ||
      static_cast<int64_t>(states.size()) < (horizon + 1) * P * S) {
    throw ShapeError(StrCat("ModelEvaluator: PredictParticles needs ", horizon * action_dim(), " actions and ",
                            (horizon + 1) * P * S, " state values; got ", actions.size(), " and ", states.size()));
  }
  Job job;
  job.actions = actions;
  job.n = 1;
  job.horizon = horizon;
  job.seed = seed;
  job.iteration = iteration;
  float ret = 0.f;
  job.returns = std::span<float>(&ret, 1);
  if (!model_->has_cpu_path() && options_.sample) job.generator = MakeCpuGenerator(seed, StreamId({iteration}));
  RolloutChunk(job, 0, 1, 0, local_, states.data());
}

void ModelEvaluator::PredictStates(std::span<const float> actions, int64_t horizon, std::span<float> states) {
  const int64_t P = options_.particles, S = state_dim();
  if (static_cast<int64_t>(states.size()) < (horizon + 1) * S) {
    throw ShapeError(
        StrCat("ModelEvaluator: PredictStates needs ", (horizon + 1) * S, " state values; got ", states.size()));
  }
  auto record = F(local_, kRecord, (horizon + 1) * P * S);
  PredictParticles(actions, horizon, 0, 0, record);
  for (int64_t t = 0; t <= horizon; ++t) {
    for (int64_t d = 0; d < S; ++d) {
      double sum = 0.0;
      for (int64_t k = 0; k < P; ++k) sum += record[(t * P + k) * S + d];
      states[t * S + d] = static_cast<float>(sum / P);
    }
  }
}

}  // namespace augur
