// One factory for every planner family: planners/' continuous planners ("cem:...", "icem:...") and search/'s
// tree search ("mcts:..."). planners/ must not depend on search/, so the join lives here, in agents/, which
// depends on both.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "augur/core/executor.h"
#include "augur/core/planner.h"
#include "augur/planners/factory.h"

namespace augur {

// A search planner when the spec's name is registered in search/ (it uses inputs.model and inputs.seed, and
// maximizes the model's discounted reward: a non-default objective or a ready SequenceEvaluator is a
// ConfigError), else MakePlanner. Unknown names -> NotFoundError listing both families.
std::unique_ptr<Planner> MakeAnyPlanner(std::string_view spec, const PlannerInputs& inputs, Executor& executor);
// Every planner name of both families, sorted.
std::vector<std::string> AnyPlannerNames();

}  // namespace augur
