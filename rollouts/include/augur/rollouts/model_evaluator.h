// ModelEvaluator: scores action sequences by rolling particles through a WorldModel under an Objective.
//
// For every sequence it rolls `particles` rows for the whole horizon, grouped by ensemble member as the
// propagation scheme says (TS1, TSinf, expectation), applies the Objective per step (discount, uncertainty
// penalty, goal distance, stop at a predicted termination) plus the terminal value, and returns the mean over
// particles.
//  - CPU path (model->has_cpu_path()): the sequences are split into Executor chunks of `chunk` sequences; a
//    chunk steps its chunk x particles rows through StepCpu with buffers from the worker's scratch (slots from
//    kRolloutSlots), so nothing is allocated once warm. Randomness: TS1's member draws per sequence (see
//    propagation.h), model noise from Rng(seed, StreamId({iteration, chunk, kNoiseStream})) per chunk: identical
//    results for 1 or N threads (the chunk size is fixed; without model noise not even it matters).
//  - Tensor path otherwise: all sequences in one batched Step per time step on the calling thread (LibTorch
//    parallelizes inside), model noise from MakeCpuGenerator(seed, StreamId({iteration})).
// Not thread-safe itself (SetStart changes it); the model must allow concurrent const calls.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "augur/core/executor.h"
#include "augur/core/objective.h"
#include "augur/core/planner.h"
#include "augur/core/world_model.h"
#include "augur/rollouts/rollout_options.h"

namespace augur {

class ModelEvaluator : public SequenceEvaluator {
 public:
  // Throws ConfigError / ShapeError when the options or the objective do not fit the model.
  ModelEvaluator(std::shared_ptr<const WorldModel> model, Objective objective, RolloutOptions options = {});

  int64_t obs_dim() const override { return model_->spec().obs_dim; }
  int64_t action_dim() const override { return model_->spec().action_dim; }
  int64_t state_dim() const override { return model_->spec().state_dim; }
  Box action_bounds() const override;
  int64_t rows_per_sequence() const override { return options_.particles; }

  // Observation-space models: the observation is the state (no allocation). Others: Encode (tensor path).
  void SetStart(std::span<const float> obs) override;
  bool Evaluate(std::span<const float> actions, int64_t n, int64_t horizon, uint64_t seed, uint64_t iteration,
                std::span<float> returns, Executor& executor, std::optional<Clock::time_point> deadline) override;
  // Mean over particles of the predicted states, rolled with seed 0, iteration 0.
  void PredictStates(std::span<const float> actions, int64_t horizon, std::span<float> states) override;

  // Every particle's trajectory of one sequence [horizon, A]: states [(horizon + 1), particles, S].
  void PredictParticles(std::span<const float> actions, int64_t horizon, uint64_t seed, uint64_t iteration,
                        std::span<float> states);

  const RolloutOptions& options() const { return options_; }
  const Objective& objective() const { return objective_; }
  const WorldModel& model() const { return *model_; }

  // Stream id component of the model-noise stream (see above).
  static constexpr uint64_t kNoiseStream = ~0ull;

 private:
  struct Job;
  // Rolls sequences [first, last) of job; chunk is the chunk index; record (may be null) gets the canonical
  // states [(H + 1), rows, S]. Returns false when the deadline cut the tensor path short.
  bool RolloutChunk(const Job& job, int64_t first, int64_t last, int64_t chunk, Scratch& scratch, float* record);
  void StepRows(const Job& job, int64_t rows, int64_t chunk, std::span<const int64_t> member_begin, Rng* noise,
                Scratch& scratch, std::span<float> in, std::span<float> act, std::span<float> next,
                std::span<float> reward, std::span<float> done, std::span<float> uncertainty);

  std::shared_ptr<const WorldModel> model_;
  Objective objective_;
  RolloutOptions options_;
  std::vector<float> start_;  // [S]
  Scratch local_;             // buffers for the tensor path and the predict calls (calling thread)
  bool started_ = false;
  const Executor* primed_for_ = nullptr;  // every worker's scratch has grown to a full chunk for this executor
};

}  // namespace augur
