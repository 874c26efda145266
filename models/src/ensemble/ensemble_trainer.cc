// The only translation unit of models/ that includes torch/torch.h (torch::nn modules and torch::optim).
#include "augur/models/ensemble/ensemble_trainer.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include "augur/core/error.h"
#include "augur/core/logging.h"
#include "augur/core/progress.h"
#include "augur/core/torch_rng.h"
#include "augur/models/ensemble/ensemble_backprop.h"
#include "augur/models/fused_adam.h"

namespace augur::models {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) { return std::chrono::duration<double>(Clock::now() - since).count(); }

// One batched layer of E members: y[e] = x[e] @ weight[e] + bias[e].
class EnsembleLinearImpl : public torch::nn::Module {
 public:
  EnsembleLinearImpl(const at::Tensor& weight, const at::Tensor& bias) {
    this->weight = register_parameter("weight", weight.clone());  // [E, in, out]
    this->bias = register_parameter("bias", bias.clone());        // [E, 1, out]
  }
  at::Tensor forward(const at::Tensor& x) { return at::baddbmm(bias, x, weight); }  // [E, n, in] -> [E, n, out]

  at::Tensor weight, bias;
};
TORCH_MODULE(EnsembleLinear);

// The trainable ensemble; its forward is ForwardEnsemble over a view of the parameters, so training and
// inference share one definition of the network.
class GaussianEnsembleImpl : public torch::nn::Module {
 public:
  GaussianEnsembleImpl(const EnsembleWeights& init, Activation activation) : activation_(activation), init_(init) {
    for (size_t l = 0; l < init.weight.size(); ++l) {
      layers.push_back(register_module(StrCat("layer", l), EnsembleLinear(init.weight[l], init.bias[l])));
    }
    max_logvar = register_parameter("max_logvar", init.max_logvar.clone());  // [D]
    min_logvar = register_parameter("min_logvar", init.min_logvar.clone());  // [D]
  }

  // The parameters as EnsembleWeights (sharing storage; normalizers from `init`).
  EnsembleWeights View() const {
    EnsembleWeights w = init_;
    for (size_t l = 0; l < layers.size(); ++l) {
      w.weight[l] = layers[l]->weight;
      w.bias[l] = layers[l]->bias;
    }
    w.max_logvar = max_logvar;
    w.min_logvar = min_logvar;
    return w;
  }
  EnsembleOutput forward(const at::Tensor& x) { return ForwardEnsemble(View(), activation_, x); }  // [E, n, In]

  std::vector<EnsembleLinear> layers;
  at::Tensor max_logvar, min_logvar;

 private:
  Activation activation_;
  EnsembleWeights init_;
};
TORCH_MODULE(GaussianEnsemble);

// Per-member mean over rows and outputs of the Gaussian NLL (MBPO's form, without 1/2 and log 2 pi): [E].
at::Tensor MemberNll(const EnsembleOutput& out, const at::Tensor& y) {
  return ((out.mean - y).square() * at::exp(-out.logvar) + out.logvar).mean({1, 2});
}

}  // namespace

std::pair<at::Tensor, at::Tensor> FitNormalizer(const at::Tensor& x) {
  at::Tensor mean = x.mean(0);
  at::Tensor std = x.std(0, /*unbiased=*/false);
  std = at::where(std < 1e-6, at::ones_like(std), std);
  return {mean, std};
}

TrainedEnsemble TrainEnsemble(const EnsembleOptions& options, const TransitionBatch& data, const TrainOptions& train,
                              Progress* progress) {
  const auto start = Clock::now();
  const int64_t n = data.size(), e = options.members;
  const int64_t obs_dim = data.obs.size(1), action_dim = data.actions.size(1);

  // Inputs (obs, action) [N, In] and targets (delta obs, reward) [N, D].
  const at::Tensor obs = data.obs.to(at::kFloat), next_obs = data.next_obs.to(at::kFloat);
  const at::Tensor inputs = at::cat({obs, data.actions.to(at::kFloat)}, 1);
  const at::Tensor targets = at::cat({next_obs - obs, data.rewards.to(at::kFloat).unsqueeze(1)}, 1);

  at::Generator gen = MakeCpuGenerator(train.seed, /*stream=*/0x7124);
  int64_t holdout = std::min<int64_t>(static_cast<int64_t>(train.holdout_ratio * n), train.max_holdout);
  if (n - holdout < 1) {
    throw ConfigError(StrCat("train: only ", n, " rows, none left for training after holding out ", holdout));
  }
  const at::Tensor perm = at::randperm(n, gen, at::kLong);
  const at::Tensor holdout_index = perm.narrow(0, 0, holdout), train_index = perm.narrow(0, holdout, n - holdout);
  const int64_t n_train = train_index.size(0);

  EnsembleWeights init = EnsembleWeights::Init(options, obs_dim, action_dim, train.seed);
  std::tie(init.input_mean, init.input_std) = FitNormalizer(inputs.index_select(0, train_index));
  std::tie(init.target_mean, init.target_std) = FitNormalizer(targets.index_select(0, train_index));
  const at::Tensor x_all = (inputs - init.input_mean) / init.input_std;     // [N, In]
  const at::Tensor y_all = (targets - init.target_mean) / init.target_std;  // [N, D]
  const at::Tensor x_train = x_all.index_select(0, train_index), y_train = y_all.index_select(0, train_index);
  // Without a held-out split, early stopping and elites read the training rows.
  const at::Tensor x_eval = holdout > 0 ? x_all.index_select(0, holdout_index) : x_train;  // [Nh, In]
  const at::Tensor y_eval = holdout > 0 ? y_all.index_select(0, holdout_index) : y_train;  // [Nh, D]

  GaussianEnsemble net(init, options.activation);
  // Adam with weight decay on each layer's weights (MBPO's per-layer values); biases and bounds undecayed.
  // FusedAdam: torch::optim::Adam's update in one pass per parameter (fused_adam.h).
  std::vector<AdamGroup> groups;
  AdamGroup undecayed{{net->max_logvar, net->min_logvar}, 0.0};
  for (size_t l = 0; l < net->layers.size(); ++l) {
    const double wd = train.weight_decay.empty() ? 0.0 : train.weight_decay[std::min(l, train.weight_decay.size() - 1)];
    groups.push_back(AdamGroup{{net->layers[l]->weight}, wd});
    undecayed.params.push_back(net->layers[l]->bias);
  }
  groups.push_back(std::move(undecayed));
  FusedAdam optimizer(std::move(groups), AdamConfig{.learning_rate = train.learning_rate});

  // Bootstrap: member e trains on its own resample of the train split (with replacement).
  const at::Tensor bootstrap = train.bootstrap ? at::randint(n_train, {e, n_train}, gen, at::kLong)
                                               : at::arange(n_train, at::kLong).repeat({e, 1});  // [E, Ntr]

  TrainedEnsemble result;
  TrainReport& report = result.report;
  report.train_rows = n_train;
  report.holdout_rows = holdout;
  report.best_holdout_mse.assign(e, std::numeric_limits<double>::infinity());
  report.best_epoch.assign(e, 0);
  EnsembleWeights best = net->View();
  for (size_t l = 0; l < best.weight.size(); ++l) {
    best.weight[l] = best.weight[l].detach().clone();
    best.bias[l] = best.bias[l].detach().clone();
  }

  auto evaluate = [&](at::Tensor* nll, at::Tensor* mse) {
    torch::NoGradGuard no_grad;
    EnsembleOutput out = net->forward(x_eval.unsqueeze(0).expand({e, x_eval.size(0), x_eval.size(1)}));
    *nll = MemberNll(out, y_eval);                   // [E]
    *mse = (out.mean - y_eval).square().mean({1, 2});  // [E]
  };

  // The training step: EnsembleBackprop's hand-written forward and backward (no autograd graph) writes the
  // gradients into the parameters' .grad() buffers, and FusedAdam updates each block as soon as it is final.
  const EnsembleWeights params = net->View();
  EnsembleWeights grads = params;
  auto grad_buffer = [](const at::Tensor& p) {
    at::Tensor g = at::zeros_like(p, at::MemoryFormat::Contiguous);
    p.mutable_grad() = g;
    return g;
  };
  for (size_t l = 0; l < params.weight.size(); ++l) {
    grads.weight[l] = grad_buffer(params.weight[l]);
    grads.bias[l] = grad_buffer(params.bias[l]);
  }
  grads.max_logvar = grad_buffer(params.max_logvar);
  grads.min_logvar = grad_buffer(params.min_logvar);
  const int64_t bs = train.batch_size;
  EnsembleBackprop backprop(params, options.activation, std::min(bs, n_train));
  // FusedAdam's parameter numbers, in the order of `groups` above: layer l's weight is l, then max_logvar,
  // min_logvar, and layer l's bias at max_slot + 2 + l. Each weight and bias block is updated as soon as its
  // gradient is final (in cache); the bounds after the whole gradient.
  const size_t max_slot = net->layers.size();
  const int64_t max_logvar_size = net->max_logvar.numel();
  AUGUR_CHECK_EQ(optimizer.size(), 2 * max_slot + 2);
  const EnsembleBackprop::BlockDone update_block = [&](int64_t layer, bool bias, int64_t begin, int64_t end) {
    optimizer.Update(bias ? max_slot + 2 + layer : layer, begin, end);
  };

  int since_improvement = 0;
  for (int epoch = 1; epoch <= train.max_epochs; ++epoch) {
    const auto epoch_start = Clock::now();
    net->train();
    // Independent shuffle of each member's bootstrap indices.
    const at::Tensor order = at::rand({e, n_train}, gen).argsort(/*dim=*/1, /*descending=*/false);
    const at::Tensor shuffled = bootstrap.gather(1, order);  // [E, Ntr]
    double nll_sum = 0;
    int64_t batches = 0;
    for (int64_t begin = 0; begin < n_train; begin += bs) {
      const int64_t rows = std::min(bs, n_train - begin);
      const at::Tensor index = shuffled.narrow(1, begin, rows).contiguous();  // [E, rows]
      optimizer.BeginStep();
      const double nll = backprop.LossAndGrad(params, grads, x_train, y_train, index.data_ptr<int64_t>(), rows,
                                              train.logvar_bound_weight, update_block);
      optimizer.Update(max_slot, 0, max_logvar_size);
      optimizer.Update(max_slot + 1, 0, max_logvar_size);
      nll_sum += nll / e;
      ++batches;
    }
    const double train_seconds = Seconds(epoch_start);

    at::Tensor holdout_nll, holdout_mse;
    evaluate(&holdout_nll, &holdout_mse);
    EpochMetrics m;
    m.epoch = epoch;
    m.train_nll = nll_sum / std::max<int64_t>(batches, 1);
    const at::Tensor nll_cpu = holdout_nll.to(at::kDouble).contiguous(), mse_cpu = holdout_mse.to(at::kDouble).contiguous();
    m.holdout_nll.assign(nll_cpu.data_ptr<double>(), nll_cpu.data_ptr<double>() + e);
    m.holdout_mse.assign(mse_cpu.data_ptr<double>(), mse_cpu.data_ptr<double>() + e);
    m.samples_per_second = n_train / std::max(train_seconds, 1e-9);

    // Keep each member's parameters from its best epoch; stop when no member improved for `patience` epochs.
    bool improved = false;
    {
      torch::NoGradGuard no_grad;
      for (int64_t k = 0; k < e; ++k) {
        const double current = m.holdout_mse[k], best_mse = report.best_holdout_mse[k];
        if (!std::isfinite(current)) continue;
        if (!std::isfinite(best_mse) || (best_mse - current) / std::max(std::fabs(best_mse), 1e-12) > train.min_improvement) {
          report.best_holdout_mse[k] = current;
          report.best_epoch[k] = epoch;
          for (size_t l = 0; l < best.weight.size(); ++l) {
            best.weight[l][k].copy_(net->layers[l]->weight[k]);
            best.bias[l][k].copy_(net->layers[l]->bias[k]);
          }
          improved = true;
        }
      }
    }
    m.seconds = Seconds(epoch_start);
    report.epochs.push_back(m);
    if (progress != nullptr) {
      progress->SetMetric("train_nll", m.train_nll);
      progress->SetMetric("holdout_mse", holdout_mse.mean().item<double>());
      progress->Advance();
    }
    since_improvement = improved ? 0 : since_improvement + 1;
    if (!std::isfinite(m.train_nll)) {
      throw StateError(StrCat("train: the loss became ", m.train_nll, " at epoch ", epoch,
                              "; lower learning_rate or check the data's scale"));
    }
    if (since_improvement >= train.patience) {
      report.stopped_early = epoch < train.max_epochs;
      break;
    }
  }

  // Members whose held-out MSE never became finite keep their initialization and rank last.
  std::vector<int64_t> order(e);
  for (int64_t k = 0; k < e; ++k) order[k] = k;
  std::stable_sort(order.begin(), order.end(),
                   [&](int64_t a, int64_t b) { return report.best_holdout_mse[a] < report.best_holdout_mse[b]; });
  report.elites.assign(order.begin(), order.begin() + options.elites);
  report.seconds = Seconds(start);

  EnsembleWeights& w = result.weights;
  w = best;
  w.max_logvar = net->max_logvar.detach().clone();
  w.min_logvar = net->min_logvar.detach().clone();
  result.elites = order;
  Log().info("ensemble: trained {} members on {} rows ({} held out) for {} epochs in {:.1f} s; elites {}",
             e, n_train, holdout, report.epochs.size(), report.seconds, fmt::join(report.elites, ","));
  return result;
}

}  // namespace augur::models

namespace augur::models {

ClassifierWeights TrainTerminationClassifier(const TransitionBatch& data, const at::Tensor& obs_mean,
                                             const at::Tensor& obs_std, const TrainOptions& train) {
  const int64_t n = data.size(), obs_dim = data.obs.size(1);
  const at::Tensor x = (data.next_obs.to(at::kFloat) - obs_mean) / obs_std;  // [N, O]
  const at::Tensor y = data.terminals.to(at::kFloat).reshape({n, 1});        // [N, 1]
  const double positives = y.sum().item<double>();
  const double pos_weight = std::min(100.0, std::max(1.0, (n - positives) / std::max(positives, 1.0)));

  torch::nn::Sequential net;
  int64_t prev = obs_dim;
  for (int l = 0; l < kTerminationHiddenLayers; ++l) {
    net->push_back(torch::nn::Linear(prev, kTerminationHidden));
    net->push_back(torch::nn::SiLU());
    prev = kTerminationHidden;
  }
  net->push_back(torch::nn::Linear(prev, 1));
  at::Generator gen = MakeCpuGenerator(train.seed, /*stream=*/0x7e2);
  {
    // Re-draw nn::Linear's default uniform(+-1/sqrt(in)) init from our generator, not the global one.
    torch::NoGradGuard no_grad;
    for (auto& p : net->named_parameters()) {
      const double bound = 1.0 / std::sqrt(static_cast<double>(p.value().dim() == 2 ? p.value().size(1) : kTerminationHidden));
      p.value().copy_(at::rand(p.value().sizes(), gen, at::kFloat) * (2 * bound) - bound);
    }
  }
  torch::optim::Adam optimizer(net->parameters(), torch::optim::AdamOptions(train.learning_rate));
  const at::Tensor weight = at::full({1}, pos_weight);
  for (int epoch = 0; epoch < train.termination_epochs; ++epoch) {
    const at::Tensor perm = at::randperm(n, gen, at::kLong);
    for (int64_t begin = 0; begin < n; begin += train.batch_size) {
      const at::Tensor index = perm.narrow(0, begin, std::min<int64_t>(train.batch_size, n - begin));
      const at::Tensor logits = net->forward(x.index_select(0, index));  // [b, 1]
      const at::Tensor loss = torch::nn::functional::binary_cross_entropy_with_logits(
          logits, y.index_select(0, index), torch::nn::functional::BinaryCrossEntropyWithLogitsFuncOptions().pos_weight(weight));
      optimizer.zero_grad();
      loss.backward();
      optimizer.step();
    }
  }
  ClassifierWeights w;
  for (const auto& module : net->children()) {
    if (auto* linear = module->as<torch::nn::Linear>()) {
      w.weight.push_back(linear->weight.detach().t().contiguous());  // [in, out]
      w.bias.push_back(linear->bias.detach().clone());              // [out]
    }
  }
  w.obs_mean = obs_mean.clone();
  w.obs_std = obs_std.clone();
  Log().info("ensemble: termination classifier trained on {} rows ({} terminal) for {} epochs", n,
             static_cast<int64_t>(positives), train.termination_epochs);
  return w;
}

}  // namespace augur::models
