// The sequence-model contract: a trajectory as a token sequence and next-token logits with a KV cache.
//
// Trajectory Transformer (TT) and the JOWA world-action transformer plan through this interface: search/'s
// beam planner sees only SequenceModel, never a concrete family (models/sequence implements it).
//
// Layout. A step of the trajectory is `step_tokens` tokens, one per dimension, in this order:
//   observation [O], action [A], reward [1], value [1]          (D = O + A + 2 tokens)
// where value is the discounted reward-to-go after the step's reward: V_t = sum_{k > t} discount^(k-t-1) r_k.
// Every sequence starts at a step boundary, so the token at position p encodes dimension p mod D. Each
// dimension has its own `bins` values: a token id is an int64 in [0, bins).
//
// Caching. A KvCache holds the keys and values of the tokens fed so far for `batch` rows; Forward appends
// tokens to it and returns the logits of the next token. Forward with a cache gives the same logits (atol
// 1e-5) as a full recompute of the whole prefix without one. Reorder selects and repeats rows (beam search
// keeps, drops and duplicates beams). The cache is separate from the model so that one const model serves
// several planners.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <memory>
#include <string>

#include "augur/core/spaces.h"

namespace augur {

// The index of each part of a step's tokens.
struct StepLayout {
  int64_t obs_dim = 0;     // O
  int64_t action_dim = 0;  // A

  int64_t step_tokens() const { return obs_dim + action_dim + 2; }  // D
  int64_t action_begin() const { return obs_dim; }
  int64_t reward_index() const { return obs_dim + action_dim; }
  int64_t value_index() const { return obs_dim + action_dim + 1; }
};

struct SequenceSpec {
  std::string type;          // registry name of the family, e.g. "tt"
  StepLayout layout;         // what a step's tokens are
  int64_t bins = 0;          // token ids per dimension, [0, bins)
  int64_t max_tokens = 0;    // positions the model attends to (its context window)
  double discount = 1.0;     // discount of the value tokens' reward-to-go
  Box action_bounds;         // [A] bounds of the env's actions (empty: unbounded)
};

// Keys and values of the tokens fed so far, per row.
class KvCache {
 public:
  virtual ~KvCache() = default;
  virtual int64_t batch() const = 0;    // rows
  virtual int64_t length() const = 0;   // tokens cached per row (the position of the next token)
  // Keeps rows `rows` ([B'] int64 indices into the current rows, repeats allowed): row i of the result is the
  // old row rows[i]. Throws RangeError on an index out of [0, batch()).
  virtual void Reorder(const at::Tensor& rows) = 0;
  // Forgets every token (length 0), keeping the buffers.
  virtual void Clear() = 0;
};

class SequenceModel {
 public:
  virtual ~SequenceModel() = default;

  virtual const SequenceSpec& sequence_spec() const = 0;

  // values [B, k] float -> tokens [B, k] int64 of dimensions first_dim .. first_dim + k - 1 (of a step).
  // Values outside the fitted range go to the first or last bin. Throws ShapeError/RangeError.
  virtual at::Tensor Tokenize(const at::Tensor& values, int64_t first_dim) const = 0;
  // tokens [B, k] int64 -> values [B, k] float (bin centres). Throws RangeError on an id out of [0, bins).
  virtual at::Tensor Detokenize(const at::Tensor& tokens, int64_t first_dim) const = 0;
  // [bins] float: the value each token id of dimension `dim` decodes to.
  virtual at::Tensor BinCentres(int64_t dim) const = 0;

  // An empty cache for `batch` rows that can hold up to max_tokens tokens per row.
  virtual std::unique_ptr<KvCache> NewCache(int64_t batch) const = 0;
  // tokens [B, T] int64 ids, the next T tokens of every row. With a cache: they go at positions
  // cache->length() .. + T - 1 and are appended (cache->batch() must be B). Without: they are the whole
  // sequence from position 0. Returns logits [B, T, bins] float: row t scores the token after position t.
  // Throws RangeError on an id out of range, ConfigError when the window would exceed max_tokens, ShapeError
  // on shapes. Inference only (no gradients).
  virtual at::Tensor Forward(const at::Tensor& tokens, KvCache* cache) const = 0;
};

}  // namespace augur
