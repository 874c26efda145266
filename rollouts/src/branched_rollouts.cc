#include "augur/rollouts/branched_rollouts.h"

#include <ATen/ATen.h>

#include <chrono>
#include <numeric>
#include <vector>

#include "augur/core/error.h"
#include "augur/core/rng.h"
#include "augur/core/torch_rng.h"

namespace augur::rollouts {
namespace {

// A uniformly random permutation of [0, n) from (seed, t): rows are exchangeable, so assigning contiguous
// groups of the permuted rows to members gives every row a random member at every step (MBPO's choice).
at::Tensor RandomPermutation(int64_t n, uint64_t seed, int64_t t) {
  at::Tensor perm = at::arange(n, at::kLong);
  int64_t* p = perm.data_ptr<int64_t>();
  Rng rng(seed, StreamId({0xb4a9c4ULL, static_cast<uint64_t>(t)}));
  for (int64_t i = n - 1; i > 0; --i) std::swap(p[i], p[rng.UniformInt(static_cast<uint64_t>(i + 1))]);
  return perm;
}

// [E + 1] offsets splitting `rows` as evenly as possible over `members`.
void EvenGroups(int64_t rows, int64_t members, std::vector<int64_t>& begin) {
  begin.resize(members + 1);
  for (int64_t m = 0; m <= members; ++m) begin[m] = rows * m / members;
}

at::Tensor Unpermute(const at::Tensor& permuted, const at::Tensor& perm) {
  at::Tensor out = at::empty_like(permuted);
  out.index_copy_(0, perm, permuted);
  return out;
}

}  // namespace

void BranchedRolloutOptions::Validate() const {
  if (length < 1) throw ConfigError(StrCat("rollout length = ", length, " must be >= 1"));
}

WorldModelStepper::WorldModelStepper(const WorldModel& model, bool sample, int64_t rows_per_chunk)
    : model_(model), sample_(sample), rows_per_chunk_(rows_per_chunk) {
  if (rows_per_chunk < 1) throw ConfigError(StrCat("rows_per_chunk = ", rows_per_chunk, " must be >= 1"));
}

Transition WorldModelStepper::Step(const at::Tensor& state, const at::Tensor& action, int64_t t, uint64_t seed,
                                   bool want_uncertainty, Executor& executor) {
  const ModelSpec& spec = model_.spec();
  const int64_t b = state.size(0), s = spec.state_dim, a = spec.action_dim;
  CheckMatrix(state, b, s, "rollout state");
  CheckMatrix(action, b, a, "rollout action");
  const at::Tensor perm = RandomPermutation(b, seed, t);
  const at::Tensor st = state.index_select(0, perm).contiguous(), ac = action.index_select(0, perm).contiguous();
  const int64_t members = std::max<int64_t>(1, spec.members);
  Transition out;
  if (model_.has_cpu_path()) {
    at::Tensor next = at::empty({b, s}), reward = at::empty({b}), done = at::zeros({b}), unc = at::zeros({b});
    const float *sp = st.data_ptr<float>(), *ap = ac.data_ptr<float>();
    float *np = next.data_ptr<float>(), *rp = reward.data_ptr<float>(), *dp = done.data_ptr<float>(),
          *up = unc.data_ptr<float>();
    executor.ParallelFor(b, rows_per_chunk_, [&](int64_t begin, int64_t end, int64_t chunk) {
      std::vector<int64_t> groups;
      EvenGroups(end - begin, members, groups);
      Rng rng(seed, StreamId({static_cast<uint64_t>(t), static_cast<uint64_t>(chunk)}));
      CpuStep step;
      step.rows = end - begin;
      step.state = sp + begin * s;
      step.action = ap + begin * a;
      step.member_begin = groups;
      step.rng = sample_ ? &rng : nullptr;
      step.scratch = &executor.scratch();
      step.next_state = np + begin * s;
      step.reward = rp + begin;
      step.done = dp + begin;
      step.uncertainty = want_uncertainty ? up + begin : nullptr;
      model_.StepCpu(step);
    });
    out.next_state = next;
    out.reward = reward;
    out.done = done > 0.5f;
    out.uncertainty = unc;
  } else {
    std::vector<int64_t> groups;
    EvenGroups(b, members, groups);
    StepContext ctx;
    if (sample_) ctx.generator = MakeCpuGenerator(seed, StreamId({static_cast<uint64_t>(t)}));
    ctx.member_begin = at::tensor(groups, at::kLong);
    out = model_.Step(st, ac, ctx);
    if (!out.uncertainty.defined()) out.uncertainty = at::zeros({b});
    out.done = out.done.to(at::kBool);
  }
  out.next_state = Unpermute(out.next_state.to(at::kFloat), perm);
  out.reward = Unpermute(out.reward.to(at::kFloat).reshape({b}), perm);
  out.done = Unpermute(out.done.reshape({b}), perm);
  out.uncertainty = Unpermute(out.uncertainty.to(at::kFloat).reshape({b}), perm);
  return out;
}

RolloutResult BranchedRollout(RolloutStepper& stepper, const RolloutPolicy& policy, const at::Tensor& start_obs,
                              const at::Tensor& start_rows, const BranchedRolloutOptions& options,
                              Executor& executor) {
  options.Validate();
  const auto t0 = std::chrono::steady_clock::now();
  const int64_t b = start_obs.size(0);
  CheckMatrix(start_obs, b, stepper.state_dim(), "rollout start states");
  std::vector<at::Tensor> obs_l, act_l, rew_l, next_l, done_l, unc_l;
  at::Tensor obs = start_obs.to(at::kFloat).contiguous();
  stepper.Begin(start_rows);
  int64_t terminated = 0;
  for (int64_t t = 0; t < options.length && obs.size(0) > 0; ++t) {
    at::Tensor act = policy(obs, t).to(at::kFloat).contiguous();
    Transition tr = stepper.Step(obs, act, t, options.seed, options.want_uncertainty, executor);
    // Rows whose prediction is not finite (a learned model far outside its data) are dropped, not stored.
    at::Tensor finite = at::isfinite(tr.next_state).all(1) & at::isfinite(tr.reward);
    at::Tensor stored = finite.nonzero().squeeze(1);
    obs_l.push_back(obs.index_select(0, stored));
    act_l.push_back(act.index_select(0, stored));
    rew_l.push_back(tr.reward.index_select(0, stored));
    next_l.push_back(tr.next_state.index_select(0, stored));
    done_l.push_back(tr.done.index_select(0, stored).to(at::kFloat));
    unc_l.push_back(tr.uncertainty.index_select(0, stored));
    at::Tensor keep = (finite & tr.done.logical_not()).nonzero().squeeze(1);
    terminated += obs.size(0) - keep.size(0);
    obs = tr.next_state.index_select(0, keep).contiguous();
    stepper.Keep(keep);
  }
  RolloutResult r;
  r.transitions = {at::cat(obs_l), at::cat(act_l), at::cat(rew_l), at::cat(next_l), at::cat(done_l)};
  r.uncertainty = at::cat(unc_l);
  r.mean_reward = r.transitions.size() > 0 ? r.transitions.rewards.mean().item<double>() : 0.0;
  r.terminated_fraction = b > 0 ? static_cast<double>(terminated) / b : 0.0;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace augur::rollouts
