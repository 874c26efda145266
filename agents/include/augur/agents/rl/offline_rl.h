// Offline model-based RL on branched rollouts: RAVL, MOPO and MOBILE as one code path with one config.
//
// Every `rollout_every` gradient steps, `rollout_starts` start states are drawn from the dataset and rolled
// `rollout_length` steps with the current policy through a RolloutStepper (a learned ensemble or the true
// simulator) into a ring buffer holding `retain_rounds` rounds; each gradient step trains SAC on a batch
// with `real_ratio` dataset rows and the rest synthetic. The methods differ only in the reward penalty and
// the critic ensemble:
//   ravl:   no penalty; `critics` (>= 2, default 10) with min targets and the EDAC term (eta, default 1).
//   mopo:   reward - penalty * model uncertainty (max over members of the predicted std norm); 2 critics.
//   mobile: reward - penalty * std over model members of the soft Bellman target of each member's next
//           state (members' mean predictions; the paper draws several samples per member); 2 critics.
//   sac:    no penalty, any critic count, eta 0 by default: the unprotected baseline (the toy's single critic).
// With the true model the uncertainty and the member spread are 0, so MOPO and MOBILE become plain SAC on
// truncated rollouts: the edge-of-reach finding (PAPERS.md, RAVL section) is that they then fail.
//
// Defaults follow the RAVL reference (anyasims/edge-of-reach train_ravl_agent.py): batch 256, 5 % real
// data, rollout length 5, 50 000 start states per round, 1000 updates per round, 5 rounds retained.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "augur/agents/rl/sac.h"
#include "augur/core/executor.h"
#include "augur/core/world_model.h"
#include "augur/data/dataset.h"
#include "augur/rollouts/branched_rollouts.h"

namespace augur {
class Progress;
}
namespace augur::envs {
class Env;
}

namespace augur::agents::rl {

struct OfflineRlOptions {
  std::string method = "ravl";   // ravl | mopo | mobile | sac
  int critics = 0;               // 0: the method's default (ravl 10, mopo / mobile 2, sac 1)
  double eta = -1;               // < 0: the method's default (ravl 1, else 0)
  double penalty = 1.0;          // MOPO lambda / MOBILE beta (>= 0)
  int hidden = 256, layers = 3;  // actor and critic MLPs
  double gamma = 0.99, tau = 5e-3;
  double actor_lr = 3e-4, critic_lr = 3e-4, alpha_lr = 3e-4;
  bool auto_alpha = true;        // tune the entropy coefficient (else keep `alpha`)
  double alpha = 1.0;            // initial or fixed entropy coefficient
  int64_t steps = 100000;        // total gradient steps (a resumed run continues up to this)
  int batch = 256;
  double real_ratio = 0.05;      // share of dataset rows per batch, [0, 1]
  int rollout_length = 5;        // k
  int64_t rollout_starts = 50000;
  int64_t rollout_every = 1000;  // gradient steps per rollout round
  int retain_rounds = 5;         // rounds the synthetic buffer holds
  int64_t checkpoint_every = 5000;  // 0: only at the end
  int64_t log_every = 1000;
  uint64_t seed = 0;
  // Action bounds; empty: the dataset's env spec when it has a Box, else [-1, 1].
  std::vector<float> action_low, action_high;

  // Method defaults filled in (critics, eta).
  OfflineRlOptions Resolved() const;
  // Throws ConfigError naming the field and the reason (e.g. RAVL with fewer than 2 critics).
  void Validate() const;
};

// Checks what offline RL needs from a dataset: next observations for every row and finite rewards.
// Throws DataError naming the column and the first bad row.
void CheckOfflineDataset(const data::Dataset& dataset);

struct OfflineRlLog {
  int64_t step = 0;
  SacMetrics metrics;
  double penalty_mean = 0;       // mean reward penalty of the last rollout round
  double rollout_reward = 0;     // mean (unpenalized) reward of the last rollout round
  double rollout_seconds = 0;    // time of the last rollout round
  int64_t buffer_rows = 0;
  double seconds = 0;            // since Run started
  double updates_per_second = 0; // gradient steps per second since the previous log
};

struct OfflineRlResult {
  int64_t start_step = 0;        // > 0 when resumed from a checkpoint
  int64_t final_step = 0;
  std::vector<OfflineRlLog> log;
  double seconds = 0;
  double rollout_seconds = 0;    // total time in rollouts
  int64_t rollout_transitions = 0;
};

class OfflineRlTrainer {
 public:
  // `dataset` and `stepper` must outlive the trainer. `model` is the world model behind the stepper, needed by
  // MOBILE's per-member targets (null with the true model: the member spread is then 0).
  OfflineRlTrainer(const OfflineRlOptions& options, const data::Dataset& dataset,
                   rollouts::RolloutStepper& stepper, const WorldModel* model, Executor& executor);
  ~OfflineRlTrainer();

  // Trains up to options.steps. When `checkpoint` names an existing file, resumes from it (the update count
  // and every optimizer state come back; the synthetic buffer is refilled by a fresh rollout round). Writes
  // the checkpoint every checkpoint_every steps and at the end ("" = never). A non-finite loss stops
  // training with a StateError naming the step and the last good checkpoint, which is left untouched.
  OfflineRlResult Run(const std::string& checkpoint, Progress* progress = nullptr,
                      const std::function<void(const OfflineRlLog&)>& on_log = {});

  Sac& sac();
  const OfflineRlOptions& options() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The true simulator as a rollout stepper: restarts a clone of `prototype` from each start row's full sim
// state recorded in `dataset` (sim_states column) and keeps each row's simulator state across the rollout.
// Throws DataError when the dataset has no sim states of the env's size.
std::unique_ptr<rollouts::RolloutStepper> MakeSimStateStepper(const envs::Env& prototype,
                                                              const data::Dataset& dataset);

}  // namespace augur::agents::rl
