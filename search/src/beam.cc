#include "augur/search/beam.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "augur/core/error.h"
#include "augur/core/torch_rng.h"

namespace augur::search {

void BeamOptions::Validate() const {
  if (width < 1) throw ConfigError(StrCat("beam: width = ", width, " must be >= 1"));
  if (horizon < 1) throw ConfigError(StrCat("beam: horizon = ", horizon, " must be >= 1"));
  if (expand < 1) throw ConfigError(StrCat("beam: expand = ", expand, " must be >= 1"));
  if (!(cdf > 0 && cdf <= 1)) throw ConfigError(StrCat("beam: cdf = ", cdf, " must be in (0, 1]"));
}

// The rows of the search: cache, token history, cumulative reward, next-token logits.
struct BeamPlanner::Beams {
  std::unique_ptr<KvCache> cache;  // cache=true only
  at::Tensor history;              // [R, len] tokens fed so far
  at::Tensor cumulative;           // [R] double sum_k discount^k r_k
  at::Tensor logits;               // [R, N] of the next token
};

BeamPlanner::BeamPlanner(std::shared_ptr<const SequenceModel> model, const BeamOptions& options, Executor& executor)
    : model_(std::move(model)), options_(options), seed_(options.seed) {
  if (!model_) throw ConfigError("planner 'beam': missing input: a sequence model");
  options_.Validate();
  const SequenceSpec& spec = model_->sequence_spec();
  layout_ = spec.layout;
  const int64_t d = layout_.step_tokens();
  const int64_t window_steps = spec.max_tokens / d;
  if (options_.horizon > window_steps) {
    throw ConfigError(StrCat("planner 'beam': horizon ", options_.horizon, " needs ", options_.horizon * d,
                             " tokens but the model attends to ", spec.max_tokens, " (", window_steps,
                             " steps of ", d, " tokens); use horizon <= ", window_steps,
                             " or train the model with steps >= ", options_.horizon));
  }
  if (options_.select == ActionSelect::kTopK && options_.expand > spec.bins) {
    throw ConfigError(StrCat("planner 'beam': select=topk needs expand <= bins (", options_.expand, " > ", spec.bins,
                             ")"));
  }
  reward_centres_ = model_->BinCentres(layout_.reward_index()).to(at::kDouble);
  value_centres_ = model_->BinCentres(layout_.value_index()).to(at::kDouble);
  executor.ApplyTorchThreads();
}

void BeamPlanner::Reset(uint64_t seed) {
  seed_ = seed;
  plans_ = 0;
}

at::Tensor BeamPlanner::Feed(Beams& beams, const at::Tensor& tokens) {
  ++model_calls_;
  beams.history = at::cat({beams.history, tokens.unsqueeze(1)}, 1);
  if (options_.cache) {
    beams.logits = model_->Forward(tokens.unsqueeze(1), beams.cache.get()).select(1, 0);
  } else {
    beams.logits = model_->Forward(beams.history, nullptr).select(1, -1);
  }
  return beams.logits;
}

void BeamPlanner::Keep(Beams& beams, const at::Tensor& rows) {
  if (beams.cache) beams.cache->Reorder(rows);
  beams.history = beams.history.index_select(0, rows);
  beams.cumulative = beams.cumulative.index_select(0, rows);
  beams.logits = beams.logits.index_select(0, rows);
}

at::Tensor BeamPlanner::SelectActionToken(const at::Tensor& logits, int64_t per_prefix, bool first_dim,
                                          at::Generator& gen) {
  if (options_.select == ActionSelect::kTopK) {
    if (!first_dim) return logits.argmax(1);
    // Rows come in groups of `per_prefix` copies of one prefix: copy i takes the prefix's i-th best token.
    const at::Tensor top = std::get<1>(logits.topk(per_prefix, 1));  // [R, per_prefix]
    const at::Tensor rank = at::remainder(at::arange(logits.size(0), at::kLong), per_prefix).unsqueeze(1);
    return top.gather(1, rank).squeeze(1);
  }
  const at::Tensor probs = at::softmax(logits.to(at::kFloat), 1);
  const auto [sorted, order] = probs.sort(1, /*descending=*/true);
  // Keep a token while the mass before it is below cdf (the most likely token is always kept).
  const at::Tensor keep = (sorted.cumsum(1) - sorted) < options_.cdf;
  const at::Tensor masked = at::where(keep, sorted, at::zeros_like(sorted));
  const at::Tensor pick = at::multinomial(masked, 1, /*replacement=*/false, gen);  // [R, 1] into sorted order
  return order.gather(1, pick).squeeze(1);
}

namespace {

// score [R] with every row whose history [R, len] repeats an earlier row's set to -inf.
at::Tensor DropDuplicates(const at::Tensor& history, const at::Tensor& score) {
  const int64_t rows = history.size(0);
  const auto [unique, inverse, counts] = at::unique_dim(history, 0, /*sorted=*/false, /*return_inverse=*/true);
  if (unique.size(0) == rows) return score;
  const at::Tensor groups = inverse.contiguous();
  const int64_t* group = groups.data_ptr<int64_t>();
  std::vector<uint8_t> seen(static_cast<size_t>(unique.size(0)), 0);
  at::Tensor out = score.clone();
  double* o = out.data_ptr<double>();
  for (int64_t r = 0; r < rows; ++r) {
    if (seen[group[r]]) o[r] = -std::numeric_limits<double>::infinity();
    seen[group[r]] = 1;
  }
  return out;
}

}  // namespace

void BeamPlanner::DoPlan(std::span<const float> obs, const Budget& budget, PlanResult& out) {
  const int64_t o = layout_.obs_dim, a = layout_.action_dim, h = options_.horizon;
  const double discount = model_->sequence_spec().discount;
  at::Generator gen = MakeCpuGenerator(seed_, plans_++);
  model_calls_ = 0;
  int64_t evaluations = 0;

  Beams beams;
  const at::Tensor obs_values = at::from_blob(const_cast<float*>(obs.data()), {1, o}, at::kFloat).clone();
  beams.history = model_->Tokenize(obs_values, 0);  // [1, O]
  beams.cumulative = at::zeros({1}, at::kDouble);
  ++model_calls_;
  if (options_.cache) {
    beams.cache = model_->NewCache(1);
    beams.logits = model_->Forward(beams.history, beams.cache.get()).select(1, -1);
  } else {
    beams.logits = model_->Forward(beams.history, nullptr).select(1, -1);
  }

  int64_t steps_done = 0;
  for (int64_t t = 0; t < h; ++t) {
    // 1. expand every kept prefix into `per_prefix` candidates and choose their action tokens
    // (the first step starts from one prefix: sampling draws width x expand candidates from it, top-k takes its
    // `expand` best tokens, as copies of one deterministic choice would only repeat each other)
    const int64_t per_prefix =
        t == 0 && options_.select == ActionSelect::kSample ? options_.width * options_.expand : options_.expand;
    const int64_t rows = beams.history.size(0);
    Keep(beams, at::arange(rows, at::kLong).repeat_interleave(per_prefix));
    for (int64_t j = 0; j < a; ++j) Feed(beams, SelectActionToken(beams.logits, per_prefix, j == 0, gen));
    // 2. reward and value
    const at::Tensor reward_probs = at::softmax(beams.logits.to(at::kDouble), 1);
    const at::Tensor reward = at::matmul(reward_probs, reward_centres_);  // [R]
    Feed(beams, beams.logits.argmax(1));
    const at::Tensor value_probs = at::softmax(beams.logits.to(at::kDouble), 1);
    const at::Tensor value = at::matmul(value_probs, value_centres_);     // [R]
    const at::Tensor value_tokens = beams.logits.argmax(1);
    beams.cumulative = beams.cumulative + std::pow(discount, static_cast<double>(t)) * reward;
    const at::Tensor score = beams.cumulative + std::pow(discount, static_cast<double>(t + 1)) * value;
    evaluations += beams.history.size(0);
    // 3. keep the best `width`, best first (a candidate identical to a better one does not take a slot)
    const int64_t keep = std::min<int64_t>(options_.width, score.size(0));
    const auto [best_score, best_rows] = (options_.dedup ? DropDuplicates(beams.history, score) : score).topk(keep);
    Keep(beams, best_rows);
    const at::Tensor kept_values = value_tokens.index_select(0, best_rows);
    out.predicted_return = best_score[0].item<double>();
    steps_done = t + 1;
    if (t + 1 == h || budget.Expired()) {
      beams.history = at::cat({beams.history, kept_values.unsqueeze(1)}, 1);  // the value token, not fed
      out.cut_short = t + 1 < h;
      break;
    }
    // 4. next observation
    Feed(beams, kept_values);
    for (int64_t j = 0; j < o; ++j) Feed(beams, beams.logits.argmax(1));
  }

  // The best beam's tokens: obs_0, then steps of (action, reward, value, next obs).
  const int64_t d = layout_.step_tokens();
  const at::Tensor best = beams.history[0].contiguous();  // [steps_done * D]
  out.plan.assign(static_cast<size_t>(h * a), 0.0f);
  out.predicted_states.assign(static_cast<size_t>(h * o), 0.0f);
  std::copy(obs.begin(), obs.end(), out.predicted_states.begin());
  for (int64_t t = 0; t < steps_done; ++t) {
    const at::Tensor act = model_->Detokenize(best.narrow(0, t * d + o, a).unsqueeze(0), layout_.action_begin());
    std::copy(act.data_ptr<float>(), act.data_ptr<float>() + a, out.plan.begin() + t * a);
    if (t > 0) {
      const at::Tensor next = model_->Detokenize(best.narrow(0, t * d, o).unsqueeze(0), 0).contiguous();
      std::copy(next.data_ptr<float>(), next.data_ptr<float>() + o, out.predicted_states.begin() + t * o);
    }
  }
  // Steps not planned (a deadline) repeat the last planned action.
  for (int64_t t = steps_done; t < h; ++t) {
    std::copy_n(out.plan.begin() + (steps_done - 1) * a, a, out.plan.begin() + t * a);
  }
  const Box& bounds = model_->sequence_spec().action_bounds;
  out.action.assign(out.plan.begin(), out.plan.begin() + a);
  if (bounds.dim() == a) {
    for (int64_t j = 0; j < a; ++j) out.action[j] = std::clamp(out.action[j], bounds.low[j], bounds.high[j]);
  }
  out.iterations = steps_done;
  out.evaluations = evaluations;
}

}  // namespace augur::search
