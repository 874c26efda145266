// MlpEvaluator: a learned value and prior policy for MCTS leaves, as in AlphaZero / MuZero's prediction
// function: a small MLP state -> (value, K prior logits), the prior a softmax over the logits. The forward pass
// is a fused CPU path: each layer one register-blocked small GEMM over the whole batch (weights packed once at
// construction, bias and ReLU fused in the kernel, tanh and the softmax's exp vectorized over the batch), so a
// batch of leaves from many trees costs one call; a single state runs the same kernel one row at a time.
// Weights come from a plain struct (torch.nn.Linear layout) or a TorchScript module holding a stack of Linear
// layers (LoadMlpWeights).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "augur/search/evaluator.h"

namespace augur::search {

enum class MlpActivation { kTanh, kRelu };

struct MlpWeights {
  // sizes = {S, hidden..., 1 + K}: layer l maps sizes[l] -> sizes[l + 1].
  std::vector<int64_t> sizes;
  // weight[l]: [sizes[l + 1], sizes[l]] row-major (torch.nn.Linear's layout), bias[l]: [sizes[l + 1]].
  std::vector<std::vector<float>> weight, bias;
  MlpActivation activation = MlpActivation::kTanh;  // between layers; the output layer is linear

  // Random weights as torch.nn.Linear initializes them (U(-1/sqrt(in), 1/sqrt(in))), from an augur::Rng.
  static MlpWeights Random(std::vector<int64_t> sizes, uint64_t seed, MlpActivation activation = MlpActivation::kTanh);
  // ConfigError / ShapeError naming the layer and the sizes.
  void Validate() const;
};

// Reads the parameters of a TorchScript module saved from a stack of torch.nn.Linear layers (e.g.
// torch.jit.script(nn.Sequential(nn.Linear(4, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 5))))
// in their registration order (weight then bias per layer). IoError when the file cannot be read, DataError
// when the parameters are not such a stack.
MlpWeights LoadMlpWeights(const std::string& torchscript_path, MlpActivation activation = MlpActivation::kTanh);

class MlpEvaluator : public Evaluator {
 public:
  // The last layer has 1 + K outputs: the value, then K prior logits (K >= 1).
  explicit MlpEvaluator(MlpWeights weights);
  int64_t state_dim() const override { return weights_.sizes.front(); }
  int64_t num_actions() const override { return weights_.sizes.back() - 1; }
  // Deterministic (seed and key unused); no allocation once scratch has grown.
  int64_t Evaluate(std::span<const float> states, int64_t batch, uint64_t seed, uint64_t key, std::span<float> values,
                   std::span<float> priors, Scratch& scratch) override;
  const MlpWeights& weights() const { return weights_; }

 private:
  MlpWeights weights_;
  // Per layer: W^T packed as [in, padded out] (outputs padded to a multiple of 8 with zeros) and the padded bias.
  std::vector<std::vector<float>> packed_, packed_bias_;
  std::vector<int64_t> padded_;
  int64_t widest_ = 0;  // the widest padded layer
};

}  // namespace augur::search
