// The only translation unit of models/vq that includes torch/torch.h (autograd and torch::optim).
#include "augur/models/vq/vq_trainer.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include "augur/core/error.h"
#include "augur/core/logging.h"
#include "augur/core/progress.h"
#include "augur/core/torch_rng.h"
#include "augur/models/ensemble/ensemble_trainer.h"

namespace augur::models {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) { return std::chrono::duration<double>(Clock::now() - since).count(); }

// Normalized targets (s' - s, r) [N, S + 1] and done [N, 1].
at::Tensor Targets(const VqWeights& w, const at::Tensor& obs, const at::Tensor& next_obs, const at::Tensor& reward) {
  return (at::cat({next_obs - obs, reward.reshape({-1, 1})}, 1) - w.target_mean) / w.target_std;
}

// Encodings z_e [N, D] of (f, y, done).
at::Tensor EncodeRows(const VqWeights& w, const at::Tensor& f, const at::Tensor& y, const at::Tensor& done) {
  return MlpForward(w.encoder, at::cat({f, y, done}, 1));
}

// Nearest code of each encoding [N].
at::Tensor Nearest(const at::Tensor& z, const at::Tensor& codebook) {
  const at::Tensor d = z.square().sum(1, true) - 2 * at::matmul(z, codebook.t()) + codebook.square().sum(1).unsqueeze(0);
  return d.argmin(1);
}

struct Losses {
  at::Tensor total, recon, done, commitment, prior_nll, codes;
};

Losses Forward(const VqWeights& w, const VqOptions& o, const at::Tensor& f, const at::Tensor& y, const at::Tensor& done) {
  Losses l;
  const at::Tensor z = EncodeRows(w, f, y, done);
  l.codes = Nearest(z.detach(), w.codebook.detach());
  const at::Tensor zq = w.codebook.index_select(0, l.codes);
  l.commitment = (z - zq.detach()).square().mean();
  const at::Tensor z_st = z + (zq - z).detach();
  const at::Tensor out = MlpForward(w.decoder, at::cat({f, z_st}, 1));
  const int64_t d = y.size(1);
  l.recon = (out.narrow(1, 0, d) - y).square().mean();
  l.done = torch::nn::functional::binary_cross_entropy_with_logits(out.narrow(1, d, 1), done);
  l.prior_nll = torch::nn::functional::cross_entropy(MlpForward(w.prior, f), l.codes);
  l.total = l.recon + l.done + o.commitment * l.commitment + l.prior_nll;
  if (o.codebook == CodebookUpdate::kLoss) l.total = l.total + (zq - z.detach()).square().mean();
  return l;
}

}  // namespace

at::Tensor AssignCodes(const VqWeights& w, const VqOptions& o, const at::Tensor& obs, const at::Tensor& action,
                       const at::Tensor& next_obs, const at::Tensor& reward, const at::Tensor& done) {
  at::NoGradGuard no_grad;
  const at::Tensor f = VqFeatures(w, o, obs, action);
  return Nearest(EncodeRows(w, f, Targets(w, obs, next_obs, reward), done.to(at::kFloat).reshape({-1, 1})), w.codebook);
}

TrainedVq TrainVq(const VqOptions& o, const TransitionBatch& data, const TrainOptions& train, Progress* progress) {
  const auto start = Clock::now();
  const int64_t n = data.size(), s = data.obs.size(1), a = data.actions.size(1), k = o.codes;
  const at::Tensor obs = data.obs.to(at::kFloat), actions = data.actions.to(at::kFloat);
  const at::Tensor next_obs = data.next_obs.to(at::kFloat), rewards = data.rewards.to(at::kFloat).reshape({-1});
  const at::Tensor done = data.terminals.defined() ? data.terminals.to(at::kFloat).reshape({n, 1}) : at::zeros({n, 1});

  at::Generator gen = MakeCpuGenerator(train.seed, /*stream=*/0x7a9);
  const int64_t holdout = std::min<int64_t>(static_cast<int64_t>(train.holdout_ratio * n), train.max_holdout);
  if (n - holdout < 1) {
    throw ConfigError(StrCat("vq train: only ", n, " rows, none left for training after holding out ", holdout));
  }
  const at::Tensor perm = at::randperm(n, gen, at::kLong);
  const at::Tensor train_index = perm.narrow(0, holdout, n - holdout), holdout_index = perm.narrow(0, 0, holdout);
  const int64_t n_train = train_index.size(0);

  VqWeights w = VqWeights::Init(o, s, a, train.seed);
  std::tie(w.input_mean, w.input_std) = FitNormalizer(at::cat({obs, actions}, 1).index_select(0, train_index));
  const at::Tensor raw_targets = at::cat({next_obs - obs, rewards.reshape({-1, 1})}, 1);
  std::tie(w.target_mean, w.target_std) = FitNormalizer(raw_targets.index_select(0, train_index));
  const at::Tensor f_all = VqFeatures(w, o, obs, actions);           // [N, F]
  const at::Tensor y_all = Targets(w, obs, next_obs, rewards);      // [N, S + 1]
  auto rows = [&](const at::Tensor& index) {
    return std::array<at::Tensor, 3>{f_all.index_select(0, index), y_all.index_select(0, index), done.index_select(0, index)};
  };
  const auto [f_train, y_train, d_train] = rows(train_index);
  const auto [f_eval, y_eval, d_eval] = holdout > 0 ? rows(holdout_index) : rows(train_index);

  // Codes from encodings of random training rows (replacement only when there are fewer rows than codes).
  auto seed_codes = [&](const at::Tensor& which) {
    at::NoGradGuard no_grad;
    const int64_t m = which.size(0);
    if (m == 0) return;
    const at::Tensor pick = n_train >= m ? at::randperm(n_train, gen, at::kLong).narrow(0, 0, m)
                                         : at::randint(n_train, {m}, gen, at::kLong);
    const at::Tensor z = EncodeRows(w, f_train.index_select(0, pick), y_train.index_select(0, pick),
                                    d_train.index_select(0, pick));
    w.codebook.index_copy_(0, which, z);
  };
  seed_codes(at::arange(k, at::kLong));
  at::Tensor ema_count = at::ones({k}), ema_sum = w.codebook.clone();

  std::vector<at::Tensor> params;
  w.ForEachParameter([&](const std::string& name, at::Tensor& t) {
    if (name == "codebook" && o.codebook == CodebookUpdate::kEma) return;
    t.requires_grad_(true);
    params.push_back(t);
  });
  torch::optim::Adam optimizer(params, torch::optim::AdamOptions(train.learning_rate));

  TrainedVq result;
  TrainReport& report = result.report;
  report.train_rows = n_train;
  report.holdout_rows = holdout;
  report.best_holdout_mse = {std::numeric_limits<double>::infinity()};
  report.best_epoch = {0};
  report.elites = {0};
  VqWeights best = w.To(at::kCPU);
  double best_loss = std::numeric_limits<double>::infinity();
  int since_improvement = 0;
  const int64_t bs = train.batch_size;
  for (int epoch = 1; epoch <= train.max_epochs; ++epoch) {
    const auto epoch_start = Clock::now();
    const at::Tensor order = at::randperm(n_train, gen, at::kLong);
    at::Tensor usage = at::zeros({k});
    double sums[4] = {0, 0, 0, 0};  // total, prior_nll, recon, commitment
    int64_t batches = 0;
    for (int64_t begin = 0; begin < n_train; begin += bs) {
      const at::Tensor index = order.narrow(0, begin, std::min(bs, n_train - begin));
      Losses l = Forward(w, o, f_train.index_select(0, index), y_train.index_select(0, index),
                         d_train.index_select(0, index));
      optimizer.zero_grad();
      l.total.backward();
      optimizer.step();
      {
        at::NoGradGuard no_grad;
        const at::Tensor onehot = at::one_hot(l.codes, k).to(at::kFloat);  // [n, K]
        usage += onehot.sum(0);
        if (o.codebook == CodebookUpdate::kEma) {
          // Razavi et al. 2019 (VQ-VAE-2), eq. of the EMA update with Laplace smoothing of the counts.
          const at::Tensor z = EncodeRows(w, f_train.index_select(0, index), y_train.index_select(0, index),
                                          d_train.index_select(0, index));
          ema_count.mul_(o.decay).add_(onehot.sum(0), 1 - o.decay);
          ema_sum.mul_(o.decay).add_(at::matmul(onehot.t(), z), 1 - o.decay);
          const double total = ema_count.sum().item<double>();
          const at::Tensor smoothed = (ema_count + 1e-5) / (total + k * 1e-5) * total;
          w.codebook.copy_(ema_sum / smoothed.unsqueeze(1));
        }
      }
      sums[0] += l.total.item<double>();
      sums[1] += l.prior_nll.item<double>();
      sums[2] += l.recon.item<double>();
      sums[3] += l.commitment.item<double>();
      ++batches;
    }
    const double train_seconds = Seconds(epoch_start);
    if (o.restart_dead && epoch <= train.max_epochs / 2) {
      const at::Tensor dead = (usage == 0).nonzero().reshape({-1});
      if (dead.numel() > 0) {
        seed_codes(dead);
        at::NoGradGuard no_grad;
        ema_count.index_fill_(0, dead, 1.0);
        ema_sum.index_copy_(0, dead, w.codebook.index_select(0, dead));
      }
    }

    EpochMetrics m;
    m.epoch = epoch;
    m.train_nll = sums[0] / std::max<int64_t>(batches, 1);
    double holdout_loss = 0;
    {
      at::NoGradGuard no_grad;
      const Losses h = Forward(w, o, f_eval, y_eval, d_eval);
      m.holdout_nll = {h.prior_nll.item<double>()};
      m.holdout_mse = {h.recon.item<double>()};
      holdout_loss = (h.recon + h.done + h.prior_nll).item<double>();
    }
    const at::Tensor p = usage / std::max(usage.sum().item<double>(), 1.0);
    m.extra = {{"prior_nll", sums[1] / std::max<int64_t>(batches, 1)},
               {"recon_mse", sums[2] / std::max<int64_t>(batches, 1)},
               {"commitment", sums[3] / std::max<int64_t>(batches, 1)},
               {"codes_used", (usage > 0).sum().item<double>()},
               {"perplexity", std::exp(-(p * at::log(p.clamp_min(1e-12))).sum().item<double>())},
               {"holdout_loss", holdout_loss}};
    m.samples_per_second = n_train / std::max(train_seconds, 1e-9);
    if (!std::isfinite(m.train_nll)) {
      throw StateError(StrCat("vq train: the loss became ", m.train_nll, " at epoch ", epoch,
                              "; lower learning_rate or check the data's scale"));
    }
    const bool improved = std::isfinite(holdout_loss) &&
                          (!std::isfinite(best_loss) ||
                           (best_loss - holdout_loss) / std::max(std::fabs(best_loss), 1e-12) > train.min_improvement);
    // During the restart phase the codebook still changes under the prior: keep the latest parameters.
    const bool restarting = o.restart_dead && epoch <= train.max_epochs / 2;
    if (improved || restarting) {
      best = w.To(at::kCPU);
      report.best_holdout_mse = {m.holdout_mse[0]};
      report.best_epoch = {epoch};
    }
    if (improved) best_loss = holdout_loss;
    m.seconds = Seconds(epoch_start);
    report.epochs.push_back(m);
    if (progress != nullptr) {
      progress->SetMetric("loss", m.train_nll);
      progress->SetMetric("holdout", holdout_loss);
      progress->SetMetric("codes", m.extra["codes_used"]);
      progress->Advance();
    }
    since_improvement = improved || restarting ? 0 : since_improvement + 1;
    if (since_improvement >= train.patience) {
      report.stopped_early = epoch < train.max_epochs;
      break;
    }
  }
  report.seconds = Seconds(start);
  result.weights = std::move(best);
  Log().info("vq: trained {} codes on {} rows ({} held out) for {} epochs in {:.1f} s; kept epoch {}", k, n_train,
             holdout, report.epochs.size(), report.seconds, report.best_epoch[0]);
  return result;
}

}  // namespace augur::models
