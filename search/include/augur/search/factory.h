// Search planners from spec strings, one registry (the planners/ registry's counterpart; agents/' MakeAnyPlanner
// joins the two so that a command line takes either kind):
//   "mcts:sims=25,c=1.0,discount=0.99,depth=50,evaluator=rollout,rollout_depth=20,rollouts=1"
// Keys: sims, c, discount, depth, normalize, reuse, tol, root (puct | gumbel), gumbel_actions,
// chance (expand | sample), max_nodes, in_flight, virtual_loss, eval_batch, widening, pw_c, pw_alpha, pw_max,
// pw_proposal (uniform | local), pw_sigma; evaluator (rollout | null) with
// rollout_depth and rollouts, unless SearchInputs::evaluator is given. Unknown planner -> NotFoundError listing
// the names; unknown key -> ConfigError listing the valid keys; a missing model -> ConfigError.
//   "beam:width=32,horizon=15,expand=2,select=sample,cdf=0.6,cache=true" (beam search over SequenceInputs'
//   sequence model: search/beam.h)
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "augur/core/executor.h"
#include "augur/core/planner.h"
#include "augur/core/sequence_model.h"
#include "augur/core/world_model.h"
#include "augur/search/evaluator.h"

namespace augur::search {

struct SearchInputs {
  std::shared_ptr<const WorldModel> model;  // the model searched over (discrete actions)
  std::shared_ptr<Evaluator>
      evaluator;  // optional: a ready leaf evaluator (the spec's evaluator keys are then not allowed)
  uint64_t seed = 0;
  std::shared_ptr<const SequenceModel> sequence_model;  // what beam search plans over (a trained "tt" model)
};

std::unique_ptr<Planner> MakeSearchPlanner(std::string_view spec, const SearchInputs& inputs, Executor& executor);
bool IsSearchPlanner(std::string_view name);
std::vector<std::string> SearchPlannerNames();
// A search planner's description and keys, for --help. Throws NotFoundError.
std::string SearchPlannerHelp(std::string_view name);

}  // namespace augur::search
