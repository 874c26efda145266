// TtModel: options, inference with the KV cache, training, checkpoints. One of the few TUs of models/ with the
// heavy torch headers (torch::nn, torch::optim), with transformer.cc.
#include "augur/models/sequence/tt_model.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <limits>

#include "augur/core/error.h"
#include "augur/core/logging.h"
#include "augur/core/progress.h"
#include "augur/core/rng.h"
#include "augur/core/torch_rng.h"
#include "augur/core/version.h"
#include "augur/data/dataset.h"
#include "augur/data/window_sampler.h"
#include "augur/models/ensemble/checkpoint.h"
#include "augur/models/ensemble/checkpoint.h"
#include "transformer.h"

namespace augur::models {

using sequence::KvBuffers;
using sequence::TokenHead;
using sequence::TransformerConfig;
using sequence::TransformerTrunk;

TtOptions TtOptions::FromSpec(SpecParams& p) {
  TtOptions o;
  o.bins = p.Int("bins", o.bins, "tokens per dimension (TT: 100)", 2, 1 << 20);
  o.binning = ParseBinKind(p.String("binning", BinKindName(o.binning), "bin edges", {"uniform", "quantile"}));
  o.layers = p.Int("layers", o.layers, "transformer blocks", 1, 256);
  o.heads = p.Int("heads", o.heads, "attention heads (width % heads == 0)", 1, 256);
  o.width = p.Int("width", o.width, "embedding width", 1, 1 << 16);
  o.dropout = p.Double("dropout", o.dropout, "dropout while training", 0.0, 0.9);
  o.steps = p.Int("steps", o.steps, "training window in steps (context window = steps * (O + A + 2) tokens)", 1,
                  1 << 16);
  o.discount = p.Double("discount", o.discount, "discount of the reward-to-go tokens", 0.0, 1.0);
  o.action_weight = p.Double("action_weight", o.action_weight, "cross-entropy weight of action tokens", 0.0);
  o.weight_decay = p.Double("weight_decay", o.weight_decay, "AdamW weight decay of the linear weights", 0.0);
  o.grad_clip = p.Double("clip", o.grad_clip, "gradient-norm clip (0: none)", 0.0);
  o.Validate();
  return o;
}

std::string TtOptions::ToSpec() const {
  return StrCat("tt:bins=", bins, ",binning=", BinKindName(binning), ",layers=", layers, ",heads=", heads,
                ",width=", width, ",dropout=", dropout, ",steps=", steps, ",discount=", discount,
                ",action_weight=", action_weight, ",weight_decay=", weight_decay, ",clip=", grad_clip);
}

void TtOptions::Validate() const {
  if (bins < 2) throw ConfigError(StrCat("tt: bins = ", bins, " must be >= 2"));
  if (layers < 1 || heads < 1 || width < 1) {
    throw ConfigError(StrCat("tt: layers, heads and width must be >= 1 (got ", layers, ", ", heads, ", ", width, ")"));
  }
  if (width % heads != 0) {
    throw ConfigError(StrCat("tt: width = ", width, " must be a multiple of heads = ", heads));
  }
  if (!(dropout >= 0 && dropout < 1)) throw ConfigError(StrCat("tt: dropout = ", dropout, " must be in [0, 1)"));
  if (steps < 1) throw ConfigError(StrCat("tt: steps = ", steps, " must be >= 1"));
  if (!(discount >= 0 && discount <= 1)) throw ConfigError(StrCat("tt: discount = ", discount, " must be in [0, 1]"));
  if (!(action_weight >= 0) || !(weight_decay >= 0) || !(grad_clip >= 0)) {
    throw ConfigError("tt: action_weight, weight_decay and clip must be >= 0");
  }
}

// The network: trunk + token head, plus the generator its dropout draws from.
struct TtModel::Net {
  explicit Net(const TransformerConfig& c) : trunk(c), head(c) {}
  TransformerTrunk trunk;
  TokenHead head;

  std::vector<std::pair<std::string, at::Tensor>> Parameters() const {
    std::vector<std::pair<std::string, at::Tensor>> out;
    for (const auto& p : trunk->named_parameters()) out.emplace_back("trunk." + p.key(), p.value());
    for (const auto& p : head->named_parameters()) out.emplace_back("head." + p.key(), p.value());
    return out;
  }
  void Train(bool on) {
    trunk->train(on);
    head->train(on);
  }
};

namespace {

class TtKvCache final : public KvCache {
 public:
  explicit TtKvCache(KvBuffers buffers, int64_t batch) : buffers_(std::move(buffers)), batch_(batch) {}
  int64_t batch() const override { return batch_; }
  int64_t length() const override { return buffers_.length; }
  void Reorder(const at::Tensor& rows) override {
    if (rows.dim() != 1 || rows.scalar_type() != at::kLong || rows.numel() == 0) {
      throw ShapeError(StrCat("kv cache reorder: rows must be a non-empty int64 [B'], got ", rows.sizes()));
    }
    const int64_t lo = rows.min().item<int64_t>(), hi = rows.max().item<int64_t>();
    if (lo < 0 || hi >= batch_) {
      throw RangeError(StrCat("kv cache reorder: row ", lo < 0 ? lo : hi, " is outside [0, ", batch_, ")"));
    }
    // Only the cached prefix is copied; the buffers keep their capacity.
    const int64_t len = buffers_.length;
    for (auto* list : {&buffers_.keys, &buffers_.values}) {
      for (at::Tensor& t : *list) {
        at::Tensor fresh = at::empty({rows.numel(), t.size(1), t.size(2), t.size(3)}, t.options());
        if (len > 0) fresh.narrow(2, 0, len).copy_(t.narrow(2, 0, len).index_select(0, rows));
        t = fresh;
      }
    }
    batch_ = rows.numel();
  }
  void Clear() override { buffers_.length = 0; }
  KvBuffers& buffers() { return buffers_; }

 private:
  KvBuffers buffers_;
  int64_t batch_;
};

using Clock = std::chrono::steady_clock;
double Seconds(Clock::time_point since) { return std::chrono::duration<double>(Clock::now() - since).count(); }

TransformerConfig ConfigOf(const TtOptions& o, int64_t step_tokens) {
  TransformerConfig c;
  c.step_tokens = step_tokens;
  c.bins = o.bins;
  c.max_tokens = o.steps * step_tokens;
  c.layers = o.layers;
  c.heads = o.heads;
  c.width = o.width;
  c.dropout = o.dropout;
  c.generator = MakeCpuGenerator(0, 0);
  return c;
}

// Rows [N, D] of (obs, action, reward, reward-to-go) values.
at::Tensor StepValues(const data::Dataset& d, double discount) {
  return at::cat({d.observations(), d.actions(), d.rewards().unsqueeze(1), RewardToGo(d, discount).unsqueeze(1)},
                 1);
}

// Token windows [B, L * D] starting at rows `starts` of a token table [N, D].
at::Tensor GatherWindows(const at::Tensor& table, const at::Tensor& starts, int64_t steps) {
  const at::Tensor rows = (starts.unsqueeze(1) + at::arange(steps, at::kLong).unsqueeze(0)).reshape({-1});
  return table.index_select(0, rows).view({starts.size(0), steps * table.size(1)});
}

}  // namespace

at::Tensor RewardToGo(const data::Dataset& data, double discount) {
  at::Tensor out = at::zeros({data.size()}, at::kFloat);
  const at::Tensor r = data.rewards().contiguous();
  const float* rp = r.data_ptr<float>();
  float* op = out.data_ptr<float>();
  for (int64_t e = 0; e < data.num_episodes(); ++e) {
    double v = 0.0;
    for (int64_t i = data.EpisodeEnd(e) - 1; i >= data.EpisodeBegin(e); --i) {
      op[i] = static_cast<float>(v);  // reward-to-go after row i's reward
      v = rp[i] + discount * v;
    }
  }
  return out;
}

TtModel::TtModel(const TtOptions& options, const ModelInputs& inputs) : TtModel(options, inputs, Tokenizer()) {}

TtModel::TtModel(const TtOptions& options, const ModelInputs& inputs, Tokenizer tokenizer)
    : options_(options), inputs_(inputs), tokenizer_(std::move(tokenizer)) {
  options_.Validate();
  inputs_.Validate();
  spec_.type = "tt";
  spec_.layout = StepLayout{inputs.obs_dim, inputs.action_dim};
  spec_.bins = options_.bins;
  spec_.max_tokens = options_.steps * spec_.layout.step_tokens();
  spec_.discount = options_.discount;
  spec_.action_bounds = inputs.action_bounds;
  net_ = std::make_unique<Net>(ConfigOf(options_, spec_.layout.step_tokens()));
  net_->Train(false);
  card_.type = "tt";
  card_.config = options_.ToSpec();
  card_.env_id = inputs_.env_id;
  card_.obs_dim = inputs_.obs_dim;
  card_.action_dim = inputs_.action_dim;
  card_.action_low = inputs_.action_bounds.low;
  card_.action_high = inputs_.action_bounds.high;
  card_.augur_version = AUGUR_VERSION;
}

TtModel::~TtModel() = default;

int64_t TtModel::parameter_count() const {
  int64_t n = 0;
  for (const auto& [name, p] : net_->Parameters()) n += p.numel();
  return n;
}

void TtModel::CheckTrained(const char* what) const {
  if (!trained_) throw StateError(StrCat("tt: ", what, " needs a trained model (call Train or Load first)"));
}

at::Tensor TtModel::Tokenize(const at::Tensor& values, int64_t first_dim) const {
  CheckTrained("Tokenize");
  return tokenizer_.Encode(values, first_dim);
}

at::Tensor TtModel::Detokenize(const at::Tensor& tokens, int64_t first_dim) const {
  CheckTrained("Detokenize");
  return tokenizer_.Decode(tokens, first_dim);
}

at::Tensor TtModel::BinCentres(int64_t dim) const {
  CheckTrained("BinCentres");
  return tokenizer_.Centres(dim);
}

std::unique_ptr<KvCache> TtModel::NewCache(int64_t batch) const {
  if (batch < 1) throw ConfigError(StrCat("tt: cache batch = ", batch, " must be >= 1"));
  return std::make_unique<TtKvCache>(net_->trunk->NewCache(batch), batch);
}

at::Tensor TtModel::Forward(const at::Tensor& tokens, KvCache* cache) const {
  CheckTrained("Forward");
  if (tokens.dim() != 2 || tokens.scalar_type() != at::kLong || tokens.size(0) < 1 || tokens.size(1) < 1) {
    throw ShapeError(StrCat("tt forward: tokens must be int64 [B, T] with B, T >= 1, got ", tokens.sizes(), " ",
                            tokens.scalar_type()));
  }
  const int64_t lo = tokens.min().item<int64_t>(), hi = tokens.max().item<int64_t>();
  if (lo < 0 || hi >= options_.bins) {
    throw RangeError(StrCat("tt forward: token id ", lo < 0 ? lo : hi, " is outside [0, ", options_.bins, ")"));
  }
  KvBuffers* buffers = nullptr;
  int64_t past = 0;
  if (cache) {
    auto* tt_cache = dynamic_cast<TtKvCache*>(cache);
    if (!tt_cache) throw ConfigError("tt forward: the cache was not made by a TtModel's NewCache");
    if (tt_cache->batch() != tokens.size(0)) {
      throw ShapeError(StrCat("tt forward: ", tokens.size(0), " rows of tokens but the cache has ",
                              tt_cache->batch(), " rows (Reorder it first)"));
    }
    buffers = &tt_cache->buffers();
    past = buffers->length;
  }
  if (past + tokens.size(1) > spec_.max_tokens) {
    throw ConfigError(StrCat("tt forward: ", past + tokens.size(1), " tokens exceed the model's context window of ",
                             spec_.max_tokens, " (steps = ", options_.steps, " x ", spec_.layout.step_tokens(),
                             " tokens per step)"));
  }
  torch::NoGradGuard no_grad;
  const at::Tensor hidden = net_->trunk->forward(tokens, buffers);  // [B, T, W]
  return net_->head->forward(hidden, past);                          // [B, T, N]
}

at::Tensor TtModel::TokenizeDataset(const data::Dataset& data) const {
  CheckTrained("TokenizeDataset");
  return tokenizer_.Encode(StepValues(data, options_.discount), 0);
}

TrainReport TtModel::Train(const data::Dataset& data, const TrainOptions& options, Progress* progress) {
  options.Validate();
  if (data.obs_dim() != inputs_.obs_dim || data.action_dim() != inputs_.action_dim) {
    throw ShapeError(StrCat("tt train: dataset has obs_dim ", data.obs_dim(), ", action_dim ", data.action_dim(),
                            " but the model was made for ", inputs_.obs_dim, ", ", inputs_.action_dim));
  }
  data.Validate();
  const auto t0 = Clock::now();
  const int64_t d = spec_.layout.step_tokens(), steps = options_.steps, n_bins = options_.bins;
  // Held-out episodes: the last holdout_ratio of them (at least one, when there are two or more).
  const int64_t episodes = data.num_episodes();
  int64_t held = 0;
  if (options.holdout_ratio > 0 && episodes >= 2) {
    held = std::clamp<int64_t>(std::llround(options.holdout_ratio * episodes), 1, episodes - 1);
  }
  const data::Dataset train = data.SliceEpisodes(0, episodes - held);
  tokenizer_ = Tokenizer::Fit(StepValues(train, options_.discount), n_bins, options_.binning);
  trained_ = true;  // the tokenizer is fitted; TokenizeDataset needs it
  const at::Tensor train_tokens = TokenizeDataset(train);  // [N, D]
  data::WindowSampler sampler(train, steps, options.seed, 0);
  at::Tensor holdout_windows;
  if (held > 0) {
    const data::Dataset holdout = data.SliceEpisodes(episodes - held, episodes);
    try {
      data::WindowSampler hs(holdout, steps, options.seed, 1);
      const int64_t count = std::min<int64_t>(hs.num_windows(), std::max<int64_t>(1, options.max_holdout / steps));
      holdout_windows = GatherWindows(TokenizeDataset(holdout), hs.SampleStarts(count), steps);
    } catch (const ConfigError&) {
      // no held-out episode is as long as the window: no held-out loss
    }
  }

  // Loss weight of every target position (the token after position p, of dimension (p + 1) mod D).
  const int64_t t_len = steps * d - 1;
  at::Tensor weights = at::ones({t_len}, at::kFloat);
  for (int64_t p = 0; p < t_len; ++p) {
    const int64_t dim = (p + 1) % d;
    if (dim >= spec_.layout.action_begin() && dim < spec_.layout.reward_index()) weights[p] = options_.action_weight;
  }

  at::Generator init = MakeCpuGenerator(options.seed, 1);
  sequence::InitParameters(*net_->trunk, init);
  sequence::InitParameters(*net_->head, init);
  net_->trunk->config.generator.set_current_seed(StreamId({options.seed, 2}));
  std::vector<at::Tensor> decay, no_decay;
  for (const auto& [name, p] : net_->Parameters()) {
    const bool linear_weight = name.ends_with("weight") && name.find("ln") == std::string::npos &&
                               name.find("embedding") == std::string::npos;
    (linear_weight ? decay : no_decay).push_back(p);
  }
  // AdamW with betas (0.9, 0.95) (minGPT / Trajectory Transformer).
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(decay, std::make_unique<torch::optim::AdamWOptions>(
                                 torch::optim::AdamWOptions(options.learning_rate)
                                     .betas({0.9, 0.95})
                                     .weight_decay(options_.weight_decay)));
  groups.emplace_back(no_decay, std::make_unique<torch::optim::AdamWOptions>(
                                    torch::optim::AdamWOptions(options.learning_rate).betas({0.9, 0.95}).weight_decay(0)));
  torch::optim::AdamW optimizer(groups, torch::optim::AdamWOptions(options.learning_rate));

  auto cross_entropy = [&](const at::Tensor& windows) {  // [B, L*D] -> per-token CE [B, T]
    const at::Tensor x = windows.narrow(1, 0, t_len), y = windows.narrow(1, 1, t_len);
    const at::Tensor logits = net_->head->forward(net_->trunk->forward(x, nullptr), 0);  // [B, T, N]
    return at::cross_entropy_loss(logits.reshape({-1, n_bins}), y.reshape({-1}), {}, at::Reduction::None)
        .view({windows.size(0), t_len});
  };

  TrainReport report;
  report.train_rows = train.size();
  report.holdout_rows = held > 0 ? data.size() - train.size() : 0;
  const int64_t batch = options.batch_size;
  const int64_t per_epoch = std::max<int64_t>(1, (sampler.num_windows() + batch - 1) / batch);
  double best = std::numeric_limits<double>::infinity();
  int since_best = 0;
  std::vector<at::Tensor> best_params;
  for (int epoch = 1; epoch <= options.max_epochs; ++epoch) {
    const auto e0 = Clock::now();
    net_->Train(true);
    double ce_sum = 0, train_seconds = 0;
    for (int64_t s = 0; s < per_epoch; ++s) {
      const at::Tensor windows = GatherWindows(train_tokens, sampler.SampleStarts(batch), steps);
      const auto s0 = Clock::now();
      const at::Tensor ce = cross_entropy(windows);
      const at::Tensor loss = (ce * weights).mean();
      optimizer.zero_grad();
      loss.backward();
      if (options_.grad_clip > 0) {
        std::vector<at::Tensor> params;
        for (const auto& [name, p] : net_->Parameters()) params.push_back(p);
        torch::nn::utils::clip_grad_norm_(params, options_.grad_clip);
      }
      optimizer.step();
      train_seconds += Seconds(s0);
      ce_sum += ce.mean().item<double>();
    }
    net_->Train(false);
    EpochMetrics m;
    m.epoch = epoch;
    m.train_nll = ce_sum / static_cast<double>(per_epoch);
    m.samples_per_second = static_cast<double>(per_epoch * batch * t_len) / std::max(train_seconds, 1e-9);
    double monitored = m.train_nll;
    if (holdout_windows.defined()) {
      torch::NoGradGuard no_grad;
      monitored = cross_entropy(holdout_windows).mean().item<double>();
      m.holdout_nll = {monitored};
    }
    m.seconds = Seconds(e0);
    report.epochs.push_back(m);
    if (progress) {
      progress->SetMetric("train_ce", m.train_nll);
      if (holdout_windows.defined()) progress->SetMetric("holdout_ce", monitored);
      progress->SetMetric("tokens_per_s", m.samples_per_second);
      progress->Advance();
    }
    if (monitored < best * (1.0 - options.min_improvement) || !std::isfinite(best)) {
      best = monitored;
      since_best = 0;
      report.best_epoch = {epoch};
      best_params.clear();
      for (const auto& [name, p] : net_->Parameters()) best_params.push_back(p.detach().clone());
    } else if (holdout_windows.defined() && ++since_best >= options.patience) {
      report.stopped_early = true;
      break;
    }
  }
  if (report.stopped_early) {
    torch::NoGradGuard no_grad;
    auto params = net_->Parameters();
    for (size_t i = 0; i < params.size(); ++i) params[i].second.copy_(best_params[i]);
  }
  report.seconds = Seconds(t0);
  card_.data_digest = options.data_digest;
  card_.metrics = report;
  Log().info("tt: trained {} parameters on {} windows of {} steps in {:.1f} s, train CE {:.3f}",
                 parameter_count(), sampler.num_windows(), steps, report.seconds, report.epochs.back().train_nll);
  return report;
}

void TtModel::Save(const std::string& path) const {
  CheckTrained("Save");
  NamedTensors tensors;
  for (const auto& [name, p] : net_->Parameters()) tensors.emplace_back(name, p.detach());
  tensors.emplace_back("tokenizer.edges", tokenizer_.edges());
  WriteCheckpoint(path, card_, tensors);
}

std::unique_ptr<TtModel> TtModel::Load(const std::string& path, const LoadExpectations& expect) {
  TtOptions options;
  const ModelCard card = ReadCardFor(path, "tt", expect, [&](SpecParams& params) { options = TtOptions::FromSpec(params); });
  const ModelInputs inputs{card.obs_dim, card.action_dim, Box{card.action_low, card.action_high}, card.env_id};
  auto model = std::unique_ptr<TtModel>(new TtModel(options, inputs, Tokenizer()));
  auto params = model->net_->Parameters();
  std::vector<std::string> names;
  for (const auto& [name, p] : params) names.push_back(name);
  names.push_back("tokenizer.edges");
  NamedTensors tensors;
  ReadCheckpoint(path, names, &tensors);
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < params.size(); ++i) {
    const at::Tensor& t = tensors[i].second;
    if (t.sizes() != params[i].second.sizes() || t.scalar_type() != params[i].second.scalar_type()) {
      throw DataError(StrCat(path, ": tensor '", names[i], "' has shape ", t.sizes(), " but the config '",
                             card.config, "' needs ", params[i].second.sizes()));
    }
    params[i].second.copy_(t);
  }
  const at::Tensor& edges = tensors.back().second;
  const int64_t d = model->spec_.layout.step_tokens();
  if (edges.dim() != 2 || edges.size(0) != d || edges.size(1) != options.bins + 1) {
    throw DataError(StrCat(path, ": the tokenizer has edges ", edges.sizes(), " but obs_dim ", card.obs_dim,
                           ", action_dim ", card.action_dim, " and bins ", options.bins, " need [", d, ", ",
                           options.bins + 1, "]"));
  }
  model->tokenizer_ = Tokenizer::FromEdges(edges, path);
  model->card_ = card;
  model->trained_ = true;
  return model;
}

}  // namespace augur::models
