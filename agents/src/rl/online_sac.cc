#include "augur/agents/rl/online_sac.h"

#include <ATen/ATen.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>

#include "augur/agents/evaluate.h"
#include "augur/agents/rl/sac.h"
#include "augur/agents/rl/sac_agent.h"
#include "augur/core/error.h"
#include "augur/core/logging.h"
#include "augur/core/progress.h"
#include "augur/core/rng.h"
#include "augur/core/torch_rng.h"
#include "augur/data/record_reader.h"
#include "augur/data/record_writer.h"
#include "augur/envs/env.h"
#include "augur/envs/registry.h"
#include "augur/rollouts/replay_buffer.h"

namespace augur::agents::rl {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr uint64_t kResetStream = 0x5e7a11ULL, kActionStream = 0xac7ULL, kBatchStream = 0xba7cULL,
                   kEvalStream = 0xe7a1ULL;

double Since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

nlohmann::json EvalJson(const OnlineSacEval& e) {
  return {{"step", e.step},
          {"updates", e.updates},
          {"episodes", e.episodes},
          {"mean_return", e.mean_return},
          {"std_return", e.std_return},
          {"normalized", std::isfinite(e.normalized) ? nlohmann::json(e.normalized) : nlohmann::json()},
          {"snapshot", e.snapshot},
          {"seconds", e.seconds}};
}

OnlineSacEval EvalFromJson(const nlohmann::json& j) {
  OnlineSacEval e;
  e.step = j.at("step").get<int64_t>();
  e.updates = j.at("updates").get<int64_t>();
  e.episodes = j.value("episodes", int64_t{-1});  // -1: written before the field existed
  e.mean_return = j.at("mean_return").get<double>();
  e.std_return = j.at("std_return").get<double>();
  e.normalized = j.at("normalized").is_null() ? std::numeric_limits<double>::quiet_NaN() : j.at("normalized").get<double>();
  e.snapshot = j.at("snapshot").get<std::string>();
  e.seconds = j.at("seconds").get<double>();
  return e;
}

// Replaces `path` by `text` through a temporary file and a rename: a reader sees the old or the new file.
void WriteAtomically(const fs::path& path, const std::string& text) {
  const fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f << text;
    f.flush();
    if (!f) throw IoError(StrCat("online SAC: cannot write ", tmp.string(), " (disk full or no permission?)"));
  }
  fs::rename(tmp, path);
}

std::vector<OnlineSacEval> ReadEvals(const fs::path& path) {
  std::vector<OnlineSacEval> evals;
  if (!fs::exists(path)) return evals;
  std::ifstream f(path);
  try {
    const nlohmann::json j = nlohmann::json::parse(f);
    for (const auto& e : j.at("evals")) evals.push_back(EvalFromJson(e));
  } catch (const nlohmann::json::exception& e) {
    throw DataError(StrCat("online SAC: ", path.string(), " is not an evals file of augur train-sac (", e.what(),
                           "); move it away or use another --out"));
  }
  return evals;
}

rollouts::TransitionRows RowsOf(const data::Dataset& d) {
  return {d.observations(), d.actions(), d.rewards(), d.next_observations(), d.terminals().to(at::kFloat)};
}

}  // namespace

void OnlineSacOptions::Validate() const {
  auto fail = [](const std::string& msg) { throw ConfigError("online SAC options: " + msg); };
  if (env.empty()) fail("env is empty; name a registered env with Box actions, e.g. Hopper-v4");
  if (steps < 1) fail(StrCat("steps = ", steps, " must be >= 1"));
  if (start_steps < 0) fail(StrCat("start_steps = ", start_steps, " must be >= 0"));
  if (update_after < 1) fail(StrCat("update_after = ", update_after, " must be >= 1"));
  if (critics < 1) fail(StrCat("critics = ", critics, " must be >= 1"));
  if (hidden < 1 || layers < 1) fail(StrCat("hidden = ", hidden, " and layers = ", layers, " must be >= 1"));
  if (!(lr > 0) || !std::isfinite(lr)) fail(StrCat("lr = ", lr, " must be > 0"));
  if (!(gamma > 0 && gamma <= 1)) fail(StrCat("gamma = ", gamma, " must be in (0, 1]"));
  if (!(tau > 0 && tau <= 1)) fail(StrCat("tau = ", tau, " must be in (0, 1]"));
  if (batch < 2) fail(StrCat("batch = ", batch, " must be >= 2"));
  if (replay_capacity < batch) fail(StrCat("replay_capacity = ", replay_capacity, " must be >= batch (", batch, ")"));
  if (eval_every < 1) fail(StrCat("eval_every = ", eval_every, " must be >= 1"));
  if (eval_episodes < 1) fail(StrCat("eval_episodes = ", eval_episodes, " must be >= 1"));
  if (max_steps < 0) fail(StrCat("max_steps = ", max_steps, " must be >= 0 (0: the env's limit)"));
}

OnlineSacResult TrainOnlineSac(const OnlineSacOptions& o, const std::string& out_dir, Progress* progress,
                               const std::function<void(const OnlineSacEval&)>& on_eval) {
  o.Validate();
  std::unique_ptr<envs::Env> env = envs::Make(o.env);
  const Box* box = std::get_if<Box>(&env->spec().action);
  if (box == nullptr) {
    throw ConfigError(StrCat("online SAC: ", o.env, " has discrete actions; SAC here needs a Box action space"));
  }
  const int64_t obs_dim = env->spec().obs_dim(), act_dim = env->spec().action_dim();
  env->Reset(0);
  const int64_t sim_dim = static_cast<int64_t>(env->GetState().size());

  SacOptions so;
  so.obs_dim = obs_dim;
  so.action_dim = act_dim;
  so.action_low = box->low;
  so.action_high = box->high;
  so.critics = o.critics;
  so.hidden = o.hidden;
  so.layers = o.layers;
  so.gamma = o.gamma;
  so.tau = o.tau;
  so.eta = 0;
  so.actor_lr = so.critic_lr = so.alpha_lr = o.lr;
  so.seed = o.seed;

  const fs::path dir(out_dir);
  fs::create_directories(dir);
  const fs::path replay_path = dir / "replay.rec", ckpt_path = dir / "sac.ckpt", evals_path = dir / "evals.json";

  auto sac = std::make_shared<Sac>(so);
  rollouts::ReplayBuffer buffer(o.replay_capacity, obs_dim, act_dim);
  OnlineSacResult result;
  result.evals = ReadEvals(evals_path);
  int64_t step = 0, episodes = 0;
  if (fs::exists(replay_path)) {
    data::RecordReport report;
    const data::Dataset held = data::RecordReader(replay_path.string()).ReadAll(&report);
    if (held.obs_dim() != obs_dim || held.action_dim() != act_dim) {
      throw ConfigError(StrCat("online SAC: ", replay_path.string(), " holds obs/action dims ", held.obs_dim(), "/",
                               held.action_dim(), ", ", o.env, " has ", obs_dim, "/", act_dim,
                               "; use another --out"));
    }
    if (held.size() > 0) buffer.Add(RowsOf(held));
    step = held.size();
    episodes = report.good_episodes;
    if (fs::exists(ckpt_path)) {
      Sac loaded = Sac::Load(ckpt_path.string());
      const SacOptions& a = loaded.options();
      if (a.obs_dim != obs_dim || a.action_dim != act_dim || a.critics != o.critics || a.hidden != o.hidden ||
          a.layers != o.layers) {
        throw ConfigError(StrCat("online SAC: ", ckpt_path.string(), " has ", a.critics, " critics of ", a.layers,
                                 " x ", a.hidden, " for obs/action dims ", a.obs_dim, "/", a.action_dim,
                                 "; this run wants ", o.critics, " of ", o.layers, " x ", o.hidden,
                                 ": use the same settings or another --out"));
      }
      *sac = std::move(loaded);
    }
    Log().info("online SAC: resuming {} at env step {} ({} episodes, {} gradient steps)", out_dir, step, episodes,
               sac->updates());
  }
  result.start_step = step;
  result.episodes = episodes;

  data::RecordWriterOptions wo;
  wo.mode = data::RecordWriterOptions::Mode::kAppend;
  wo.obs_dim = obs_dim;
  wo.action_dim = act_dim;
  wo.sim_state_dim = sim_dim;
  wo.metadata.env_spec = env->spec();
  wo.metadata.source = StrCat("augur train-sac --env ", o.env, " --seed ", o.seed, " (the replay of online SAC)");
  wo.metadata.licence = "generated by augur (no third-party data)";
  wo.metadata.behaviour_policy = "online SAC (uniform random for the first steps, then the learning policy)";
  data::RecordWriter writer(replay_path.string(), wo);

  const auto t0 = Clock::now();
  const int64_t first_update = sac->updates();
  const int limit = o.max_steps > 0 ? o.max_steps : 0;
  Rng action_rng(StreamId({o.seed, kActionStream}), static_cast<uint64_t>(step));
  at::Generator gen = MakeCpuGenerator(StreamId({o.seed, kActionStream}), static_cast<uint64_t>(step) + 1);
  std::vector<float> next(obs_dim), action(act_dim);
  data::Episode ep;
  int64_t ep_steps = 0;
  double ep_return = 0;
  std::vector<float> obs;
  auto begin_episode = [&] {
    ep = data::Episode{};
    ep.episode_id = episodes;
    ep.seed = StreamId({o.seed, kResetStream, static_cast<uint64_t>(episodes)});
    ep.obs_dim = obs_dim;
    ep.action_dim = act_dim;
    ep.sim_state_dim = sim_dim;
    obs = env->Reset(ep.seed);
    ep_steps = 0;
    ep_return = 0;
  };
  auto evaluate = [&] {
    const std::string snap = (dir / StrCat("policy-", step, ".ckpt")).string();
    sac->Save(snap);
    sac->Save(ckpt_path.string());
    SacAgent agent(sac, "sac:" + snap);
    const EvaluationReport r =
        Evaluate(*env, agent,
                 {.episodes = o.eval_episodes, .seed = StreamId({o.seed, kEvalStream}), .max_steps = o.max_steps,
                  .record_trajectory = false});
    OnlineSacEval e;
    e.step = step;
    e.updates = sac->updates();
    e.episodes = episodes;
    e.mean_return = r.mean_return;
    e.std_return = r.std_return;
    e.normalized = r.normalized_mean ? *r.normalized_mean : std::numeric_limits<double>::quiet_NaN();
    e.snapshot = snap;
    e.seconds = Since(t0);
    result.evals.push_back(e);
    nlohmann::json j = {{"env", o.env}, {"seed", o.seed}, {"evals", nlohmann::json::array()}};
    for (const auto& x : result.evals) j["evals"].push_back(EvalJson(x));
    WriteAtomically(evals_path, j.dump(2) + "\n");
    if (progress) progress->SetMetric("eval_return", e.mean_return);
    if (on_eval) on_eval(e);
  };

  if (progress) progress->Set(step);
  begin_episode();
  while (step < o.steps) {
    const envs::SimState state = env->GetState();
    ep.sim_states.insert(ep.sim_states.end(), state.begin(), state.end());
    if (step < o.start_steps) {
      for (int64_t k = 0; k < act_dim; ++k) {
        action[k] = action_rng.Uniform(box->low[k], box->high[k]);
      }
    } else {
      const at::Tensor x = at::from_blob(obs.data(), {1, obs_dim}, at::kFloat);
      const at::Tensor a = sac->Act(x, /*deterministic=*/false, gen).contiguous();
      std::copy_n(a.data_ptr<float>(), act_dim, action.begin());
    }
    const envs::StepInfo info = env->StepInto(action, next);
    ++step;
    ++ep_steps;
    ep_return += info.reward;
    ep.observations.insert(ep.observations.end(), obs.begin(), obs.end());
    ep.actions.insert(ep.actions.end(), action.begin(), action.end());
    ep.rewards.push_back(static_cast<float>(info.reward));
    ep.next_observations.insert(ep.next_observations.end(), next.begin(), next.end());
    // One transition into the buffer now (the policy learns from it at once); the record file gets whole
    // episodes.
    {
      const int64_t t = ep_steps - 1;
      rollouts::TransitionRows row{
          at::from_blob(ep.observations.data() + t * obs_dim, {1, obs_dim}, at::kFloat).clone(),
          at::from_blob(ep.actions.data() + t * act_dim, {1, act_dim}, at::kFloat).clone(),
          at::full({1}, static_cast<float>(info.reward)),
          at::from_blob(next.data(), {1, obs_dim}, at::kFloat).clone(),
          at::full({1}, info.terminated ? 1.f : 0.f)};
      buffer.Add(row);
    }
    obs.assign(next.begin(), next.end());
    const bool cut = limit > 0 && ep_steps >= limit;
    if (info.terminated || info.truncated || cut) {
      ep.terminal = info.terminated;
      ep.truncated = !info.terminated;
      writer.Append(ep);
      ++episodes;
      if (progress) progress->SetMetric("return", ep_return);
      begin_episode();
    }
    if (buffer.size() >= o.update_after) {
      Rng batch_rng(StreamId({o.seed, kBatchStream}), static_cast<uint64_t>(sac->updates()));
      const rollouts::TransitionRows b = buffer.Sample(o.batch, batch_rng);
      const SacMetrics m = sac->Update({b.observations, b.actions, b.rewards, b.next_observations, b.dones});
      if (!m.finite()) {
        throw StateError(StrCat("online SAC: training diverged at env step ", step, " (critic loss ", m.critic_loss,
                                ", actor loss ", m.actor_loss, ", alpha ", m.alpha, "); ", ckpt_path.string(),
                                " holds the last evaluation's networks; lower --lr"));
      }
      if (progress) progress->SetMetric("q_max", m.q_abs_max);
    }
    if (step % o.eval_every == 0 || step == o.steps) evaluate();
    if (progress) progress->Advance();
  }
  if (ep_steps > 0) {  // the episode in flight at the end: kept, cut by the step budget
    ep.truncated = true;
    writer.Append(ep);
    ++episodes;
  }
  writer.Close();
  result.final_step = step;
  result.episodes = episodes;
  result.seconds = Since(t0);
  result.updates_per_second = result.seconds > 0 ? (sac->updates() - first_update) / result.seconds : 0;
  return result;
}

}  // namespace augur::agents::rl
