// MBPO-style branched rollouts: from start states sampled out of a dataset, roll a policy k steps through a
// model (a learned ensemble, or the true simulator) and collect every transition for a synthetic buffer.
//
// What a rollout steps in is a RolloutStepper: WorldModelStepper wraps any core WorldModel (each step a
// fresh random ensemble member per row, as MBPO; the fused CPU path on Executor chunks when the model has
// one), and agents/ adds a stepper that restarts simulators from recorded full sim states. Rows that
// terminate stop; the others go on. Same seed => same transitions with 1 or N threads.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>

#include "augur/core/executor.h"
#include "augur/core/world_model.h"
#include "augur/rollouts/replay_buffer.h"

namespace augur::rollouts {

// One batched step: state [B, S] (rows in the order Begin/Keep left them), action [B, A] -> next state,
// reward, done (and uncertainty when asked for and the model has one).
class RolloutStepper {
 public:
  virtual ~RolloutStepper() = default;
  virtual int64_t state_dim() const = 0;
  // Called once per rollout with the dataset rows the start states came from ([B] int64).
  virtual void Begin(const at::Tensor& rows) { (void)rows; }
  // Rows that continue after a step ([B'] int64 indices into the current batch), in order.
  virtual void Keep(const at::Tensor& keep) { (void)keep; }
  // `t` is the step index inside the rollout, `seed` the rollout's seed.
  virtual Transition Step(const at::Tensor& state, const at::Tensor& action, int64_t t, uint64_t seed,
                          bool want_uncertainty, Executor& executor) = 0;
};

class WorldModelStepper : public RolloutStepper {
 public:
  // `sample`: draw from each member's predictive distribution (MBPO) instead of using its mean.
  // `rows_per_chunk`: rows of one Executor chunk on the fused CPU path.
  WorldModelStepper(const WorldModel& model, bool sample = true, int64_t rows_per_chunk = 1024);
  int64_t state_dim() const override { return model_.spec().state_dim; }
  Transition Step(const at::Tensor& state, const at::Tensor& action, int64_t t, uint64_t seed,
                  bool want_uncertainty, Executor& executor) override;

 private:
  const WorldModel& model_;
  bool sample_;
  int64_t rows_per_chunk_;
};

// obs [B, O] -> actions [B, A] for rollout step t.
using RolloutPolicy = std::function<at::Tensor(const at::Tensor& obs, int64_t t)>;

struct BranchedRolloutOptions {
  int64_t length = 5;          // k, steps per rollout (>= 1)
  uint64_t seed = 0;
  bool want_uncertainty = false;  // ask the model for its uncertainty signal (MOPO)
  void Validate() const;
};

struct RolloutResult {
  TransitionRows transitions;  // every step's alive rows, step after step
  at::Tensor uncertainty;      // [n] or undefined
  double mean_reward = 0;
  double terminated_fraction = 0;  // of the start states
  double seconds = 0;
};

// Rolls `policy` from `start_obs` [B, O] (dataset rows `start_rows` [B] int64, passed to the stepper).
RolloutResult BranchedRollout(RolloutStepper& stepper, const RolloutPolicy& policy, const at::Tensor& start_obs,
                              const at::Tensor& start_rows, const BranchedRolloutOptions& options,
                              Executor& executor);

}  // namespace augur::rollouts
