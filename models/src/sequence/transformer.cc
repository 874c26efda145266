#include "transformer.h"

#include <cmath>

namespace augur::models::sequence {

at::Tensor Dropout(const at::Tensor& x, double p, bool training, at::Generator& generator) {
  if (!training || p <= 0) return x;
  const at::Tensor keep = at::empty_like(x).bernoulli_(1.0 - p, generator);
  return x * keep * (1.0 / (1.0 - p));
}

CausalSelfAttentionImpl::CausalSelfAttentionImpl(const TransformerConfig& c) : config(c) {
  qkv = register_module("qkv", torch::nn::Linear(c.width, 3 * c.width));
  proj = register_module("proj", torch::nn::Linear(c.width, c.width));
}

at::Tensor CausalSelfAttentionImpl::forward(const at::Tensor& x, int64_t past, at::Tensor* keys,
                                            at::Tensor* values) {
  const int64_t b = x.size(0), t = x.size(1), w = x.size(2), heads = config.heads, hd = w / heads;
  // [B, T, 3, H, hd] -> three [B, H, T, hd]
  const at::Tensor parts = qkv(x).view({b, t, 3, heads, hd}).permute({2, 0, 3, 1, 4});
  const at::Tensor q = parts[0], k_new = parts[1], v_new = parts[2];
  at::Tensor k = k_new, v = v_new;
  if (keys != nullptr) {
    keys->narrow(2, past, t).copy_(k_new);
    values->narrow(2, past, t).copy_(v_new);
    k = keys->narrow(2, 0, past + t);
    v = values->narrow(2, 0, past + t);
  }
  at::Tensor att = at::matmul(q, k.transpose(-2, -1)) * (1.0 / std::sqrt(static_cast<double>(hd)));  // [B,H,T,P+T]
  if (t > 1) {
    // query i (position past + i) sees keys 0 .. past + i
    const at::Tensor mask = at::ones({t, past + t}, x.options().dtype(at::kBool)).triu(past + 1);
    att = att.masked_fill(mask, -std::numeric_limits<float>::infinity());
  }
  att = Dropout(at::softmax(att, -1), config.dropout, is_training(), config.generator);
  const at::Tensor y = at::matmul(att, v).transpose(1, 2).reshape({b, t, w});  // [B, T, W]
  return Dropout(proj(y), config.dropout, is_training(), config.generator);
}

BlockImpl::BlockImpl(const TransformerConfig& c) : config(c) {
  ln1 = register_module("ln1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.width})));
  ln2 = register_module("ln2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.width})));
  attn = register_module("attn", CausalSelfAttention(c));
  fc = register_module("fc", torch::nn::Linear(c.width, 4 * c.width));
  fc_out = register_module("fc_out", torch::nn::Linear(4 * c.width, c.width));
}

at::Tensor BlockImpl::forward(const at::Tensor& x, int64_t past, at::Tensor* keys, at::Tensor* values) {
  at::Tensor h = x + attn(ln1(x), past, keys, values);
  return h + Dropout(fc_out(at::gelu(fc(ln2(h)))), config.dropout, is_training(), config.generator);
}

TransformerTrunkImpl::TransformerTrunkImpl(const TransformerConfig& c) : config(c) {
  token_embedding = register_module("token_embedding", torch::nn::Embedding(c.step_tokens * c.bins, c.width));
  position_embedding = register_module("position_embedding", torch::nn::Embedding(c.max_tokens, c.width));
  for (int64_t l = 0; l < c.layers; ++l) blocks.push_back(register_module("block" + std::to_string(l), Block(c)));
  ln_f = register_module("ln_f", torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.width})));
}

at::Tensor TransformerTrunkImpl::forward(const at::Tensor& tokens, KvBuffers* cache) {
  const int64_t t = tokens.size(1), past = cache ? cache->length : 0;
  const at::Tensor positions = at::arange(past, past + t, tokens.options());                      // [T]
  const at::Tensor ids = tokens + at::remainder(positions, config.step_tokens) * config.bins;  // [B, T]
  at::Tensor x = Dropout(token_embedding(ids) + position_embedding(positions).unsqueeze(0), config.dropout,
                         is_training(), config.generator);  // [B, T, W]
  for (size_t l = 0; l < blocks.size(); ++l) {
    x = blocks[l](x, past, cache ? &cache->keys[l] : nullptr, cache ? &cache->values[l] : nullptr);
  }
  if (cache) cache->length += t;
  return ln_f(x);
}

KvBuffers TransformerTrunkImpl::NewCache(int64_t batch) const {
  KvBuffers c;
  const auto options = token_embedding->weight.options().requires_grad(false);
  for (int64_t l = 0; l < config.layers; ++l) {
    c.keys.push_back(at::zeros({batch, config.heads, config.max_tokens, config.width / config.heads}, options));
    c.values.push_back(at::zeros({batch, config.heads, config.max_tokens, config.width / config.heads}, options));
  }
  return c;
}

TokenHeadImpl::TokenHeadImpl(const TransformerConfig& c) : step_tokens(c.step_tokens) {
  weight = register_parameter("weight", at::zeros({c.step_tokens, c.width, c.bins}));
  bias = register_parameter("bias", at::zeros({c.step_tokens, c.bins}));
}

at::Tensor TokenHeadImpl::forward(const at::Tensor& hidden, int64_t past) {
  const int64_t t = hidden.size(1);
  const at::Tensor next_dim =
      at::remainder(at::arange(past + 1, past + 1 + t, hidden.options().dtype(at::kLong)), step_tokens);  // [T]
  // [T, B, W] x [T, W, N] -> [T, B, N]
  const at::Tensor logits = at::matmul(hidden.transpose(0, 1), weight.index_select(0, next_dim));
  return logits.transpose(0, 1) + bias.index_select(0, next_dim).unsqueeze(0);  // [B, T, N]
}

}  // namespace augur::models::sequence

namespace augur::models::sequence {

void InitParameters(torch::nn::Module& module, at::Generator& generator) {
  torch::NoGradGuard no_grad;
  for (auto& p : module.named_parameters()) {
    if (p.key().find("ln") != std::string::npos) continue;  // layer norms keep weight 1, bias 0
    if (p.key().ends_with("bias")) {
      p.value().zero_();
    } else {
      p.value().normal_(0.0, 0.02, generator);
    }
  }
}

}  // namespace augur::models::sequence
