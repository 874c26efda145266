#include "augur/models/ensemble/ensemble_model.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <numeric>

#include "augur/core/error.h"
#include "augur/core/factory.h"
#include "augur/core/version.h"
#include "../card_loading.h"
#include "augur/models/ensemble/checkpoint.h"
#include "augur/models/ensemble/ensemble_trainer.h"

namespace augur::models {
namespace {

std::vector<float> ToVector(const at::Tensor& t) {
  at::Tensor c = t.detach().to(at::kCPU, at::kFloat).contiguous();
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

at::Tensor FromVector(const std::vector<float>& v) {
  return at::tensor(at::ArrayRef<float>(v), at::kFloat).clone();
}

std::string LayerName(size_t l, const char* what) { return StrCat("layer", l, ".", what); }

}  // namespace

EnsembleModel::EnsembleModel(const EnsembleOptions& options, const ModelInputs& inputs)
    : options_(options), inputs_(inputs) {
  options_.Validate();
  inputs_.Validate();
  spec_.type = "ensemble";
  spec_.state_kind = StateKind::kObservation;
  spec_.obs_dim = spec_.state_dim = inputs_.obs_dim;
  spec_.action_dim = inputs_.action_dim;
  spec_.action_space = inputs_.action_bounds.low.empty()
                           ? Box::Uniform(inputs_.action_dim, -std::numeric_limits<float>::infinity(),
                                          std::numeric_limits<float>::infinity())
                           : inputs_.action_bounds;
  spec_.stochastic = true;
  spec_.members = options_.elites;
  SetTermination({});

  card_.type = "ensemble";
  card_.config = options_.ToSpecString();
  card_.env_id = inputs_.env_id;
  card_.obs_dim = inputs_.obs_dim;
  card_.action_dim = inputs_.action_dim;
  card_.action_low = std::get<Box>(spec_.action_space).low;
  card_.action_high = std::get<Box>(spec_.action_space).high;
  card_.augur_version = AUGUR_VERSION;

  // Untrained: initialized parameters, identity normalizers, the first `elites` members.
  weights_ = EnsembleWeights::Init(options_, inputs_.obs_dim, inputs_.action_dim, /*seed=*/0);
  elites_.resize(options_.elites);
  std::iota(elites_.begin(), elites_.end(), 0);
  Prepare();
}

EnsembleModel::~EnsembleModel() = default;

void EnsembleModel::SetTermination(ClassifierWeights w) {
  termination_weights_ = std::move(w);
  if (termination_weights_.empty()) {
    termination_ = MakeTermination(inputs_.env_id);
    card_.termination = HasKnownTermination(inputs_.env_id) ? inputs_.env_id : "never";
  } else {
    termination_ = std::make_unique<LearnedTermination>(termination_weights_);
    card_.termination = "learned";
  }
  spec_.predicts_done = termination_->can_terminate();
}

at::Tensor EnsembleModel::Encode(const at::Tensor& obs) const {
  CheckMatrix(obs, -1, spec_.obs_dim, "ensemble: obs");
  return obs;
}

void EnsembleModel::Prepare() {
  infer_ = weights_.Select(elites_, device_);
  fused_ = FusedEnsemble(weights_.Select(elites_, at::kCPU), options_.activation, options_.precision);
  card_.input_mean = ToVector(weights_.input_mean);
  card_.input_std = ToVector(weights_.input_std);
  card_.target_mean = ToVector(weights_.target_mean);
  card_.target_std = ToVector(weights_.target_std);
}

void EnsembleModel::To(const at::Device& device) {
  device_ = device;
  infer_ = weights_.Select(elites_, device_);
}

TrainReport EnsembleModel::Train(const TransitionBatch& data, const TrainOptions& options, Progress* progress) {
  options.Validate();
  data.Validate(inputs_.obs_dim, inputs_.action_dim);
  TrainedEnsemble trained = TrainEnsemble(options_, data, options, progress);
  weights_ = std::move(trained.weights);
  elites_.assign(trained.elites.begin(), trained.elites.begin() + options_.elites);
  card_.data_digest = options.data_digest;
  card_.metrics = trained.report;
  const bool learn_termination = options.termination_epochs > 0 && !HasKnownTermination(inputs_.env_id) &&
                                 data.terminals.defined() && data.terminals.to(at::kFloat).sum().item<double>() > 0;
  SetTermination(learn_termination ? TrainTerminationClassifier(data, weights_.input_mean.narrow(0, 0, inputs_.obs_dim),
                                                                weights_.input_std.narrow(0, 0, inputs_.obs_dim), options)
                                   : ClassifierWeights{});
  trained_ = true;
  Prepare();
  return trained.report;
}

at::Tensor EnsembleModel::NormalizedInput(const at::Tensor& state, const at::Tensor& action) const {
  CheckMatrix(state, -1, inputs_.obs_dim, "ensemble step: state");
  CheckMatrix(action, state.size(0), inputs_.action_dim, "ensemble step: action");
  if (state.device() != device_ || action.device() != device_) {
    throw ConfigError(StrCat("ensemble step: inputs are on ", state.device(), " and ", action.device(),
                             " but the model is on ", device_, "; call EnsembleModel::To(device) first"));
  }
  return (at::cat({state, action}, 1) - infer_.input_mean) / infer_.input_std;  // [B, In]
}

EnsembleModel::Prediction EnsembleModel::Predict(const at::Tensor& state, const at::Tensor& action) const {
  at::NoGradGuard no_grad;
  const at::Tensor x = NormalizedInput(state, action);  // [B, In]
  const int64_t e = infer_.members();
  EnsembleOutput out = ForwardEnsemble(infer_, options_.activation, x.unsqueeze(0).expand({e, x.size(0), x.size(1)}));
  Prediction p;
  p.mean = infer_.target_mean + infer_.target_std * out.mean;              // [E, B, D]
  p.std = infer_.target_std * at::exp(0.5 * out.logvar);                   // [E, B, D]
  return p;
}

Transition EnsembleModel::Step(const at::Tensor& state, const at::Tensor& action, StepContext& ctx) const {
  at::NoGradGuard no_grad;
  const at::Tensor x = NormalizedInput(state, action);  // [B, In]
  const int64_t b = x.size(0), in = x.size(1), e = infer_.members(), o = inputs_.obs_dim;
  Transition t;
  at::Tensor mean, logvar;  // [B, D] normalized, the output each row uses
  if (!ctx.member_begin.defined()) {
    // Expectation: mean of the elites' means; never sampled.
    EnsembleOutput out = ForwardEnsemble(infer_, options_.activation, x.unsqueeze(0).expand({e, b, in}));
    mean = out.mean.mean(0);
    t.uncertainty = (infer_.target_std * at::exp(0.5 * out.logvar)).norm(2, -1).amax(0);  // [B]
  } else {
    at::Tensor mb = ctx.member_begin.to(at::kCPU, at::kLong).contiguous();
    if (mb.dim() != 1 || mb.size(0) != e + 1 || mb[0].item<int64_t>() != 0 || mb[e].item<int64_t>() != b) {
      throw ShapeError(StrCat("ensemble step: member_begin has shape ", mb.sizes(), " but must hold members + 1 = ",
                              e + 1, " offsets from 0 to rows = ", b));
    }
    const int64_t* begin = mb.data_ptr<int64_t>();
    std::vector<int64_t> counts(e);
    for (int64_t m = 0; m < e; ++m) {
      counts[m] = begin[m + 1] - begin[m];
      if (counts[m] < 0) throw ShapeError("ensemble step: member_begin offsets must be non-decreasing");
    }
    if (tensor_uncertainty_) {
      EnsembleOutput out = ForwardEnsemble(infer_, options_.activation, x.unsqueeze(0).expand({e, b, in}));
      t.uncertainty = (infer_.target_std * at::exp(0.5 * out.logvar)).norm(2, -1).amax(0);  // [B]
      const at::Tensor member = at::repeat_interleave(at::tensor(counts, at::kLong)).to(device_);  // [B]
      const at::Tensor row = at::arange(b, at::TensorOptions().dtype(at::kLong).device(device_));
      mean = out.mean.index({member, row});
      logvar = out.logvar.index({member, row});
    } else {
      const int64_t widest = b == 0 ? 0 : *std::max_element(counts.begin(), counts.end());
      const bool equal = std::all_of(counts.begin(), counts.end(), [&](int64_t c) { return c == widest; });
      if (equal) {
        EnsembleOutput out = ForwardEnsemble(infer_, options_.activation, x.view({e, widest, in}));
        mean = out.mean.reshape({b, -1});
        logvar = out.logvar.reshape({b, -1});
      } else {
        // Unequal groups: pad every group to the widest (repeating its last row) so all members still run in
        // one batched call, then keep the real rows.
        std::vector<int64_t> gather(e * widest), keep;
        keep.reserve(b);
        for (int64_t m = 0; m < e; ++m) {
          for (int64_t j = 0; j < widest; ++j) {
            gather[m * widest + j] = counts[m] == 0 ? 0 : begin[m] + std::min(j, counts[m] - 1);
            if (j < counts[m]) keep.push_back(m * widest + j);
          }
        }
        const at::Tensor gather_t = at::tensor(gather, at::kLong).to(device_);
        const at::Tensor keep_t = at::tensor(keep, at::kLong).to(device_);
        EnsembleOutput out =
            ForwardEnsemble(infer_, options_.activation, x.index_select(0, gather_t).view({e, widest, in}));
        mean = out.mean.reshape({e * widest, -1}).index_select(0, keep_t);
        logvar = out.logvar.reshape({e * widest, -1}).index_select(0, keep_t);
      }
    }
    if (ctx.generator.has_value()) {
      const at::Tensor noise =
          at::randn(mean.sizes(), *ctx.generator, at::TensorOptions().dtype(at::kFloat).device(ctx.generator->device()))
              .to(device_);
      mean = mean + at::exp(0.5 * logvar) * noise;
    }
  }
  const at::Tensor y = infer_.target_mean + infer_.target_std * mean;  // [B, D]
  t.next_state = state + y.narrow(1, 0, o);                            // [B, O]
  t.reward = y.select(1, o).contiguous();                              // [B]
  t.done = termination_->Done(t.next_state);                           // [B] bool
  return t;
}

void EnsembleModel::StepCpu(const CpuStep& step) const { fused_.Step(step, termination_.get()); }

void EnsembleModel::Save(const std::string& path) const {
  NamedTensors tensors;
  for (size_t l = 0; l < weights_.weight.size(); ++l) {
    tensors.emplace_back(LayerName(l, "weight"), weights_.weight[l].detach().cpu());
    tensors.emplace_back(LayerName(l, "bias"), weights_.bias[l].detach().cpu());
  }
  tensors.emplace_back("max_logvar", weights_.max_logvar.detach().cpu());
  tensors.emplace_back("min_logvar", weights_.min_logvar.detach().cpu());
  tensors.emplace_back("elites", at::tensor(elites_, at::kLong));
  for (size_t l = 0; l < termination_weights_.weight.size(); ++l) {
    tensors.emplace_back(LayerName(l, "termination_weight"), termination_weights_.weight[l].detach().cpu());
    tensors.emplace_back(LayerName(l, "termination_bias"), termination_weights_.bias[l].detach().cpu());
  }
  WriteCheckpoint(path, card_, tensors);
}

std::unique_ptr<EnsembleModel> EnsembleModel::Load(const std::string& path, const LoadExpectations& expect) {
  auto [card, options] = ReadCardAndOptions<EnsembleOptions>(path, expect, "ensemble");
  ModelInputs inputs{card.obs_dim, card.action_dim, Box{card.action_low, card.action_high}, card.env_id};
  auto model = std::make_unique<EnsembleModel>(options, inputs);

  std::vector<std::string> names;
  const size_t layers = model->weights_.weight.size();
  for (size_t l = 0; l < layers; ++l) {
    names.push_back(LayerName(l, "weight"));
    names.push_back(LayerName(l, "bias"));
  }
  names.insert(names.end(), {"max_logvar", "min_logvar", "elites"});
  const bool learned = card.termination == "learned";
  const size_t classifier_layers = learned ? kTerminationHiddenLayers + 1 : 0;
  for (size_t l = 0; l < classifier_layers; ++l) {
    names.push_back(LayerName(l, "termination_weight"));
    names.push_back(LayerName(l, "termination_bias"));
  }
  NamedTensors tensors;
  ReadCheckpoint(path, names, &tensors);

  // Every tensor must have the shape the config implies: a mismatch means a corrupt or hand-edited file.
  auto take = [&](size_t i, const at::Tensor& like) {
    const at::Tensor& t = tensors[i].second;
    if (t.sizes() != like.sizes() || t.scalar_type() != like.scalar_type()) {
      throw DataError(StrCat(path, ": tensor '", tensors[i].first, "' has shape ", t.sizes(), " but the config '",
                             card.config, "' needs ", like.sizes()));
    }
    return t.clone();
  };
  EnsembleWeights w;
  for (size_t l = 0; l < layers; ++l) {
    w.weight.push_back(take(2 * l, model->weights_.weight[l]));
    w.bias.push_back(take(2 * l + 1, model->weights_.bias[l]));
  }
  w.max_logvar = take(2 * layers, model->weights_.max_logvar);
  w.min_logvar = take(2 * layers + 1, model->weights_.min_logvar);
  const at::Tensor elites = tensors[2 * layers + 2].second.to(at::kLong).contiguous();
  const int64_t in = card.obs_dim + card.action_dim, d = card.obs_dim + 1;
  if (static_cast<int64_t>(card.input_mean.size()) != in || static_cast<int64_t>(card.input_std.size()) != in ||
      static_cast<int64_t>(card.target_mean.size()) != d || static_cast<int64_t>(card.target_std.size()) != d) {
    throw DataError(StrCat(path, ": normalizer sizes (", card.input_mean.size(), ", ", card.input_std.size(), ", ",
                           card.target_mean.size(), ", ", card.target_std.size(), ") do not match obs_dim + action_dim = ",
                           in, " and obs_dim + 1 = ", d));
  }
  w.input_mean = FromVector(card.input_mean);
  w.input_std = FromVector(card.input_std);
  w.target_mean = FromVector(card.target_mean);
  w.target_std = FromVector(card.target_std);
  if (elites.dim() != 1 || elites.size(0) != options.elites ||
      (elites.numel() > 0 && (elites.min().item<int64_t>() < 0 || elites.max().item<int64_t>() >= options.members))) {
    throw DataError(StrCat(path, ": elites tensor ", elites.sizes(), " does not list ", options.elites,
                           " member indices in [0, ", options.members, ")"));
  }
  model->weights_ = std::move(w);
  model->elites_.assign(elites.data_ptr<int64_t>(), elites.data_ptr<int64_t>() + elites.numel());
  ClassifierWeights classifier;
  for (size_t l = 0; l < classifier_layers; ++l) {
    const size_t i = 2 * layers + 3 + 2 * l;
    const int64_t in_dim = l == 0 ? card.obs_dim : kTerminationHidden, out_dim = l + 1 < classifier_layers ? kTerminationHidden : 1;
    classifier.weight.push_back(take(i, at::zeros({in_dim, out_dim})));
    classifier.bias.push_back(take(i + 1, at::zeros({out_dim})));
  }
  if (learned) {
    classifier.obs_mean = model->weights_.input_mean.narrow(0, 0, card.obs_dim).clone();
    classifier.obs_std = model->weights_.input_std.narrow(0, 0, card.obs_dim).clone();
  }
  model->card_ = card;
  model->SetTermination(std::move(classifier));
  model->trained_ = true;
  model->Prepare();
  return model;
}

}  // namespace augur::models
