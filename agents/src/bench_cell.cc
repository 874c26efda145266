#include "augur/agents/bench_cell.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cmath>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>

#include "augur/agents/agent.h"
#include "augur/agents/any_planner.h"
#include "augur/agents/bc.h"
#include "augur/agents/evaluate.h"
#include "augur/agents/model_loading.h"
#include "augur/agents/rl/offline_rl.h"
#include "augur/agents/rl/sac_agent.h"
#include "augur/agents/true_model.h"
#include "augur/core/error.h"
#include "augur/core/executor.h"
#include "augur/core/factory.h"
#include "augur/core/rng.h"
#include "augur/envs/env.h"
#include "augur/models/dataset_adapter.h"
#include "augur/models/factory.h"
#include "augur/models/data_box.h"
#include "augur/models/known_reward.h"
#include "augur/rollouts/branched_rollouts.h"

namespace augur::agents {
namespace {

std::map<std::string, CellKind>& Kinds();

// Counts the planner's model evaluations per action of an MPC agent.
template <typename Mpc>
class CountingAgent : public Agent {
 public:
  explicit CountingAgent(Mpc& inner) : inner_(inner) {}
  std::string name() const override { return inner_.name(); }
  void Reset(uint64_t seed) override { inner_.Reset(seed); }
  std::vector<float> Act(std::span<const float> obs) override {
    std::vector<float> a = inner_.Act(obs);
    evaluations_ += inner_.last_plan().evaluations;
    ++actions_;
    return a;
  }
  bool wants_sim_state() const override { return inner_.wants_sim_state(); }
  void ObserveSimState(std::span<const double> s) override { inner_.ObserveSimState(s); }
  double per_action() const { return actions_ ? static_cast<double>(evaluations_) / actions_ : 0.0; }

 private:
  Mpc& inner_;
  int64_t evaluations_ = 0, actions_ = 0;
};

CellResult Score(const CellInputs& in, Agent& agent, EvaluationReport* out = nullptr) {
  EvaluationOptions options;
  options.episodes = in.episodes;
  options.seed = StreamId({in.seed, 0xe7a1});  // evaluation starts depend on the seed, not on the method
  options.max_steps = in.max_steps;
  const EvaluationReport report = Evaluate(*in.env, agent, options);
  CellResult r;
  r.agent = report.agent;
  for (const auto& e : report.episodes) r.returns.push_back(e.ret);
  r.mean_return = report.mean_return;
  r.std_return = report.std_return;
  r.mean_action_ms = report.mean_action_ms;
  r.p99_action_ms = report.p99_action_ms;
  Normalize(in.env->spec().id, in.max_steps, in.env->spec().max_steps, r);
  if (out) *out = report;
  return r;
}

// Open-loop RMSE (over observation dims) of the model's mean prediction at horizons 1..H along a real
// trajectory [T, O] with its actions [T, A]: from every 4th step t0 with t0 + H <= T.
std::vector<double> ModelErrorAlong(const WorldModel& model, const std::vector<float>& obs,
                                    const std::vector<float>& actions, int64_t o, int64_t a, int64_t horizon) {
  const int64_t steps = static_cast<int64_t>(actions.size()) / a;
  std::vector<int64_t> starts;
  for (int64_t t0 = 0; t0 + horizon < steps; t0 += 4) starts.push_back(t0);
  if (starts.empty() || horizon < 1) return {};
  const at::Tensor all_obs = at::from_blob(const_cast<float*>(obs.data()), {steps, o}).clone();
  const at::Tensor all_act = at::from_blob(const_cast<float*>(actions.data()), {steps, a}).clone();
  const at::Tensor index = at::tensor(starts, at::kLong);
  at::Tensor state = model.Encode(all_obs.index_select(0, index));
  std::vector<double> error;
  for (int64_t h = 0; h < horizon; ++h) {
    StepContext ctx;
    state = model.Step(state, all_act.index_select(0, index + h), ctx).next_state;
    const at::Tensor real = all_obs.index_select(0, index + h + 1);
    // Observation-space models: the state is the observation (its first O entries for stacked histories).
    const at::Tensor predicted = state.slice(1, state.size(1) - o, state.size(1));
    error.push_back(std::sqrt((predicted - real).pow(2).mean().item<double>()));
  }
  return error;
}

int TrainEpochs(const CellInputs& in) { return in.method.train_epochs > 0 ? in.method.train_epochs : 50; }

// Where the cell's trained model is cached ("" without a cache dir): keyed by env, data, spec, epochs, seed.
std::string CachedModelPath(const CellInputs& in) {
  if (in.cache_dir.empty()) return "";
  const std::string key = StrCat(in.env->spec().id, "|", in.dataset->Digest(), "|", in.method.model, "|",
                                 TrainEpochs(in), "|", in.seed);
  std::filesystem::create_directories(in.cache_dir);
  char hex[17];
  std::snprintf(hex, sizeof(hex), "%016llx", static_cast<unsigned long long>(StreamId({std::hash<std::string>{}(key)})));
  return in.cache_dir + "/model-" + hex + ".ckpt";
}

models::ModelInputs EnvModelInputs(const EnvSpec& spec) {
  models::ModelInputs inputs;
  inputs.obs_dim = spec.obs_dim();
  inputs.action_dim = spec.action_dim();
  if (const Box* box = std::get_if<Box>(&spec.action)) inputs.action_bounds = *box;
  inputs.env_id = spec.id;
  return inputs;
}

models::TrainOptions CellTrainOptions(const CellInputs& in) {
  models::TrainOptions train;
  train.max_epochs = TrainEpochs(in);
  train.seed = in.seed;
  train.data_digest = in.dataset->Digest();
  return train;
}

// Trains `create()`'s model with `train(model)` (or loads it from the cache), timing the training.
template <typename Model, typename Create, typename Load, typename Fit>
std::shared_ptr<const Model> TrainOrLoad(const CellInputs& in, double* seconds, Create create, Load load, Fit fit) {
  const std::string path = CachedModelPath(in);
  if (!path.empty() && std::filesystem::exists(path)) return load(path);
  auto model = create();
  const auto start = Clock::now();
  in.executor->ApplyTorchThreads();
  fit(*model);
  *seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (!path.empty()) model->Save(path);
  return std::shared_ptr<const Model>(std::move(model));
}

std::shared_ptr<const WorldModel> TrainedModel(const CellInputs& in, double* seconds) {
  return TrainOrLoad<WorldModel>(
      in, seconds, [&] { return models::Create(in.method.model, EnvModelInputs(in.env->spec())); },
      [](const std::string& path) { return std::shared_ptr<const WorldModel>(models::Load(path)); },
      [&](models::LearnedModel& m) { m.Train(models::ToTransitions(*in.dataset), CellTrainOptions(in), nullptr); });
}

// params "reward": "learned" (default: the model's own reward head) or "known" (the env's reward function
// on the model's predicted transitions, models/known_reward.h).
bool WantsKnownReward(const MethodSpec& m) {
  auto it = m.params.find("reward");
  return it != m.params.end() && it->second == "known";
}

void ValidateRewardParam(const MethodSpec& m) {
  auto it = m.params.find("reward");
  if (it != m.params.end() && it->second != "known" && it->second != "learned") {
    throw ConfigError(StrCat("bench method '", m.name, "': params key 'reward' = '", it->second,
                             "'; valid: learned (the model's reward head), known (the env's reward function)"));
  }
}

// params "box": "none" (default) or "data": the model's predicted next observation clamped into the cell
// dataset's per-dimension observation [min, max] and its reward into the data's reward range
// (models/data_box.h; what polixir/OfflineRL's MOBILE does to its rollouts).
bool WantsDataBox(const MethodSpec& m) {
  auto it = m.params.find("box");
  return it != m.params.end() && it->second == "data";
}

void ValidateBoxParam(const MethodSpec& m) {
  auto it = m.params.find("box");
  if (it != m.params.end() && it->second != "none" && it->second != "data") {
    throw ConfigError(StrCat("bench method '", m.name, "': params key 'box' = '", it->second,
                             "'; valid: none (the model's raw predictions), data (clamped into the dataset's "
                             "observation and reward box)"));
  }
}

// The model as the planner or the agent sees it: clamped into the dataset's box on request (innermost, so that a
// known reward scores the clamped state), then its learned reward replaced by the env's known one on request.
std::shared_ptr<const WorldModel> WithRewardAndBox(const CellInputs& in, std::shared_ptr<const WorldModel> model) {
  if (WantsDataBox(in.method)) {
    model = std::make_shared<models::DataBoxModel>(std::move(model), models::DataBoxOf(*in.dataset));
  }
  if (!WantsKnownReward(in.method)) return model;
  return std::make_shared<models::KnownRewardModel>(std::move(model), in.env->spec().id);
}

// How the cell's model is described in its agent name: the spec plus the reward / box options.
std::string ModelOptionsText(const MethodSpec& m) {
  return StrCat(WantsKnownReward(m) ? ", known reward" : "", WantsDataBox(m) ? ", data box" : "");
}

// A sequence model (Trajectory Transformer) for beam search, trained on the dataset's episodes.
std::shared_ptr<const SequenceModel> TrainedSequenceModel(const CellInputs& in, double* seconds) {
  return TrainOrLoad<SequenceModel>(
      in, seconds, [&] { return models::CreateSequenceModel(in.method.model, EnvModelInputs(in.env->spec())); },
      [](const std::string& path) { return std::shared_ptr<const SequenceModel>(models::LoadSequenceModel(path)); },
      [&](models::LearnedSequenceModel& m) { m.Train(*in.dataset, CellTrainOptions(in), nullptr); });
}

CellResult RunMpc(const CellInputs& in) {
  const std::string spec = ApplyBudget(in.method.planner, in.budget);
  if (in.method.model == "true") {
    TrueModelMpcAgent mpc(*in.env, spec, *in.executor);
    CountingAgent<TrueModelMpcAgent> agent(mpc);
    CellResult r = Score(in, agent);
    r.evaluations_per_action = agent.per_action();
    return r;
  }
  double train_seconds = 0;
  if (models::IsSequenceModel(FactorySpec::Parse(in.method.model).name)) {
    // Sequence model + beam search: no WorldModel, so no open-loop model error.
    PlannerInputs inputs;
    inputs.sequence_model = TrainedSequenceModel(in, &train_seconds);
    inputs.seed = in.seed;
    MpcAgent mpc(std::shared_ptr<Planner>(MakeAnyPlanner(spec, inputs, *in.executor)), {});
    CountingAgent<MpcAgent> agent(mpc);
    CellResult r = Score(in, agent);
    r.evaluations_per_action = agent.per_action();
    r.train_seconds = train_seconds;
    return r;
  }
  std::shared_ptr<const WorldModel> model = TrainedModel(in, &train_seconds);
  PlannerInputs inputs;
  inputs.model = WithRewardAndBox(in, model);
  inputs.seed = in.seed;
  if (auto it = in.method.params.find("penalty"); it != in.method.params.end()) {
    inputs.objective = Objective::Penalized(std::stod(it->second));  // MOPO-style: reward - lambda * uncertainty
  }
  MpcAgent mpc(std::shared_ptr<Planner>(MakeAnyPlanner(spec, inputs, *in.executor)), {});
  CountingAgent<MpcAgent> agent(mpc);
  EvaluationReport trajectory;
  CellResult r = Score(in, agent, &trajectory);
  r.evaluations_per_action = agent.per_action();
  r.train_seconds = train_seconds;
  // The model's error along the first evaluation episode (the states this planner actually visits).
  r.model_error = ModelErrorAlong(*model, trajectory.observations, trajectory.actions, trajectory.obs_dim,
                                  trajectory.action_dim, in.model_error_horizon);
  return r;
}

CellResult RunBc(const CellInputs& in) {
  BcOptions options;
  if (in.method.train_epochs > 0) options.max_epochs = in.method.train_epochs;
  options.seed = in.seed;
  BcTrainReport report;
  auto policy = std::make_shared<const BcPolicy>(BcPolicy::Train(*in.dataset, options, nullptr, &report));
  BcAgent agent(policy);
  CellResult r = Score(in, agent);
  r.train_seconds = report.seconds;
  return r;
}

// The dataset's own behaviour returns (no agent): the row every offline method is read against.
CellResult RunDataset(const CellInputs& in) {
  CellResult r;
  r.agent = "behaviour policy of " + in.dataset_name;
  r.returns = in.dataset->EpisodeReturns();
  double s = 0, s2 = 0;
  for (double x : r.returns) s += x, s2 += x * x;
  const double n = static_cast<double>(r.returns.size());
  r.mean_return = n ? s / n : 0;
  r.std_return = n > 1 ? std::sqrt(std::max(0.0, (s2 - n * r.mean_return * r.mean_return) / (n - 1))) : 0;
  // The references are scaled to the episodes' length cap, which only an episode cut by the time limit shows;
  // an episode that terminated early (a fallen Hopper) says nothing about it and must not shrink the
  // references. Without any time-out, the protocol's episode length (or the env's limit) is the cap.
  const at::Tensor timeouts = in.dataset->timeouts().to(at::kBool).contiguous();
  const bool* cut = timeouts.data_ptr<bool>();
  int64_t cap = 0;
  for (int64_t e = 0; e < in.dataset->num_episodes(); ++e) {
    const int64_t last = in.dataset->EpisodeEnd(e) - 1;
    if (last >= 0 && cut[last]) cap = std::max(cap, in.dataset->EpisodeLength(e));
  }
  if (cap == 0) cap = in.max_steps > 0 ? in.max_steps : in.env->spec().max_steps;
  Normalize(in.env->spec().id, static_cast<int>(cap), in.env->spec().max_steps, r);
  return r;
}

// Offline model-based RL (RAVL, MOPO, MOBILE; agents/rl/offline_rl.h) as cells: one kind per method, the
// rollout model "learned" (an ensemble trained on the cell's dataset, params["ensemble"] its spec), a model
// spec, or "true" (the simulator restarted from the dataset's recorded sim states, or set from observations
// when the dataset has none). The gradient-step budget and the agent's sizes come from params.
constexpr const char* kDefaultOfflineEnsemble = "ensemble:members=7,elites=5";

const std::vector<std::string>& OfflineRlParamKeys() {
  static const std::vector<std::string> keys = {
      "steps",         "critics",        "eta",           "penalty",       "hidden",   "layers",
      "gamma",         "lr",             "batch",         "real_ratio",    "rollout_length",
      "rollout_starts", "rollout_every", "retain_rounds", "ensemble", "reward", "box"};
  return keys;
}

std::string OfflineEnsembleSpec(const MethodSpec& m) {
  if (m.model == "learned") {
    auto it = m.params.find("ensemble");
    return it == m.params.end() ? kDefaultOfflineEnsemble : it->second;
  }
  return m.model;
}

// The method's OfflineRlOptions from params (throws ConfigError naming the key and value).
rl::OfflineRlOptions OfflineOptions(const MethodSpec& m) {
  rl::OfflineRlOptions o;
  o.method = m.kind;
  auto number = [&](const std::string& key, const std::string& value) {
    size_t used = 0;
    double v = 0;
    try {
      v = std::stod(value, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != value.size() || value.empty()) {
      throw ConfigError(StrCat("bench method '", m.name, "': params key '", key, "' = '", value,
                               "' is not a number"));
    }
    return v;
  };
  for (const auto& [key, value] : m.params) {
    if (key == "ensemble" || key == "reward" || key == "box") continue;
    const double v = number(key, value);
    if (key == "steps") o.steps = static_cast<int64_t>(v);
    else if (key == "critics") o.critics = static_cast<int>(v);
    else if (key == "eta") o.eta = v;
    else if (key == "penalty") o.penalty = v;
    else if (key == "hidden") o.hidden = static_cast<int>(v);
    else if (key == "layers") o.layers = static_cast<int>(v);
    else if (key == "gamma") o.gamma = v;
    else if (key == "lr") o.actor_lr = o.critic_lr = o.alpha_lr = v;
    else if (key == "batch") o.batch = static_cast<int>(v);
    else if (key == "real_ratio") o.real_ratio = v;
    else if (key == "rollout_length") o.rollout_length = static_cast<int>(v);
    else if (key == "rollout_starts") o.rollout_starts = static_cast<int64_t>(v);
    else if (key == "rollout_every") o.rollout_every = static_cast<int64_t>(v);
    else if (key == "retain_rounds") o.retain_rounds = static_cast<int>(v);
  }
  o.log_every = std::max<int64_t>(1, o.steps / 10);
  o.checkpoint_every = std::max<int64_t>(1000, o.steps / 5);  // an interrupted cell resumes from the last one
  return o;
}

void ValidateOfflineRl(const MethodSpec& m) {
  if (!m.planner.empty()) {
    throw ConfigError(StrCat("bench method '", m.name, "' of kind '", m.kind, "' takes no planner (it learns a policy)"));
  }
  const auto& keys = OfflineRlParamKeys();
  for (const auto& [key, value] : m.params) {
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
      std::string valid;
      for (const auto& k : keys) valid += (valid.empty() ? "" : ", ") + k;
      throw NotFoundError(StrCat("bench method '", m.name, "': unknown params key '", key, "' for kind '", m.kind,
                                 "'; valid keys: ", valid));
    }
  }
  if (m.model != "true" && m.model != "learned") {
    const std::string name = m.model.empty() ? std::string() : FactorySpec::Parse(m.model).name;
    if (m.model.empty() || !models::Models().Contains(name)) {
      throw NotFoundError(StrCat("bench method '", m.name, "': unknown model '", m.model, "' for kind '", m.kind,
                                 "'; valid models: learned (", kDefaultOfflineEnsemble,
                                 " trained on the dataset; params key 'ensemble' sets the spec), true (the simulator), "
                                 "or a model spec of ", models::Models().JoinedNames()));
    }
  }
  if (m.model == "learned" && m.params.contains("ensemble")) {
    const std::string name = FactorySpec::Parse(m.params.at("ensemble")).name;
    if (!models::Models().Contains(name)) {
      throw NotFoundError(StrCat("bench method '", m.name, "': unknown ensemble model '", name, "'; valid models: ",
                                 models::Models().JoinedNames()));
    }
  }
  ValidateRewardParam(m);
  ValidateBoxParam(m);
  if (m.model == "true" && WantsKnownReward(m)) {
    throw ConfigError(StrCat("bench method '", m.name, "': params reward 'known' applies to a learned model; the true "
                             "model's reward is already the env's"));
  }
  if (m.model == "true" && WantsDataBox(m)) {
    throw ConfigError(StrCat("bench method '", m.name, "': params box 'data' applies to a learned model, not to the "
                             "true model"));
  }
  OfflineOptions(m).Validate();  // e.g. RAVL with critics < 2
}

// Where the cell's agent checkpoint lives between an interruption and the rerun ("" without a cache dir).
std::string CachedAgentPath(const CellInputs& in) {
  if (in.cache_dir.empty()) return "";
  std::string key = StrCat(in.env->spec().id, "|", in.dataset->Digest(), "|", in.method.kind, "|", in.method.model,
                           "|", TrainEpochs(in), "|", in.seed);
  for (const auto& [k, v] : in.method.params) key += StrCat("|", k, "=", v);
  std::filesystem::create_directories(in.cache_dir);
  char hex[17];
  std::snprintf(hex, sizeof(hex), "%016llx", static_cast<unsigned long long>(StreamId({std::hash<std::string>{}(key)})));
  return in.cache_dir + "/agent-" + hex + ".ckpt";
}

CellResult RunOfflineRl(const CellInputs& in) {
  rl::OfflineRlOptions o = OfflineOptions(in.method);
  o.seed = in.seed;
  if (const Box* box = std::get_if<Box>(&in.env->spec().action)) {
    o.action_low = box->low;
    o.action_high = box->high;
  }
  double model_seconds = 0;
  std::shared_ptr<const WorldModel> model;       // the learned ensemble (null with the true model)
  std::shared_ptr<const WorldModel> true_model;  // the simulator as a WorldModel, when set from observations
  std::unique_ptr<rollouts::RolloutStepper> stepper;
  std::string model_desc;
  if (in.method.model == "true") {
    if (in.dataset->sim_state_dim() > 0) {
      stepper = rl::MakeSimStateStepper(*in.env, *in.dataset);
      model_desc = "true, restarted from recorded sim states";
    } else {
      true_model = LoadModelForEnv("true", *in.env);  // throws for an env that cannot be set from an observation
      stepper = std::make_unique<rollouts::WorldModelStepper>(*true_model, /*sample=*/false);
      model_desc = "true, set from observations";
    }
  } else {
    CellInputs ensemble = in;
    ensemble.method.model = OfflineEnsembleSpec(in.method);
    model = WithRewardAndBox(in, TrainedModel(ensemble, &model_seconds));
    stepper = std::make_unique<rollouts::WorldModelStepper>(*model, /*sample=*/true);
    model_desc = ensemble.method.model + ModelOptionsText(in.method);
  }
  in.executor->ApplyTorchThreads();
  const auto start = Clock::now();
  rl::OfflineRlTrainer trainer(o, *in.dataset, *stepper, model.get(), *in.executor);
  const std::string checkpoint = CachedAgentPath(in);
  const rl::OfflineRlResult trained = trainer.Run(checkpoint);
  const double agent_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  auto sac = std::make_shared<const rl::Sac>(std::move(trainer.sac()));
  rl::SacAgent agent(sac, StrCat(in.method.kind, " (", model_desc, ", ", o.steps, " steps)"));
  EvaluationReport trajectory;
  CellResult r = Score(in, agent, &trajectory);
  r.train_seconds = model_seconds + agent_seconds;
  r.checkpoint = checkpoint;
  if (!trained.log.empty()) {  // empty when the cell found its finished checkpoint
    const rl::OfflineRlLog& last = trained.log.back();
    double peak = 0;
    for (const auto& l : trained.log) peak = std::max(peak, l.metrics.q_abs_max);
    r.metrics = {{"q_abs_max", last.metrics.q_abs_max}, {"q_abs_max_peak", peak},
                 {"q_mean", last.metrics.q_mean},       {"critic_loss", last.metrics.critic_loss},
                 {"alpha", last.metrics.alpha},         {"penalty_mean", last.penalty_mean},
                 {"rollout_reward", last.rollout_reward}, {"steps", static_cast<double>(trained.final_step)},
                 {"updates_per_second", trained.seconds > 0 ? (trained.final_step - trained.start_step) / trained.seconds : 0}};
  }
  if (model) {
    r.model_error = ModelErrorAlong(*model, trajectory.observations, trajectory.actions, trajectory.obs_dim,
                                    trajectory.action_dim, in.model_error_horizon);
  }
  return r;
}

void NeedsNoModel(const MethodSpec& m) {
  if (!m.model.empty() || !m.planner.empty()) {
    throw ConfigError(StrCat("bench method '", m.name, "' of kind '", m.kind, "' takes no model or planner"));
  }
}

void ValidateMpc(const MethodSpec& m) {
  if (m.planner.empty()) throw ConfigError(StrCat("bench method '", m.name, "': kind 'mpc' needs a planner spec"));
  const std::string planner = FactorySpec::Parse(m.planner).name;
  const auto names = AnyPlannerNames();
  if (std::find(names.begin(), names.end(), planner) == names.end()) {
    std::string valid;
    for (const auto& n : names) valid += (valid.empty() ? "" : ", ") + n;
    throw NotFoundError(StrCat("bench method '", m.name, "': unknown planner '", planner, "'; valid planners: ", valid));
  }
  const bool beam = planner == "beam";
  const bool sequence = !m.model.empty() && m.model != "true" && models::IsSequenceModel(FactorySpec::Parse(m.model).name);
  if (beam != sequence) {
    throw ConfigError(StrCat("bench method '", m.name, "': planner '", planner, "' and model '", m.model,
                             "' do not go together: beam search plans over a sequence model (e.g. model: \"tt:...\"), "
                             "and a sequence model only with planner \"beam:...\""));
  }
  if (sequence && !m.params.empty()) {
    throw ConfigError(StrCat("bench method '", m.name, "': params reward / penalty / box apply to a world model, not to a sequence model"));
  }
  for (const auto& [key, value] : m.params) {
    if (key == "reward" || key == "box") continue;
    if (key == "penalty") {
      size_t used = 0;
      double v = -1;
      try {
        v = std::stod(value, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used != value.size() || !(v >= 0)) {
        throw ConfigError(StrCat("bench method '", m.name, "': params key 'penalty' = '", value,
                                 "' must be a number >= 0 (the objective's uncertainty weight)"));
      }
      continue;
    }
    throw NotFoundError(StrCat("bench method '", m.name, "': unknown params key '", key,
                               "' for kind 'mpc'; valid keys: reward (learned | known), penalty (uncertainty weight >= 0), box (none | data)"));
  }
  ValidateRewardParam(m);
  ValidateBoxParam(m);
  if (m.model == "true") {
    if (!m.params.empty()) {
      throw ConfigError(StrCat("bench method '", m.name, "': params reward / penalty / box apply to a learned model, not 'true'"));
    }
    return;
  }
  if (m.model.empty()) {
    throw ConfigError(StrCat("bench method '", m.name, "': kind 'mpc' needs a model ('true' or a model spec)"));
  }
  const std::string model = FactorySpec::Parse(m.model).name;
  if (!models::Models().Contains(model) && !models::IsSequenceModel(model)) {
    throw NotFoundError(StrCat("bench method '", m.name, "': unknown model '", model, "'; valid models: true, ",
                               models::Models().JoinedNames(), ", ", models::SequenceModels().JoinedNames()));
  }
}

std::map<std::string, CellKind>& Kinds() {
  static auto* kinds = new std::map<std::string, CellKind>{
      {"mpc",
       {"mpc", "model-predictive control: train `model` on the dataset ('true': the simulator) and plan with `planner`",
        true, ValidateMpc, RunMpc}},
      {"bc", {"bc", "behaviour cloning of the dataset (small MLP policy)", false, NeedsNoModel, RunBc}},
      {"dataset", {"dataset", "the dataset's own behaviour returns (no agent)", false, NeedsNoModel, RunDataset}},
      {"ravl",
       {"ravl", "RAVL offline RL (Q-ensemble, no penalty) on k-step rollouts of model 'learned' or 'true'; params: "
                "steps, critics, hidden, ...",
        false, ValidateOfflineRl, RunOfflineRl}},
      {"mopo",
       {"mopo", "MOPO offline RL (uncertainty-penalized reward) on rollouts of model 'learned' or 'true'", false,
        ValidateOfflineRl, RunOfflineRl}},
      {"mobile",
       {"mobile", "MOBILE offline RL (Bellman-disagreement penalty) on rollouts of model 'learned' or 'true'", false,
        ValidateOfflineRl, RunOfflineRl}},
  };
  return *kinds;
}

std::mutex& KindsMutex() {
  static std::mutex m;
  return m;
}

}  // namespace

nlohmann::json ToJson(const CellResult& r) {
  nlohmann::json j{{"agent", r.agent},
                   {"returns", r.returns},
                   {"mean_return", r.mean_return},
                   {"std_return", r.std_return},
                   {"mean_action_ms", r.mean_action_ms},
                   {"p99_action_ms", r.p99_action_ms},
                   {"evaluations_per_action", r.evaluations_per_action},
                   {"train_seconds", r.train_seconds},
                   {"model_error", r.model_error}};
  if (!r.checkpoint.empty()) j["checkpoint"] = r.checkpoint;
  if (!r.metrics.empty()) j["metrics"] = r.metrics;
  if (r.normalized_mean) {
    j["normalized_mean"] = *r.normalized_mean;
    j["normalized_std"] = *r.normalized_std;
    j["normalization"] = r.normalization;
  }
  return j;
}

void RegisterCellKind(CellKind kind) {
  std::lock_guard lock(KindsMutex());
  AUGUR_CHECK(!Kinds().contains(kind.name)) << "cell kind '" << kind.name << "' registered twice";
  const std::string name = kind.name;
  Kinds().emplace(name, std::move(kind));
}

const CellKind& FindCellKind(const std::string& name) {
  std::lock_guard lock(KindsMutex());
  auto it = Kinds().find(name);
  if (it == Kinds().end()) {
    std::string valid;
    for (const auto& [n, k] : Kinds()) valid += (valid.empty() ? "" : ", ") + n;
    throw NotFoundError(StrCat("unknown bench cell kind '", name, "'; valid kinds: ", valid));
  }
  return it->second;
}

std::vector<std::string> CellKindNames() {
  std::lock_guard lock(KindsMutex());
  std::vector<std::string> names;
  for (const auto& [n, k] : Kinds()) names.push_back(n);
  return names;
}

std::string ApplyBudget(const std::string& planner_spec, const std::string& budget) {
  if (budget.empty()) return planner_spec;
  FactorySpec spec = FactorySpec::Parse(planner_spec);
  const FactorySpec extra = FactorySpec::Parse("budget:" + budget);
  for (const auto& [key, value] : extra.params) {
    auto it = std::find_if(spec.params.begin(), spec.params.end(), [&](const auto& p) { return p.first == key; });
    if (it != spec.params.end()) it->second = value;
    else spec.params.emplace_back(key, value);
  }
  return spec.ToString();
}

void Normalize(const std::string& env_id, int max_steps, int env_limit, CellResult& r) {
  const auto ref = ReferenceFor(env_id);
  if (!ref) return;
  ReferenceReturns scaled = *ref;
  r.normalization = ref->source;
  if (max_steps > 0 && env_limit > 0 && max_steps < env_limit) {
    const double f = static_cast<double>(max_steps) / env_limit;
    scaled.random *= f;
    scaled.expert *= f;
    r.normalization += StrCat(", scaled by ", max_steps, "/", env_limit, " steps");
  }
  double s = 0, s2 = 0;
  for (double x : r.returns) {
    const double v = NormalizedScore(x, scaled);
    s += v, s2 += v * v;
  }
  const double n = static_cast<double>(r.returns.size());
  if (n == 0) return;
  r.normalized_mean = s / n;
  r.normalized_std = n > 1 ? std::sqrt(std::max(0.0, (s2 - n * s / n * s / n) / (n - 1))) : 0.0;
}

}  // namespace augur::agents
