// The only translation unit of agents/ that includes torch/torch.h (training with torch::nn and torch::optim).
#include "augur/agents/bc.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>

#include "augur/core/error.h"
#include "augur/core/progress.h"
#include "augur/core/torch_rng.h"

namespace augur::agents {
namespace {

torch::nn::Sequential MakeNet(int64_t in, int64_t out, const BcOptions& o) {
  torch::nn::Sequential net;
  int64_t width = in;
  for (int64_t l = 0; l < o.layers; ++l) {
    net->push_back(torch::nn::Linear(width, o.hidden));
    net->push_back(torch::nn::ReLU());
    width = o.hidden;
  }
  net->push_back(torch::nn::Linear(width, out));
  net->push_back(torch::nn::Tanh());
  return net;
}

std::vector<float> ToVector(const at::Tensor& t) {
  const at::Tensor c = t.detach().to(at::kFloat).contiguous();
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

}  // namespace

void BcOptions::Validate() const {
  if (hidden < 1) throw ConfigError(StrCat("bc: hidden = ", hidden, " must be >= 1"));
  if (layers < 1) throw ConfigError(StrCat("bc: layers = ", layers, " must be >= 1"));
  if (max_epochs < 1) throw ConfigError(StrCat("bc: max_epochs = ", max_epochs, " must be >= 1"));
  if (batch < 1) throw ConfigError(StrCat("bc: batch = ", batch, " must be >= 1"));
  if (!(learning_rate > 0)) throw ConfigError(StrCat("bc: learning_rate = ", learning_rate, " must be > 0"));
  if (patience < 0) throw ConfigError(StrCat("bc: patience = ", patience, " must be >= 0"));
}

BcPolicy BcPolicy::Train(const data::Dataset& dataset, const BcOptions& options, Progress* progress,
                         BcTrainReport* report) {
  options.Validate();
  if (dataset.empty()) throw ConfigError("bc: the dataset is empty; nothing to clone");
  const auto start = std::chrono::steady_clock::now();
  torch::NoGradGuard no_grad_outside;
  BcPolicy policy;
  policy.options_ = options;
  policy.obs_dim_ = dataset.obs_dim();
  policy.action_dim_ = dataset.action_dim();
  const at::Tensor obs = dataset.observations(), act = dataset.actions();
  // Action box: the env's when known (finite), else the data's range.
  at::Tensor low = std::get<0>(act.min(0)), high = std::get<0>(act.max(0));
  if (dataset.metadata().env_spec) {
    policy.env_id_ = dataset.metadata().env_spec->id;
    if (const Box* box = std::get_if<Box>(&dataset.metadata().env_spec->action)) {
      if (static_cast<int64_t>(box->low.size()) == policy.action_dim_) {
        const at::Tensor bl = at::tensor(box->low), bh = at::tensor(box->high);
        low = at::where(at::isfinite(bl), bl, low);
        high = at::where(at::isfinite(bh), bh, high);
      }
    }
  }
  high = at::maximum(high, low + 1e-6);
  policy.act_low_ = ToVector(low);
  policy.act_high_ = ToVector(high);
  const at::Tensor mean = obs.mean(0), stddev = obs.std(0).clamp_min(1e-6);
  policy.obs_mean_ = ToVector(mean);
  policy.obs_std_ = ToVector(stddev);
  const at::Tensor x_all = (obs - mean) / stddev;
  const at::Tensor y_all = ((act - low) / (high - low) * 2 - 1).clamp(-0.999, 0.999);

  // Hold out the last 10 % of the episodes (at least one row) for early stopping.
  int64_t split = dataset.size();
  if (dataset.num_episodes() >= 10) split = dataset.EpisodeBegin(dataset.num_episodes() * 9 / 10);
  else if (dataset.size() >= 20) split = dataset.size() * 9 / 10;
  const at::Tensor x_train = x_all.slice(0, 0, split), y_train = y_all.slice(0, 0, split);
  const at::Tensor x_hold = split < dataset.size() ? x_all.slice(0, split) : x_train;
  const at::Tensor y_hold = split < dataset.size() ? y_all.slice(0, split) : y_train;

  at::Generator gen = MakeCpuGenerator(options.seed, /*stream=*/0xbc);
  torch::nn::Sequential net = MakeNet(policy.obs_dim_, policy.action_dim_, options);
  {
    // Deterministic initialization from the seeded generator (PyTorch's default Linear init: U(+-1/sqrt(in))).
    for (auto& p : net->named_parameters()) {
      const int64_t fan_in = p.value().dim() == 2 ? p.value().size(1) : policy.obs_dim_;
      const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
      p.value().uniform_(-bound, bound, gen);
    }
  }
  torch::optim::Adam optimizer(net->parameters(), torch::optim::AdamOptions(options.learning_rate));
  BcTrainReport rep;
  double best = std::numeric_limits<double>::infinity();
  std::vector<at::Tensor> best_params;
  const int64_t n = x_train.size(0);
  const int64_t steps = std::max<int64_t>(1, n / options.batch);
  for (int64_t epoch = 0; epoch < options.max_epochs; ++epoch) {
    double total = 0;
    for (int64_t s = 0; s < steps; ++s) {
      const at::Tensor idx = at::randint(n, {std::min(options.batch, n)}, gen, at::kLong);
      torch::AutoGradMode grad(true);
      const at::Tensor loss = (net->forward(x_train.index_select(0, idx)) - y_train.index_select(0, idx)).pow(2).mean();
      optimizer.zero_grad();
      loss.backward();
      optimizer.step();
      total += loss.item<double>();
    }
    rep.train_loss.push_back(total / steps);
    const double hold = (net->forward(x_hold) - y_hold).pow(2).mean().item<double>();
    rep.holdout_loss.push_back(hold);
    if (hold < best) {
      best = hold;
      rep.best_epoch = epoch;
      best_params.clear();
      for (const auto& p : net->parameters()) best_params.push_back(p.detach().clone());
    }
    if (progress) {
      progress->SetMetric("loss", hold);
      progress->Advance();
    }
    if (options.patience > 0 && epoch - rep.best_epoch >= options.patience) break;
  }
  // Export the best epoch's weights (Linear layers are every other module, then the head).
  size_t k = 0;
  for (const auto& module : net->children()) {
    if (auto* linear = module->as<torch::nn::Linear>()) {
      Layer layer;
      layer.in = linear->options.in_features();
      layer.out = linear->options.out_features();
      layer.weight = ToVector(best_params[k++]);
      layer.bias = ToVector(best_params[k++]);
      policy.layers_.push_back(std::move(layer));
    }
  }
  rep.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  policy.report_ = rep;
  if (report) *report = rep;
  return policy;
}

std::vector<float> BcPolicy::Act(std::span<const float> obs) const {
  if (static_cast<int64_t>(obs.size()) != obs_dim_) {
    throw ShapeError(StrCat("bc policy", env_id_.empty() ? "" : " for " + env_id_, ": observation has ", obs.size(),
                            " values, the policy was trained on ", obs_dim_));
  }
  std::vector<float> x(obs_dim_), y;
  for (int64_t i = 0; i < obs_dim_; ++i) x[i] = (obs[i] - obs_mean_[i]) / obs_std_[i];
  for (size_t l = 0; l < layers_.size(); ++l) {
    const Layer& layer = layers_[l];
    y.assign(layer.out, 0.f);
    for (int64_t o = 0; o < layer.out; ++o) {
      float s = layer.bias[o];
      const float* w = layer.weight.data() + o * layer.in;
      for (int64_t i = 0; i < layer.in; ++i) s += w[i] * x[i];
      y[o] = l + 1 < layers_.size() ? std::max(s, 0.f) : std::tanh(s);
    }
    x.swap(y);
  }
  for (int64_t i = 0; i < action_dim_; ++i) x[i] = act_low_[i] + (x[i] + 1.f) * 0.5f * (act_high_[i] - act_low_[i]);
  return x;
}

void BcPolicy::Save(const std::string& path) const {
  nlohmann::json j{{"format", "augur-bc-policy"},
                   {"version", 1},
                   {"env", env_id_},
                   {"obs_dim", obs_dim_},
                   {"action_dim", action_dim_},
                   {"obs_mean", obs_mean_},
                   {"obs_std", obs_std_},
                   {"action_low", act_low_},
                   {"action_high", act_high_},
                   {"options", {{"hidden", options_.hidden}, {"layers", options_.layers},
                                {"max_epochs", options_.max_epochs}, {"batch", options_.batch},
                                {"learning_rate", options_.learning_rate}, {"seed", options_.seed}}},
                   {"train", {{"best_epoch", report_.best_epoch}, {"seconds", report_.seconds},
                              {"train_loss", report_.train_loss}, {"holdout_loss", report_.holdout_loss}}}};
  nlohmann::json layers = nlohmann::json::array();
  for (const Layer& l : layers_) layers.push_back({{"in", l.in}, {"out", l.out}, {"weight", l.weight}, {"bias", l.bias}});
  j["layers"] = std::move(layers);
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) throw IoError(StrCat("bc: cannot write '", tmp, "'"));
    out << j.dump() << "\n";
    if (!out.flush()) throw IoError(StrCat("bc: write to '", tmp, "' failed"));
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) throw IoError(StrCat("bc: cannot rename '", tmp, "' to '", path, "': ", ec.message()));
}

BcPolicy BcPolicy::Load(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw NotFoundError(StrCat("bc: policy file '", path, "' not found"));
  BcPolicy p;
  try {
    const nlohmann::json j = nlohmann::json::parse(in);
    if (j.value("format", "") != "augur-bc-policy") {
      throw DataError(StrCat("bc: '", path, "' is not a BC policy file (augur train-bc writes them)"));
    }
    p.env_id_ = j.at("env").get<std::string>();
    p.obs_dim_ = j.at("obs_dim").get<int64_t>();
    p.action_dim_ = j.at("action_dim").get<int64_t>();
    p.obs_mean_ = j.at("obs_mean").get<std::vector<float>>();
    p.obs_std_ = j.at("obs_std").get<std::vector<float>>();
    p.act_low_ = j.at("action_low").get<std::vector<float>>();
    p.act_high_ = j.at("action_high").get<std::vector<float>>();
    int64_t width = p.obs_dim_;
    for (const auto& l : j.at("layers")) {
      Layer layer{l.at("in").get<int64_t>(), l.at("out").get<int64_t>(), l.at("weight").get<std::vector<float>>(),
                  l.at("bias").get<std::vector<float>>()};
      if (layer.in != width || static_cast<int64_t>(layer.weight.size()) != layer.in * layer.out ||
          static_cast<int64_t>(layer.bias.size()) != layer.out) {
        throw DataError(StrCat("bc: '", path, "': layer ", p.layers_.size(), " has inconsistent sizes"));
      }
      width = layer.out;
      p.layers_.push_back(std::move(layer));
    }
    if (p.layers_.empty() || width != p.action_dim_ || static_cast<int64_t>(p.obs_mean_.size()) != p.obs_dim_ ||
        static_cast<int64_t>(p.obs_std_.size()) != p.obs_dim_ ||
        static_cast<int64_t>(p.act_low_.size()) != p.action_dim_ ||
        static_cast<int64_t>(p.act_high_.size()) != p.action_dim_) {
      throw DataError(StrCat("bc: '", path, "': sizes of the normalizer, bounds or layers disagree"));
    }
  } catch (const nlohmann::json::exception& e) {
    throw DataError(StrCat("bc: '", path, "' is not a valid BC policy file: ", e.what()));
  }
  return p;
}

}  // namespace augur::agents
