// BeamPlanner: the Trajectory Transformer's beam search (Janner, Li, Levine 2021) over a core SequenceModel,
// behind core's Planner contract.
//
// From the current observation's tokens, every step of the horizon:
//  1. expand: each kept beam becomes `expand` candidates (the first step: width x expand candidates of the one
//     prefix) whose action tokens are sampled from the smallest set of tokens holding `cdf` of the probability
//     (the paper's cdf_act = 0.6), or, with select=topk, the `expand` most likely first-action tokens (further
//     action dimensions by argmax; the first step then starts from `expand` candidates);
//  2. roll the model forward for the reward and value tokens; the predicted reward and value are expectations
//     over the bins (softmax . bin centres), the token fed back is the most likely one;
//  3. score = sum_{k <= t} discount^k r_k + discount^(t+1) V_t (cumulative predicted reward plus predicted
//     reward-to-go; discount is the model's own) and keep the best `width` candidates, copies of a better
//     candidate excluded (dedup=true; not in the paper: with few likely tokens, sampled copies fill the beam);
//  4. roll forward the next observation's tokens (most likely token per dimension).
// Every row of the beam goes through the model together: one model call per token. With the KV cache
// (cache=true, default) a call feeds one token per row and the cache is reordered when beams are selected;
// cache=false recomputes the whole prefix for every token (the published implementation's way; for benchmarks).
//
// Context: the prefix is the current observation only (the plan starts at position 0 of the model's window),
// so a horizon H needs H steps of window: H <= the model's training steps, else a ConfigError at construction
// saying so (the cache stays valid through the whole plan; nothing is cropped).
//
// Returns the first action of the best beam (bin centres, clipped to the action bounds), its planned actions
// [H * A], its predicted observations [H * O] (the current one, then H - 1 predicted) and its score. A deadline
// that passes mid-plan ends the search after the current step with the best beam so far (cut_short).
// Randomness: the per-plan generator is keyed by (seed, plan index), so a plan repeats for a seed.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "augur/core/executor.h"
#include "augur/core/planner.h"
#include "augur/core/sequence_model.h"

namespace augur::search {

enum class ActionSelect { kSample, kTopK };

struct BeamOptions {
  int64_t width = 128;   // W beams kept per step (paper: 128; 32 for some tasks)
  int64_t horizon = 15;  // H steps planned (paper: 15; 5 for some tasks)
  int64_t expand = 2;    // candidates per beam per step (paper's n_expand: 2)
  ActionSelect select = ActionSelect::kSample;
  double cdf = 0.6;      // sampling keeps the most likely tokens up to this probability mass, (0, 1]
  bool cache = true;     // KV cache (true) or recompute of the whole prefix for every token (false)
  bool dedup = true;     // a candidate whose tokens equal a better candidate's is not kept (sampling repeats
                         // likely tokens; copies would crowd out the beam)
  uint64_t seed = 0;
  void Validate() const;  // ConfigError naming the key and its range
};

class BeamPlanner final : public Planner {
 public:
  // Throws ConfigError when the horizon exceeds the model's window or an option is out of range. Sets the
  // torch threads of the calling thread from the executor (the model's calls run there).
  BeamPlanner(std::shared_ptr<const SequenceModel> model, const BeamOptions& options, Executor& executor);

  std::string name() const override { return "beam"; }
  int64_t obs_dim() const override { return layout_.obs_dim; }
  int64_t action_dim() const override { return layout_.action_dim; }
  int64_t horizon() const override { return options_.horizon; }
  void Reset(uint64_t seed) override;

  const BeamOptions& options() const { return options_; }
  // Model calls of the last plan (one per token fed), for benchmarks.
  int64_t last_model_calls() const { return model_calls_; }

 protected:
  void DoPlan(std::span<const float> obs, const Budget& budget, PlanResult& out) override;

 private:
  struct Beams;
  at::Tensor Feed(Beams& beams, const at::Tensor& tokens);  // tokens [R] -> next logits [R, N]
  void Keep(Beams& beams, const at::Tensor& rows);
  at::Tensor SelectActionToken(const at::Tensor& logits, int64_t per_prefix, bool first_dim, at::Generator& gen);

  std::shared_ptr<const SequenceModel> model_;
  BeamOptions options_;
  StepLayout layout_;
  at::Tensor reward_centres_, value_centres_;  // [N]
  uint64_t seed_ = 0;
  uint64_t plans_ = 0;
  int64_t model_calls_ = 0;
};

}  // namespace augur::search
