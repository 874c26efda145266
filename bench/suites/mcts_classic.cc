// MCTS with the true env as model (EnvModel) on the discrete classic control tasks, in CWMB's setting
// (25 simulations, c = 1.0), scored as 100 * (R - R_random) / (R_best - R_random) with agents::ReferenceFor.
//   build/bench/suites/augur_mcts_classic [episodes=5] [spec="mcts:sims=25,c=1.0"]
//   build/bench/suites/augur_mcts_classic --smoke   (1 episode, 5 simulations: keeps the program working)
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "augur/agents/agent.h"
#include "augur/agents/evaluate.h"
#include "augur/core/executor.h"
#include "augur/envs/env_model.h"
#include "augur/envs/registry.h"
#include "augur/search/factory.h"

int main(int argc, char** argv) {
  const bool smoke = argc > 1 && std::string(argv[1]) == "--smoke";
  const int episodes = smoke ? 1 : (argc > 1 ? std::atoi(argv[1]) : 5);
  const std::string spec = smoke ? "mcts:sims=5,c=1.0,rollout_depth=5" : (argc > 2 ? argv[2] : "mcts:sims=25,c=1.0");
  if (episodes < 1) {
    std::fprintf(stderr, "episodes = %d must be >= 1\n", episodes);
    return 2;
  }
  augur::Executor executor(1);
  std::printf("%-16s %-28s %8s %10s %10s %12s %10s\n", "env", "planner", "episodes", "return", "std", "normalized",
              "ms/action");
  for (const char* id : {"CartPole-v1", "MountainCar-v0", "Acrobot-v1"}) {
    auto env = augur::envs::Make(id);
    augur::search::SearchInputs in;
    in.model = std::make_shared<augur::envs::EnvModel>(*env);
    in.seed = 0;
    std::shared_ptr<augur::Planner> planner = augur::search::MakeSearchPlanner(spec, in, executor);
    augur::agents::MpcAgent agent(planner, {});
    augur::agents::EvaluationOptions options;
    options.episodes = episodes;
    options.record_trajectory = false;
    const augur::agents::EvaluationReport report = augur::agents::Evaluate(*env, agent, options);
    std::printf("%-16s %-28s %8d %10.2f %10.2f %12s %10.3f\n", id, spec.c_str(), episodes, report.mean_return,
                report.std_return, report.normalized_mean ? std::to_string(*report.normalized_mean).c_str() : "n/a",
                report.mean_action_ms);
  }
  return 0;
}
