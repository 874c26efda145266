// TorchScriptEvaluator: any network exported from PyTorch as the MCTS leaf evaluator (value and prior policy),
// run through LibTorch on the CPU or a CUDA device. MlpEvaluator covers small MLPs with a fused CPU kernel; this
// one runs what that kernel cannot (convolutions, attention, deep residual nets) and batches onto a GPU. One
// Evaluate is one forward call over the batch, so set MctsOptions::eval_batch to gather the leaves of many
// trees and simulations into it: LibTorch's per-call cost (tens of microseconds, more on a GPU) is then paid once
// per batch.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "augur/search/evaluator.h"

namespace augur::search {

class TorchScriptEvaluator : public Evaluator {
 public:
  // `path`: a TorchScript file (torch.jit.script(net).save(path)) whose forward takes states [B, S] (float32)
  // and returns [B, 1 + K]: the value, then K prior logits (MlpEvaluator's output layout); the prior is their
  // softmax. `device`: "cpu", "cuda" or "cuda:N". K is read from a probe call on one zero state.
  // Throws IoError (no file, not TorchScript), ConfigError (unknown or unavailable device, state_dim < 1),
  // ShapeError (forward does not return [B, 1 + K] with K >= 1).
  TorchScriptEvaluator(const std::string& path, int64_t state_dim, const std::string& device = "cpu");
  ~TorchScriptEvaluator() override;
  TorchScriptEvaluator(const TorchScriptEvaluator&) = delete;
  TorchScriptEvaluator& operator=(const TorchScriptEvaluator&) = delete;

  int64_t state_dim() const override { return state_dim_; }
  int64_t num_actions() const override { return num_actions_; }
  // Deterministic (seed and key unused; the module should be too). Safe from several threads at once.
  // ShapeError when the module answers a batch with another shape; DataError naming the row when it returns a
  // NaN or infinite value or logit.
  int64_t Evaluate(std::span<const float> states, int64_t batch, uint64_t seed, uint64_t key, std::span<float> values,
                   std::span<float> priors, Scratch& scratch) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int64_t state_dim_ = 0, num_actions_ = 0;
};

}  // namespace augur::search
