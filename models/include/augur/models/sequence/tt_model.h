// Trajectory Transformer (Janner, Li, Levine 2021): a GPT over the per-dimension tokens of (observation, action,
// reward, reward-to-go), trained with cross-entropy on windows of a dataset's episodes, planned with by beam
// search (search/beam.h). Implements core's SequenceModel with a KV cache.
//
// Spec: "tt:bins=100,binning=uniform,layers=4,heads=4,width=128,dropout=0.1,steps=10,discount=0.99,
//        action_weight=5,weight_decay=0.1,clip=1.0"
// Defaults are the paper's (4 layers, 4 heads, width 128, 100 bins, window of 10 steps, discount 0.99, action
// loss weight 5, AdamW weight decay 0.1, gradient clip 1.0: trajectory-transformer's config/offline.py).
//
// Context window: max_tokens = steps * D (D = O + A + 2). Training windows are `steps` whole steps starting at a
// step boundary with absolute positions from 0, so a plan whose prefix starts at position 0 keeps its KV cache
// valid as long as context + horizon <= steps (the beam planner checks this and says so).
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <memory>
#include <string>

#include "augur/core/factory.h"
#include "augur/models/factory.h"
#include "augur/models/learned_sequence_model.h"
#include "augur/models/sequence/tokenizer.h"

namespace augur::models {

struct TtOptions {
  int64_t bins = 100;                   // N tokens per dimension, >= 2
  BinKind binning = BinKind::kUniform;  // uniform or quantile bins
  int64_t layers = 4;                   // transformer blocks
  int64_t heads = 4;                    // attention heads (width % heads == 0)
  int64_t width = 128;                  // embedding width
  double dropout = 0.1;                 // dropout while training (embeddings, attention, residuals)
  int64_t steps = 10;                   // training window in steps; the context window is steps * D tokens
  double discount = 0.99;               // discount of the reward-to-go tokens
  double action_weight = 5.0;           // cross-entropy weight of action tokens (others 1)
  double weight_decay = 0.1;            // AdamW weight decay
  double grad_clip = 1.0;               // global gradient-norm clip (0: none)

  static TtOptions FromSpec(SpecParams& params);
  std::string ToSpec() const;  // "tt:..." with every key
  void Validate() const;       // ConfigError naming the key and range
};

class TtModel final : public LearnedSequenceModel {
 public:
  // An untrained model for the inputs' dims (Train fits tokenizer and weights). Throws ConfigError.
  TtModel(const TtOptions& options, const ModelInputs& inputs);
  ~TtModel() override;

  // Loads a checkpoint written by Save. Missing file -> NotFoundError; not a TT checkpoint, a tensor missing or
  // of the wrong shape, a tokenizer that does not fit the dims -> DataError naming the path and both values;
  // dims or env different from `expect` -> ShapeError / DataError.
  static std::unique_ptr<TtModel> Load(const std::string& path, const LoadExpectations& expect = {});

  // SequenceModel
  const SequenceSpec& sequence_spec() const override { return spec_; }
  at::Tensor Tokenize(const at::Tensor& values, int64_t first_dim) const override;
  at::Tensor Detokenize(const at::Tensor& tokens, int64_t first_dim) const override;
  at::Tensor BinCentres(int64_t dim) const override;
  std::unique_ptr<KvCache> NewCache(int64_t batch) const override;
  at::Tensor Forward(const at::Tensor& tokens, KvCache* cache) const override;

  // LearnedSequenceModel
  TrainReport Train(const data::Dataset& data, const TrainOptions& options, Progress* progress) override;
  void Save(const std::string& path) const override;
  const ModelCard& card() const override { return card_; }
  bool trained() const override { return trained_; }

  const TtOptions& options() const { return options_; }
  const Tokenizer& tokenizer() const { return tokenizer_; }
  int64_t parameter_count() const;
  // The tokens [N, D] of a dataset's rows (obs, action, reward, reward-to-go), with the fitted tokenizer.
  at::Tensor TokenizeDataset(const data::Dataset& data) const;

 private:
  struct Net;
  TtModel(const TtOptions& options, const ModelInputs& inputs, Tokenizer tokenizer);
  void CheckTrained(const char* what) const;

  TtOptions options_;
  ModelInputs inputs_;
  SequenceSpec spec_;
  Tokenizer tokenizer_;
  std::unique_ptr<Net> net_;
  ModelCard card_;
  bool trained_ = false;
};

// Reward-to-go after each row's reward, per episode: V_t = sum_{k > t} discount^(k-t-1) r_k ([N] float), 0 at an
// episode's last row (an episode cut by a time-out is treated as ending there, as the paper does).
at::Tensor RewardToGo(const data::Dataset& data, double discount);

}  // namespace augur::models
