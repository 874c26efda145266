// GPT-style causal transformer of the sequence models (internal to models/: includes torch/torch.h).
//
// Three separate modules, so that JOWA can put a Q head beside the token head on the same trunk:
//  - TransformerTrunk: token embedding (one table of D x N rows: dimension d's token t is row d * N + t), learned
//    absolute positions, `layers` pre-norm blocks (causal multi-head attention, layer norm, 4x MLP with GELU),
//    final layer norm. tokens [B, T] -> hidden [B, T, W].
//  - TokenHead: one linear map per step dimension (the Trajectory Transformer's per-dimension head): the
//    hidden state at position p scores the next token, of dimension (p + 1) mod D. hidden [B, T, W] -> [B, T, N].
//  - LayerCache / KV buffers: keys and values per layer, [B, heads, capacity, W / heads], written in place.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace augur::models::sequence {

struct TransformerConfig {
  int64_t step_tokens = 0;  // D
  int64_t bins = 0;         // N
  int64_t max_tokens = 0;   // positions
  int64_t layers = 4, heads = 4, width = 128;
  double dropout = 0.1;
  at::Generator generator;  // dropout's randomness (a shared handle: every module draws from the one stream)
};

// Inverted dropout drawing from `generator` (torch::nn::Dropout would use the global generator).
at::Tensor Dropout(const at::Tensor& x, double p, bool training, at::Generator& generator);

// Keys and values of one row block for every layer.
struct KvBuffers {
  std::vector<at::Tensor> keys, values;  // per layer [B, heads, capacity, head_dim]
  int64_t length = 0;                    // tokens cached
};

class CausalSelfAttentionImpl : public torch::nn::Module {
 public:
  explicit CausalSelfAttentionImpl(const TransformerConfig& c);
  // x [B, T, W] at positions past .. past + T - 1. With `keys`/`values` (the layer's cache, [B, H, cap, hd]) the
  // new keys and values are written at [past, past + T) and attention covers [0, past + T).
  at::Tensor forward(const at::Tensor& x, int64_t past, at::Tensor* keys, at::Tensor* values);

  torch::nn::Linear qkv{nullptr}, proj{nullptr};
  TransformerConfig config;
};
TORCH_MODULE(CausalSelfAttention);

class BlockImpl : public torch::nn::Module {
 public:
  explicit BlockImpl(const TransformerConfig& c);
  at::Tensor forward(const at::Tensor& x, int64_t past, at::Tensor* keys, at::Tensor* values);

  torch::nn::LayerNorm ln1{nullptr}, ln2{nullptr};
  CausalSelfAttention attn{nullptr};
  torch::nn::Linear fc{nullptr}, fc_out{nullptr};
  TransformerConfig config;
};
TORCH_MODULE(Block);

class TransformerTrunkImpl : public torch::nn::Module {
 public:
  explicit TransformerTrunkImpl(const TransformerConfig& c);
  // tokens [B, T] int64 in [0, N) at positions past .. past + T - 1 (cache->length when a cache is given, else
  // 0) -> hidden [B, T, W]. Appends to `cache` when given.
  at::Tensor forward(const at::Tensor& tokens, KvBuffers* cache);
  // An empty cache of `batch` rows (capacity max_tokens), same dtype/device as the parameters.
  KvBuffers NewCache(int64_t batch) const;

  TransformerConfig config;
  torch::nn::Embedding token_embedding{nullptr}, position_embedding{nullptr};
  std::vector<Block> blocks;
  torch::nn::LayerNorm ln_f{nullptr};
};
TORCH_MODULE(TransformerTrunk);

class TokenHeadImpl : public torch::nn::Module {
 public:
  explicit TokenHeadImpl(const TransformerConfig& c);
  // hidden [B, T, W] of positions past .. past + T - 1 -> logits [B, T, N].
  at::Tensor forward(const at::Tensor& hidden, int64_t past);

  at::Tensor weight;  // [D, W, N]
  at::Tensor bias;    // [D, N]
  int64_t step_tokens;
};
TORCH_MODULE(TokenHead);

// GPT-2 initialization (as the Trajectory Transformer's minGPT): N(0, 0.02) weights, zero biases, layer norms
// untouched; draws from `generator` only.
void InitParameters(torch::nn::Module& module, at::Generator& generator);

}  // namespace augur::models::sequence
