#include "augur/agents/pets.h"

#include <chrono>

#include "augur/agents/agent.h"
#include "augur/agents/collect.h"
#include "augur/agents/evaluate.h"
#include "augur/core/error.h"
#include "augur/core/logging.h"
#include "augur/core/progress.h"
#include "augur/core/rng.h"
#include "augur/data/dataset_builder.h"
#include "augur/envs/registry.h"
#include "augur/models/dataset_adapter.h"
#include "augur/models/factory.h"
#include "augur/planners/factory.h"

namespace augur::agents {

void PetsOptions::Validate() const {
  if (initial_episodes < 1) throw ConfigError(StrCat("pets: initial_episodes = ", initial_episodes, " must be >= 1"));
  if (rounds < 1) throw ConfigError(StrCat("pets: rounds = ", rounds, " must be >= 1"));
  if (episodes_per_round < 1) {
    throw ConfigError(StrCat("pets: episodes_per_round = ", episodes_per_round, " must be >= 1"));
  }
  if (max_steps < 0) throw ConfigError(StrCat("pets: max_steps = ", max_steps, " must be >= 0"));
  train.Validate();
}

PetsReport RunPets(const PetsOptions& options, Executor& executor, Progress* progress) {
  options.Validate();
  auto env = envs::Make(options.env);
  const EnvSpec& spec = env->spec();
  PetsReport report;
  report.dataset = CollectDataset({.env = options.env, .policy = "random", .episodes = options.initial_episodes,
                                   .seed = options.seed, .max_steps = options.max_steps,
                                   .record_sim_states = false});
  Box bounds;
  if (const auto* box = std::get_if<Box>(&spec.action)) bounds = *box;
  for (int r = 0; r < options.rounds; ++r) {
    PetsRound round;
    round.round = r + 1;
    round.dataset_rows = report.dataset.size();
    auto model = models::Create(options.model, {.obs_dim = spec.obs_dim(), .action_dim = spec.action_dim(),
                                                .action_bounds = bounds, .env_id = spec.id});
    models::TrainOptions train = options.train;
    train.seed = StreamId({options.seed, static_cast<uint64_t>(r)});
    train.data_digest = report.dataset.Digest();
    const auto start = std::chrono::steady_clock::now();
    model->Train(models::ToTransitions(report.dataset), train, nullptr);
    round.train_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::shared_ptr<const WorldModel> shared = std::move(model);
    MpcAgent agent(MakePlanner(options.planner, {.model = shared, .seed = options.seed}, executor), {});
    // Act, recording the episodes as data for the next round.
    data::DatasetBuilder builder(spec.obs_dim(), spec.action_dim());
    double action_ms = 0;
    int64_t actions = 0;
    for (int e = 0; e < options.episodes_per_round; ++e) {
      const uint64_t seed = StreamId({options.seed, 1000003u, static_cast<uint64_t>(r), static_cast<uint64_t>(e)});
      std::vector<float> obs = env->Reset(seed);
      agent.Reset(seed);
      double ret = 0;
      const int limit = options.max_steps > 0 ? options.max_steps : spec.max_steps;
      for (int t = 0; limit <= 0 || t < limit; ++t) {
        const auto t0 = std::chrono::steady_clock::now();
        const std::vector<float> action = agent.Act(obs);
        action_ms += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        ++actions;
        envs::StepResult step = env->Step(action);
        const bool time_limit = step.truncated || (limit > 0 && t + 1 == limit);
        builder.AddStep(obs, action, static_cast<float>(step.reward), step.observation, step.terminated,
                        time_limit && !step.terminated);
        ret += step.reward;
        obs = std::move(step.observation);
        if (step.terminated || time_limit) break;
      }
      round.returns.push_back(ret);
    }
    round.mean_action_ms = actions ? action_ms / actions : 0.0;
    report.dataset = data::Concat({report.dataset, builder.Build(report.dataset.metadata())});
    double mean = 0;
    for (double x : round.returns) mean += x / round.returns.size();
    Log().info("pets round {}: trained on {} rows in {:.1f} s, MPC return {:.1f}, {:.2f} ms per action", round.round,
               round.dataset_rows, round.train_seconds, mean, round.mean_action_ms);
    report.rounds.push_back(std::move(round));
    if (progress) {
      progress->SetMetric("return", mean);
      progress->Advance();
    }
  }
  return report;
}

}  // namespace augur::agents
