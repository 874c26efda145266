#include "augur/agents/any_planner.h"

#include <algorithm>

#include "augur/core/error.h"
#include "augur/core/factory.h"
#include "augur/search/factory.h"

namespace augur {

std::unique_ptr<Planner> MakeAnyPlanner(std::string_view spec, const PlannerInputs& inputs, Executor& executor) {
  const FactorySpec parsed = FactorySpec::Parse(spec);
  if (search::IsSearchPlanner(parsed.name)) {
    if (inputs.evaluator) {
      throw ConfigError(StrCat("planner '", parsed.name,
                               "' searches over a model: pass PlannerInputs::model, not a SequenceEvaluator"));
    }
    const Objective& o = inputs.objective;
    if (o.uncertainty_weight != 0.0 || !o.goal.empty() || o.terminal_value) {
      throw ConfigError(StrCat("planner '", parsed.name,
                               "' maximizes the model's discounted reward only; drop the objective's penalty, goal "
                               "and terminal value (or use a continuous planner)"));
    }
    return search::MakeSearchPlanner(
        spec, search::SearchInputs{inputs.model, nullptr, inputs.seed, inputs.sequence_model}, executor);
  }
  const std::vector<std::string> names = PlannerNames();
  if (std::find(names.begin(), names.end(), parsed.name) == names.end()) {
    std::string all;
    for (const std::string& n : AnyPlannerNames()) all += (all.empty() ? "" : ", ") + n;
    throw NotFoundError(StrCat("unknown planner '", parsed.name, "' in '", spec, "'; valid planners: ", all));
  }
  if (!inputs.model && !inputs.evaluator && inputs.sequence_model) {
    throw ConfigError(StrCat("planner '", parsed.name, "' plans over a world model, but a sequence model was given; "
                             "plan with it through beam search (e.g. beam:width=32,horizon=15)"));
  }
  return MakePlanner(spec, inputs, executor);
}

std::vector<std::string> AnyPlannerNames() {
  std::vector<std::string> names = PlannerNames();
  for (std::string& n : search::SearchPlannerNames()) names.push_back(std::move(n));
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace augur
