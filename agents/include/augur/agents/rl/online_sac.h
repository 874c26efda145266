// Online SAC in a reference env: the RL expert of the graded locomotion datasets (D4RL trained SAC agents for
// its medium and expert policies and kept the replay buffer of a run stopped at the medium level as
// medium-replay; Fu et al. 2020, PAPERS.md). Standard SAC (Haarnoja et al. 2018): uniform random actions for
// the first `start_steps` env steps, then the stochastic policy; one gradient step per env step once
// `update_after` steps are in the replay buffer; 2 critics of 2 x 256, Adam 3e-4, batch 256, gamma 0.99,
// tau 5e-3, entropy coefficient tuned to -|A|.
//
// Everything goes under one output folder:
//   replay.rec        every finished training episode with its simulator states (crash-safe record file,
//                     fsynced per episode): the medium-replay data, and the replay buffer of a resumed run
//   sac.ckpt          policy and critics at the last evaluation (written atomically)
//   policy-<step>.ckpt  a snapshot at every evaluation, to pick a medium or an expert policy from
//   evals.json        every evaluation: step, episodes recorded, mean / std return, normalized score, snapshot
//                     (medium-replay = the first `episodes` episodes of replay.rec at the medium snapshot:
//                     augur import replay.rec --episodes N --out medium-replay.augur)
// A rerun with the same folder resumes: the replay buffer is refilled from replay.rec, the networks and
// optimizers come from sac.ckpt, and env steps continue from the rows already recorded (an episode cut by
// the interruption is lost; its steps are collected again).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>


namespace augur {
class Progress;
}

namespace augur::agents::rl {

struct OnlineSacOptions {
  std::string env = "Hopper-v4";
  int64_t steps = 300000;        // env steps in total (a resumed run continues up to this)
  int64_t start_steps = 10000;   // uniform random actions for the first steps
  int64_t update_after = 1000;   // first gradient step once this many transitions are held
  int critics = 2, hidden = 256, layers = 2;
  double lr = 3e-4, gamma = 0.99, tau = 5e-3;
  int batch = 256;
  int64_t replay_capacity = 1000000;
  int64_t eval_every = 10000;    // env steps between evaluations (and snapshots)
  int eval_episodes = 5;         // deterministic (mean action) episodes per evaluation
  int max_steps = 0;             // steps per episode; 0 = the env's time limit
  uint64_t seed = 0;

  // Throws ConfigError naming the field and the valid range.
  void Validate() const;
};

struct OnlineSacEval {
  int64_t step = 0;              // env steps taken
  int64_t updates = 0;           // gradient steps taken
  int64_t episodes = 0;          // training episodes finished (recorded in replay.rec) by then
  double mean_return = 0, std_return = 0;
  double normalized = 0;         // D4RL-style score when the env has reference returns, else NaN
  std::string snapshot;          // policy-<step>.ckpt
  double seconds = 0;            // since the run (or the resumed part) started
};

struct OnlineSacResult {
  int64_t start_step = 0;        // > 0 when resumed
  int64_t final_step = 0;
  int64_t episodes = 0;          // training episodes recorded in replay.rec
  std::vector<OnlineSacEval> evals;  // all of them, earlier runs' included
  double seconds = 0;
  double updates_per_second = 0;     // over this run
};

// Trains into `out_dir` (created when missing; resumed when it holds a run). A non-finite loss stops training
// with a StateError naming the step; sac.ckpt then still holds the last evaluation's networks.
// The env steps on the calling thread and each gradient step is one batched call (LibTorch's intra-op
// threads, as the caller's Executor set them).
OnlineSacResult TrainOnlineSac(const OnlineSacOptions& options, const std::string& out_dir,
                               Progress* progress = nullptr,
                               const std::function<void(const OnlineSacEval&)>& on_eval = {});

}  // namespace augur::agents::rl
