#include "augur/agents/rl/offline_rl.h"

#include <ATen/ATen.h>

#include <chrono>
#include <cmath>
#include <filesystem>

#include "augur/core/error.h"
#include "augur/core/progress.h"
#include "augur/core/rng.h"
#include "augur/core/torch_rng.h"
#include "augur/envs/env.h"

namespace augur::agents::rl {
namespace {

using Clock = std::chrono::steady_clock;

double Since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

enum class Method { kRavl, kMopo, kMobile, kSac };

Method ParseMethod(const std::string& m) {
  if (m == "ravl") return Method::kRavl;
  if (m == "mopo") return Method::kMopo;
  if (m == "mobile") return Method::kMobile;
  if (m == "sac") return Method::kSac;
  throw ConfigError(StrCat("offline RL: unknown method '", m, "'; valid: ravl, mopo, mobile, sac"));
}

// First row where `t` (any shape [N, ...]) is not finite, or -1.
int64_t FirstNonFiniteRow(const at::Tensor& t) {
  at::Tensor bad = at::isfinite(t).logical_not();
  if (t.dim() > 1) bad = bad.flatten(1).any(1);
  at::Tensor rows = bad.nonzero();
  return rows.size(0) == 0 ? -1 : rows[0][0].item<int64_t>();
}

}  // namespace

OfflineRlOptions OfflineRlOptions::Resolved() const {
  OfflineRlOptions o = *this;
  const Method m = ParseMethod(method);
  if (o.critics == 0) o.critics = m == Method::kRavl ? 10 : m == Method::kSac ? 1 : 2;
  if (o.eta < 0) o.eta = m == Method::kRavl ? 1.0 : 0.0;
  return o;
}

void OfflineRlOptions::Validate() const {
  const OfflineRlOptions o = Resolved();
  const Method m = ParseMethod(method);
  auto fail = [](const std::string& msg) { throw ConfigError("offline RL options: " + msg); };
  if (m == Method::kRavl && o.critics < 2) {
    fail(StrCat("RAVL needs critics >= 2 (got ", o.critics, "): its pessimism is the minimum over a Q-ensemble, "
                "which is what keeps edge-of-reach values bounded; use method=sac for a single critic"));
  }
  if (o.critics < 1) fail(StrCat("critics = ", o.critics, " must be >= 1"));
  if (!(penalty >= 0) || !std::isfinite(penalty)) fail(StrCat("penalty = ", penalty, " must be >= 0"));
  if (steps < 0) fail(StrCat("steps = ", steps, " must be >= 0"));
  if (batch < 2) fail(StrCat("batch = ", batch, " must be >= 2"));
  if (!(real_ratio >= 0 && real_ratio <= 1)) fail(StrCat("real_ratio = ", real_ratio, " must be in [0, 1]"));
  if (rollout_length < 1) fail(StrCat("rollout_length = ", rollout_length, " must be >= 1"));
  if (rollout_starts < 1) fail(StrCat("rollout_starts = ", rollout_starts, " must be >= 1"));
  if (rollout_every < 1) fail(StrCat("rollout_every = ", rollout_every, " must be >= 1"));
  if (retain_rounds < 1) fail(StrCat("retain_rounds = ", retain_rounds, " must be >= 1"));
  if (checkpoint_every < 0) fail(StrCat("checkpoint_every = ", checkpoint_every, " must be >= 0"));
  if (log_every < 1) fail(StrCat("log_every = ", log_every, " must be >= 1"));
}

void CheckOfflineDataset(const data::Dataset& d) {
  if (d.empty()) throw DataError("offline RL: the dataset is empty");
  const at::Tensor& next = d.next_observations();
  if (!next.defined() || next.dim() != 2 || next.size(0) != d.size()) {
    throw DataError(StrCat("offline RL: the dataset has no next observation for row ",
                           next.defined() && next.dim() >= 1 ? next.size(0) : 0,
                           " (next_observations must have one row per transition; re-import it with next_obs)"));
  }
  if (const int64_t row = FirstNonFiniteRow(d.rewards()); row >= 0) {
    throw DataError(StrCat("offline RL: the dataset's reward at row ", row, " is ",
                           d.rewards()[row].item<float>(), "; rewards must be finite (drop or repair that row)"));
  }
  if (const int64_t row = FirstNonFiniteRow(next); row >= 0) {
    throw DataError(StrCat("offline RL: the dataset's next observation at row ", row, " is not finite"));
  }
  if (const int64_t row = FirstNonFiniteRow(d.observations()); row >= 0) {
    throw DataError(StrCat("offline RL: the dataset's observation at row ", row, " is not finite"));
  }
}

struct OfflineRlTrainer::Impl {
  OfflineRlOptions o;
  Method method;
  const data::Dataset& data;
  rollouts::RolloutStepper& stepper;
  const WorldModel* model;
  Executor& executor;
  Sac sac;
  rollouts::ReplayBuffer buffer;
  double last_penalty = 0, last_reward = 0, last_rollout_seconds = 0;
  int64_t last_rollout_rows = 0;
  int64_t rounds = 0;

  static SacOptions MakeSacOptions(const OfflineRlOptions& o, const data::Dataset& d) {
    SacOptions s;
    s.obs_dim = d.obs_dim();
    s.action_dim = d.action_dim();
    s.action_low = o.action_low;
    s.action_high = o.action_high;
    if (s.action_low.empty() && d.metadata().env_spec) {
      if (const Box* box = std::get_if<Box>(&d.metadata().env_spec->action)) {
        s.action_low = box->low;
        s.action_high = box->high;
      }
    }
    s.critics = o.critics;
    s.hidden = o.hidden;
    s.layers = o.layers;
    s.gamma = o.gamma;
    s.tau = o.tau;
    s.eta = o.eta;
    s.actor_lr = o.actor_lr;
    s.critic_lr = o.critic_lr;
    s.alpha_lr = o.alpha_lr;
    s.auto_alpha = o.auto_alpha;
    s.alpha = o.alpha;
    s.seed = o.seed;
    return s;
  }

  Impl(const OfflineRlOptions& options, const data::Dataset& d, rollouts::RolloutStepper& st, const WorldModel* m,
       Executor& ex)
      : o((options.Validate(), options.Resolved())),
        method(ParseMethod(o.method)),
        data((CheckOfflineDataset(d), d)),
        stepper(st),
        model(m),
        executor(ex),
        sac(MakeSacOptions(o, d)),
        buffer(std::max<int64_t>(1, o.rollout_starts * o.rollout_length * o.retain_rounds), d.obs_dim(),
               d.action_dim()) {}

  // MOBILE: std over model members of the soft Bellman target of each member's (mean) next state.
  at::Tensor MobilePenalty(const rollouts::TransitionRows& rows, uint64_t stream) {
    const int64_t n = rows.size();
    if (model == nullptr || model->spec().members < 2 || n == 0) return at::zeros({n});
    const int64_t e = model->spec().members;
    StepContext ctx;  // no generator: each member's mean
    ctx.member_begin = at::arange(e + 1, at::kLong) * n;
    at::Tensor s = rows.observations.repeat({e, 1}), a = rows.actions.repeat({e, 1});
    Transition t = model->Step(s, a, ctx);
    at::Tensor v = sac.NextValue(t.next_state.to(at::kFloat), MakeCpuGenerator(o.seed, stream)).reshape({e, n});
    at::Tensor target = t.reward.to(at::kFloat).reshape({e, n}) + o.gamma * v;
    at::Tensor pen = target.std(0, /*unbiased=*/false);
    return at::where(at::isfinite(pen), pen, at::zeros_like(pen));
  }

  void RolloutRound(int64_t step) {
    const auto t0 = Clock::now();
    const uint64_t round_seed = StreamId({o.seed, 0x70117ULL, static_cast<uint64_t>(step)});
    Rng rng(round_seed, 1);
    at::Tensor rows = at::empty({o.rollout_starts}, at::kLong);
    int64_t* p = rows.data_ptr<int64_t>();
    for (int64_t i = 0; i < o.rollout_starts; ++i) p[i] = static_cast<int64_t>(rng.UniformInt(static_cast<uint64_t>(data.size())));
    at::Tensor start = data.observations().index_select(0, rows);
    at::Generator gen = MakeCpuGenerator(round_seed, 2);
    rollouts::RolloutPolicy policy = [&](const at::Tensor& obs, int64_t) { return sac.Act(obs, false, gen); };
    rollouts::RolloutResult r = rollouts::BranchedRollout(
        stepper, policy, start, rows,
        {.length = o.rollout_length, .seed = round_seed, .want_uncertainty = method == Method::kMopo}, executor);
    at::Tensor penalty;
    if (method == Method::kMopo) {
      penalty = o.penalty * r.uncertainty;
    } else if (method == Method::kMobile) {
      penalty = o.penalty * MobilePenalty(r.transitions, round_seed + 3);
    }
    last_reward = r.mean_reward;
    if (penalty.defined() && penalty.numel() > 0) {
      last_penalty = penalty.mean().item<double>();
      r.transitions.rewards = r.transitions.rewards - penalty;
    } else {
      last_penalty = 0;
    }
    buffer.Add(r.transitions);
    last_rollout_rows = r.transitions.size();
    ++rounds;
    last_rollout_seconds = Since(t0);
  }

  SacBatch MakeBatch(int64_t step) {
    const int64_t n_real = buffer.size() == 0 ? o.batch : static_cast<int64_t>(o.real_ratio * o.batch);
    const int64_t n_syn = o.batch - n_real;
    Rng rng(StreamId({o.seed, 0xba7c4ULL}), static_cast<uint64_t>(step));
    at::Tensor idx = at::empty({n_real}, at::kLong);
    int64_t* p = idx.data_ptr<int64_t>();
    for (int64_t i = 0; i < n_real; ++i) p[i] = static_cast<int64_t>(rng.UniformInt(static_cast<uint64_t>(data.size())));
    SacBatch real{data.observations().index_select(0, idx), data.actions().index_select(0, idx),
                  data.rewards().index_select(0, idx), data.next_observations().index_select(0, idx),
                  data.terminals().index_select(0, idx).to(at::kFloat)};
    if (n_syn == 0) return real;
    rollouts::TransitionRows syn = buffer.Sample(n_syn, rng);
    return {at::cat({real.observations, syn.observations}), at::cat({real.actions, syn.actions}),
            at::cat({real.rewards, syn.rewards}), at::cat({real.next_observations, syn.next_observations}),
            at::cat({real.dones, syn.dones})};
  }
};

OfflineRlTrainer::OfflineRlTrainer(const OfflineRlOptions& options, const data::Dataset& dataset,
                                   rollouts::RolloutStepper& stepper, const WorldModel* model, Executor& executor)
    : impl_(std::make_unique<Impl>(options, dataset, stepper, model, executor)) {}
OfflineRlTrainer::~OfflineRlTrainer() = default;

Sac& OfflineRlTrainer::sac() { return impl_->sac; }
const OfflineRlOptions& OfflineRlTrainer::options() const { return impl_->o; }

OfflineRlResult OfflineRlTrainer::Run(const std::string& checkpoint, Progress* progress,
                                      const std::function<void(const OfflineRlLog&)>& on_log) {
  Impl& m = *impl_;
  const auto t0 = Clock::now();
  OfflineRlResult result;
  int64_t last_good = -1;
  if (!checkpoint.empty() && std::filesystem::exists(checkpoint)) {
    Sac loaded = Sac::Load(checkpoint);
    const SacOptions& a = loaded.options();
    const SacOptions& b = m.sac.options();
    if (a.obs_dim != b.obs_dim || a.action_dim != b.action_dim || a.critics != b.critics || a.hidden != b.hidden ||
        a.layers != b.layers) {
      throw ConfigError(StrCat("offline RL: checkpoint ", checkpoint, " has obs_dim ", a.obs_dim, ", action_dim ",
                               a.action_dim, ", ", a.critics, " critics of ", a.layers, " x ", a.hidden,
                               "; this run wants ", b.obs_dim, ", ", b.action_dim, ", ", b.critics, " of ", b.layers,
                               " x ", b.hidden, ": use another --out or the same settings"));
    }
    m.sac = std::move(loaded);
    last_good = m.sac.updates();
  }
  int64_t step = m.sac.updates();
  result.start_step = step;
  if (progress) progress->Set(step);
  auto log_t = Clock::now();
  int64_t log_step = step;
  bool need_rollouts = true;
  while (step < m.o.steps) {
    if (need_rollouts || step % m.o.rollout_every == 0) {
      m.RolloutRound(step);
      result.rollout_seconds += m.last_rollout_seconds;
      result.rollout_transitions += m.last_rollout_rows;
      need_rollouts = false;
    }
    const SacMetrics metrics = m.sac.Update(m.MakeBatch(step));
    ++step;
    if (!metrics.finite()) {
      throw StateError(StrCat("offline RL: training diverged at step ", step, " (critic loss ", metrics.critic_loss,
                              ", actor loss ", metrics.actor_loss, ", alpha ", metrics.alpha, "); ",
                              last_good >= 0 ? StrCat("the last good checkpoint is ", checkpoint, " at step ", last_good,
                                                      " and was left as it was")
                                             : std::string("no checkpoint was written yet"),
                              "; lower the learning rates or use more critics"));
    }
    if (step % m.o.log_every == 0 || step == m.o.steps) {
      OfflineRlLog l;
      l.step = step;
      l.metrics = metrics;
      l.penalty_mean = m.last_penalty;
      l.rollout_reward = m.last_reward;
      l.rollout_seconds = m.last_rollout_seconds;
      l.buffer_rows = m.buffer.size();
      l.seconds = Since(t0);
      const double dt = Since(log_t);
      l.updates_per_second = dt > 0 ? (step - log_step) / dt : 0;
      log_t = Clock::now();
      log_step = step;
      result.log.push_back(l);
      if (on_log) on_log(l);
    }
    if (!checkpoint.empty() && m.o.checkpoint_every > 0 && step % m.o.checkpoint_every == 0) {
      m.sac.Save(checkpoint);
      last_good = step;
    }
    if (progress) {
      progress->SetMetric("q_max", metrics.q_abs_max);
      progress->SetMetric("critic_loss", metrics.critic_loss);
      progress->Advance();
    }
  }
  if (!checkpoint.empty() && last_good != step) m.sac.Save(checkpoint);
  result.final_step = step;
  result.seconds = Since(t0);
  return result;
}

namespace {

class SimStateStepper : public rollouts::RolloutStepper {
 public:
  SimStateStepper(const envs::Env& prototype, const data::Dataset& d) : prototype_(prototype.Clone()), data_(d) {}
  int64_t state_dim() const override { return prototype_->spec().obs_dim(); }

  void Begin(const at::Tensor& rows) override {
    const at::Tensor s = data_.sim_states().index_select(0, rows).to(at::kDouble).contiguous();
    const int64_t n = s.size(0), k = s.size(1);
    states_.assign(n, envs::SimState(k));
    const double* p = s.data_ptr<double>();
    for (int64_t i = 0; i < n; ++i) std::copy(p + i * k, p + (i + 1) * k, states_[i].begin());
  }
  void Keep(const at::Tensor& keep) override {
    std::vector<envs::SimState> kept;
    const int64_t* p = keep.data_ptr<int64_t>();
    for (int64_t i = 0; i < keep.numel(); ++i) kept.push_back(std::move(states_[p[i]]));
    states_ = std::move(kept);
  }
  Transition Step(const at::Tensor& state, const at::Tensor& action, int64_t, uint64_t, bool,
                  Executor& executor) override {
    const int64_t b = state.size(0), o = state_dim(), a = prototype_->spec().action_dim();
    at::Tensor act = action.contiguous();
    at::Tensor next = at::empty({b, o}), reward = at::empty({b}), done = at::zeros({b}, at::kBool);
    const float* ap = act.data_ptr<float>();
    float *np = next.data_ptr<float>(), *rp = reward.data_ptr<float>();
    bool* dp = done.data_ptr<bool>();
    if (static_cast<int>(clones_.size()) < executor.threads()) {
      for (int i = static_cast<int>(clones_.size()); i < executor.threads(); ++i) clones_.push_back(prototype_->Clone());
    }
    executor.ParallelFor(b, 256, [&](int64_t begin, int64_t end, int64_t) {
      envs::Env& env = *clones_[executor.worker_index()];
      for (int64_t i = begin; i < end; ++i) {
        env.SetState(states_[i]);
        const envs::StepInfo info = env.StepInto(std::span<const float>(ap + i * a, a), std::span<float>(np + i * o, o));
        rp[i] = static_cast<float>(info.reward);
        dp[i] = info.terminated;
        states_[i] = env.GetState();
      }
    });
    return {next, reward, done, at::zeros({b})};
  }

 private:
  std::unique_ptr<envs::Env> prototype_;
  const data::Dataset& data_;
  std::vector<envs::SimState> states_;
  std::vector<std::unique_ptr<envs::Env>> clones_;
};

}  // namespace

std::unique_ptr<rollouts::RolloutStepper> MakeSimStateStepper(const envs::Env& prototype,
                                                              const data::Dataset& dataset) {
  auto env = prototype.Clone();
  if (!env->has_state()) env->Reset(0);
  const int64_t want = static_cast<int64_t>(env->GetState().size());
  if (dataset.sim_state_dim() != want) {
    throw DataError(StrCat("true-model rollouts from sim states: the dataset has ", dataset.sim_state_dim(),
                           " sim-state columns, ", prototype.spec().id, " needs ", want,
                           " (collect it with augur collect, which records them)"));
  }
  return std::make_unique<SimStateStepper>(prototype, dataset);
}

}  // namespace augur::agents::rl
