// Benchmark cells: one (env, dataset, method, compute budget, seed) point of an `augur bench` grid, and the
// registry of cell kinds that run them. A kind turns a dataset into an agent (train a model and plan with
// it, clone the behaviour, ...) and scores it in the env; the grid runner (apps/src/cmd_bench.cc) knows
// nothing about any kind. Adding a method family is one RegisterCellKind call (see bench_cell.cc for the
// built-in kinds; an mcts, beam-search or offline-RL kind is the same few lines).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "augur/data/dataset.h"

namespace augur {
class Executor;
}
namespace augur::envs {
class Env;
}

namespace augur::agents {

// One method of the grid, as the config gives it (plain mirror of proto BenchMethod).
struct MethodSpec {
  std::string name;     // label in results and plots
  std::string kind;     // registered cell kind
  std::string model;    // kind "mpc": "true" or a model spec ("ensemble:members=5,...")
  std::string planner;  // kind "mpc": planner spec; the budget's keys override its keys
  int train_epochs = 0; // model / policy training epochs (0 = the kind's default)
  std::map<std::string, std::string> params;  // kind-specific extras
};

struct CellInputs {
  const envs::Env* env = nullptr;          // the reference env (clone it to act)
  const data::Dataset* dataset = nullptr;  // its dims are checked against the env before any cell runs
  std::string dataset_name;
  MethodSpec method;
  std::string budget;          // planner key overrides, e.g. "pop=64,iters=2" ("" = the spec as given)
  uint64_t seed = 0;
  int episodes = 5;
  int max_steps = 0;           // evaluation episode length (0 = the env's limit)
  int model_error_horizon = 10;
  std::string cache_dir;       // where a kind may keep trained models between cells and runs ("" = none)
  Executor* executor = nullptr;
};

struct CellResult {
  std::vector<double> returns;           // per evaluation episode
  double mean_return = 0, std_return = 0;
  std::optional<double> normalized_mean, normalized_std;
  std::string normalization;             // what the normalized score is relative to
  double mean_action_ms = 0, p99_action_ms = 0;
  double evaluations_per_action = 0;     // model transitions predicted per action (the compute measure)
  double train_seconds = 0;
  std::vector<double> model_error;       // RMSE of open-loop predictions at horizon 1..H (empty: not measured)
  std::string agent;                     // the agent's name
  std::string checkpoint;                // a trained agent's checkpoint (offline RL kinds; "" = none kept)
  // Kind-specific training figures, e.g. the offline RL kinds' final critic statistics ("q_abs_max": max |Q|
  // over critics on the last logged batch, "q_abs_max_peak": its maximum over the run, "q_mean", ...).
  std::map<std::string, double> metrics;
};

nlohmann::json ToJson(const CellResult& result);

struct CellKind {
  std::string name, help;
  bool uses_budget = false;  // one cell per compute budget (planners); else one cell whatever the budgets
  // Checks a method of this kind before any work; throws ConfigError / NotFoundError naming the field.
  std::function<void(const MethodSpec&)> validate;
  std::function<CellResult(const CellInputs&)> run;
};

// Adds a kind (AUGUR_CHECK: not registered twice). Built-in kinds: "mpc", "bc", "dataset", and the offline
// model-based RL kinds "ravl", "mopo", "mobile" (agents/rl/offline_rl.h; model "learned" or "true", the
// gradient-step budget and sizes in params).
void RegisterCellKind(CellKind kind);
// Throws NotFoundError listing the registered kinds.
const CellKind& FindCellKind(const std::string& name);
std::vector<std::string> CellKindNames();

// "icem:pop=100,horizon=15" with budget "pop=64,iters=2" -> "icem:pop=64,horizon=15,iters=2".
std::string ApplyBudget(const std::string& planner_spec, const std::string& budget);

// Scores returns in the env's reference scale: D4RL's / NeoRL-2's / augur's (ReferenceFor), scaled by
// steps / env limit when episodes are cut shorter (both references are sums over a full episode).
void Normalize(const std::string& env_id, int max_steps, int env_limit, CellResult& result);

}  // namespace augur::agents
