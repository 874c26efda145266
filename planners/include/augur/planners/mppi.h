// MPPI (model predictive path integral control) in the elite form TD-MPC2 uses (Hansen et al. 2024):
// each iteration samples `samples` Gaussian sequences around the mean (clipped) plus the policy-prior
// sequences, keeps the `elites` best, weights them by exp((R - R_max) / temperature), and sets the mean and
// std to their weighted mean and std (std clamped to [min_std, max_std]). Executes the mean.
// Note on the temperature: here it is lambda of classic MPPI, weights exp(R / lambda); TD-MPC2's code
// multiplies by its `temperature` instead (its 0.5 is lambda = 2 here).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "augur/planners/sampling_planner.h"

namespace augur {

// A policy prior: fills out [count, horizon, A] with action sequences proposed from observation obs, drawing
// any randomness from `seed`. Called once per Plan (TD-MPC2 samples its policy trajectories once per plan).
using ActionPrior = std::function<void(std::span<const float> obs, int64_t count, int64_t horizon, uint64_t seed,
                                       std::span<float> out)>;

class Mppi : public SamplingPlanner {
 public:
  struct Options {
    SamplingOptions common{.horizon = 16, .iters = 6};  // TD-MPC2: 6 iterations (horizon 3 with a value)
    int64_t samples = 512;                              // Gaussian sequences per iteration (TD-MPC2 512), >= 1
    int64_t elites = 64;         // sequences weighted (TD-MPC2 64), in [1, samples + prior_samples]
    double temperature = 0.5;    // lambda > 0: weights exp((R - R_max) / lambda); smaller is greedier
    double init_std = 2.0;       // std at the start of each Plan, fraction of the action box half width (TD-MPC2
                                 // max_std 2 on [-1, 1] actions), > 0
    double min_std = 0.05;       // std floor, same unit (TD-MPC2 0.05), >= 0
    double max_std = 2.0;        // std ceiling, same unit (TD-MPC2 2), >= min_std
    int64_t prior_samples = 24;  // sequences from `prior` per iteration when one is set (TD-MPC2 24), >= 0
    ActionPrior prior;           // optional policy prior; empty: no prior samples

    void Validate() const;
  };

  Mppi(std::shared_ptr<SequenceEvaluator> evaluator, Executor& executor, Options options);

 protected:
  void Allocate() override;
  void BeginPlan() override;
  bool Iterate(int64_t iteration) override;

 private:
  int64_t prior_count() const { return o_.prior ? o_.prior_samples : 0; }

  Options o_;
  std::vector<float> std_;      // [H * A]
  std::vector<float> samples_;  // [prior + samples, H, A]; the prior's sequences first
  std::vector<float> returns_;  // [prior + samples]
  std::vector<int64_t> index_;  // [prior + samples]
  std::vector<double> weight_;  // [elites]
};

}  // namespace augur
