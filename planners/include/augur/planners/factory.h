// Planners from spec strings, one registry:
//   "rs:pop=1000,horizon=30"
//   "cem:pop=500,elites=50,iters=5,horizon=30"
//   "icem:pop=300,elites=30,iters=3,horizon=30,beta=2.0"
//   "mppi:samples=512,iters=6,elites=64,horizon=16,temperature=0.5"
// Keys every planner takes: horizon, iters, predict (fill predicted states). With a model (not a ready
// evaluator) also the rollout keys: particles, propagation (ts1 | tsinf | expectation), chunk, sample,
// penalty (model | disagreement). PlannerHelp(name) lists a planner's keys with defaults and ranges.
// Unknown planner -> NotFoundError listing the names; unknown key -> ConfigError listing the valid keys;
// a missing input -> ConfigError naming it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "augur/core/executor.h"
#include "augur/core/objective.h"
#include "augur/core/planner.h"
#include "augur/core/sequence_model.h"
#include "augur/core/world_model.h"
#include "augur/planners/mppi.h"
#include "augur/planners/planner_batch.h"

namespace augur {

// What a planner is built from: either a model plus an objective (the factory builds a ModelEvaluator from
// the spec's rollout keys; needed for batched planning, one evaluator per robot), or a ready evaluator.
struct PlannerInputs {
  std::shared_ptr<const WorldModel> model;       // the model to plan with (with `objective`)
  Objective objective = Objective::Reward();     // what to maximize over the model's predictions
  std::shared_ptr<SequenceEvaluator> evaluator;  // instead of model + objective: a ready evaluator
  ActionPrior prior;                             // optional policy prior (used by mppi)
  uint64_t seed = 0;                             // initial seed (Planner::Reset reseeds)
  std::shared_ptr<const SequenceModel> sequence_model;  // for beam search (search/): a trained sequence model
};

// Throws NotFoundError (unknown planner), ConfigError (bad key or value, missing or conflicting inputs).
std::unique_ptr<Planner> MakePlanner(std::string_view spec, const PlannerInputs& inputs, Executor& executor);
// `robots` planners of one spec, robot i seeded StreamId({inputs.seed, i}); needs a model (not an evaluator)
// when robots > 1.
std::unique_ptr<PlannerBatch> MakePlannerBatch(std::string_view spec, const PlannerInputs& inputs, int64_t robots,
                                               Executor& executor);

// Registered planner names, sorted.
std::vector<std::string> PlannerNames();
// A planner's description and its keys (with rollout keys), for --help. Throws NotFoundError.
std::string PlannerHelp(std::string_view name);

}  // namespace augur
