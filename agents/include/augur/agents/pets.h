// The PETS online loop (Chua et al. 2018): collect a few random episodes, then repeat {train the ensemble on
// everything so far, act with model-predictive control for some episodes, add them to the data}.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "augur/data/dataset.h"
#include "augur/models/train_options.h"

namespace augur {
class Executor;
class Progress;
}  // namespace augur

namespace augur::agents {

struct PetsOptions {
  std::string env = "Pendulum-v1";
  std::string model = "ensemble:members=5,elites=3,hidden=96,layers=3";  // model spec
  std::string planner = "icem:pop=100,elites=10,iters=3,horizon=15,particles=5";  // planner spec
  int initial_episodes = 5;       // random-policy episodes before the first training round
  int rounds = 5;                 // train-then-act rounds (>= 1)
  int episodes_per_round = 1;     // MPC episodes per round, added to the data
  int max_steps = 0;              // steps per episode; 0 = the env's time limit
  uint64_t seed = 0;
  models::TrainOptions train;     // per round (the model is retrained from scratch each round)
  void Validate() const;
};

struct PetsRound {
  int round = 0;
  int64_t dataset_rows = 0;        // rows the model was trained on
  double train_seconds = 0;
  std::vector<double> returns;     // returns of this round's MPC episodes
  double mean_action_ms = 0;
};

struct PetsReport {
  std::vector<PetsRound> rounds;
  data::Dataset dataset;           // everything collected
};

PetsReport RunPets(const PetsOptions& options, Executor& executor, Progress* progress = nullptr);

}  // namespace augur::agents
