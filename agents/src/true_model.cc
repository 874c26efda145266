#include "augur/agents/true_model.h"

#include <algorithm>
#include <atomic>
#include <cmath>

#include "augur/core/error.h"
#include "augur/planners/factory.h"

namespace augur::agents {

SimStateEvaluator::SimStateEvaluator(const envs::Env& prototype, double discount, int64_t chunk)
    : prototype_(prototype.Clone()), discount_(discount), chunk_(chunk) {
  if (!(discount > 0 && discount <= 1)) {
    throw ConfigError(StrCat("SimStateEvaluator: discount = ", discount, " must be in (0, 1]"));
  }
  if (chunk < 1) throw ConfigError(StrCat("SimStateEvaluator: chunk = ", chunk, " must be >= 1"));
}

SimStateEvaluator::~SimStateEvaluator() = default;

Box SimStateEvaluator::action_bounds() const {
  if (const Box* box = std::get_if<Box>(&prototype_->spec().action)) return *box;
  return SequenceEvaluator::action_bounds();
}

void SimStateEvaluator::SetSimState(std::span<const double> state) {
  pending_.assign(state.begin(), state.end());
  has_pending_ = true;
}

void SimStateEvaluator::SetStart(std::span<const float> obs) {
  if (has_pending_) {
    prototype_->SetState(pending_);
    has_pending_ = false;
  } else if (prototype_->CanSetFromObservation()) {
    prototype_->SetFromObservation(obs);
  } else {
    throw StateError(StrCat("true-model planner on ", prototype_->spec().id,
                            ": the observation does not determine the simulator state; pass the state with "
                            "SetSimState before every plan (TrueModelMpcAgent does, through Evaluate)"));
  }
  start_ = prototype_->GetState();
}

envs::Env& SimStateEvaluator::WorkerEnv(int worker) { return *workers_[worker]; }

bool SimStateEvaluator::Evaluate(std::span<const float> actions, int64_t n, int64_t horizon, uint64_t, uint64_t,
                                 std::span<float> returns, Executor& executor,
                                 std::optional<Clock::time_point> deadline) {
  if (start_.empty()) throw StateError("SimStateEvaluator::Evaluate before SetStart");
  while (static_cast<int>(workers_.size()) < executor.threads()) workers_.push_back(prototype_->Clone());
  const int64_t a = action_dim();
  std::atomic<bool> skipped{false};
  executor.ParallelFor(n, chunk_, [&](int64_t begin, int64_t end, int64_t) {
    if (deadline && Clock::now() > *deadline) {
      skipped = true;
      return;
    }
    envs::Env& env = WorkerEnv(executor.worker_index());
    std::vector<float> obs(obs_dim());
    for (int64_t i = begin; i < end; ++i) {
      env.SetState(start_);
      double ret = 0, scale = 1;
      for (int64_t t = 0; t < horizon; ++t) {
        const envs::StepInfo info =
            env.StepInto(actions.subspan((i * horizon + t) * a, a), obs);
        ret += scale * info.reward;
        scale *= discount_;
        if (info.terminated) break;
      }
      returns[i] = static_cast<float>(ret);
    }
  });
  return !skipped;
}

void SimStateEvaluator::PredictStates(std::span<const float> actions, int64_t horizon, std::span<float> states) {
  if (start_.empty()) throw StateError("SimStateEvaluator::PredictStates before SetStart");
  const int64_t o = obs_dim(), a = action_dim();
  envs::Env& env = *prototype_;
  env.SetState(start_);
  env.ObservationInto(states.subspan(0, o));
  bool done = false;
  for (int64_t t = 0; t < horizon; ++t) {
    std::span<float> out = states.subspan((t + 1) * o, o);
    if (done) {
      std::copy_n(states.begin() + t * o, o, out.begin());
      continue;
    }
    done = env.StepInto(actions.subspan(t * a, a), out).terminated;
  }
  env.SetState(start_);
}

TrueModelMpcAgent::TrueModelMpcAgent(const envs::Env& prototype, std::string_view planner_spec, Executor& executor,
                                     MpcAgent::Options options)
    : evaluator_(std::make_shared<SimStateEvaluator>(prototype)) {
  PlannerInputs inputs;
  inputs.evaluator = evaluator_;
  mpc_ = std::make_unique<MpcAgent>(std::shared_ptr<Planner>(MakePlanner(planner_spec, inputs, executor)), options);
}

TrueModelMpcAgent::~TrueModelMpcAgent() = default;

std::string TrueModelMpcAgent::name() const { return "true-" + mpc_->name(); }

void NoisyAgent::Options::Validate() const {
  if (!(random_prob >= 0 && random_prob <= 1)) {
    throw ConfigError(StrCat("NoisyAgent: random_prob = ", random_prob, " must be in [0, 1]"));
  }
  if (!(sigma >= 0)) throw ConfigError(StrCat("NoisyAgent: sigma = ", sigma, " must be >= 0"));
}

NoisyAgent::NoisyAgent(std::shared_ptr<Agent> inner, const Box& action_box, Options options)
    : inner_(std::move(inner)), box_(action_box), options_(options) {
  if (!inner_) throw ConfigError("NoisyAgent: inner agent is null");
  options_.Validate();
}

void NoisyAgent::set_options(const Options& options) {
  options.Validate();
  options_ = options;
}

std::string NoisyAgent::name() const {
  return StrCat("noisy(", inner_->name(), ", random_prob=", options_.random_prob, ", sigma=", options_.sigma, ")");
}

void NoisyAgent::Reset(uint64_t seed) {
  inner_->Reset(seed);
  rng_ = Rng(seed, /*stream=*/0x6e6f697379);
}

std::vector<float> NoisyAgent::Act(std::span<const float> obs) {
  std::vector<float> action = inner_->Act(obs);  // the inner agent plans every step (keeps its warm start)
  const double u = rng_.UniformDouble();
  for (size_t i = 0; i < action.size(); ++i) {
    const float low = box_.low[i], high = box_.high[i];
    if (u < options_.random_prob) {
      action[i] = rng_.Uniform(low, high);
    } else if (options_.sigma > 0) {
      action[i] = std::clamp(action[i] + static_cast<float>(options_.sigma) * 0.5f * (high - low) * rng_.Normal(),
                             low, high);
    }
  }
  return action;
}

}  // namespace augur::agents
