#include "augur/models/vq/vq_model.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "augur/core/error.h"
#include "augur/core/factory.h"
#include "augur/core/rng.h"
#include "augur/core/version.h"
#include "augur/models/ensemble/checkpoint.h"
#include "augur/models/vq/vq_trainer.h"

namespace augur::models {
namespace {

// Index of the largest value (the lowest index on ties).
int64_t ArgMax(const float* x, int64_t n) { return std::max_element(x, x + n) - x; }

bool ValidIndex(float a, int64_t n) { return a >= 0.f && a < static_cast<float>(n) && a == std::floor(a); }

}  // namespace

VqModel::VqModel(const VqOptions& options, const ModelInputs& inputs) : options_(options), inputs_(inputs) {
  options_.Validate();
  inputs_.Validate();
  if (options_.actions == 0) options_.actions = inputs_.discrete_actions;
  if (options_.actions > 0 && inputs_.action_dim != 1) {
    throw ConfigError(StrCat("vq: actions = ", options_.actions, " one-hot encodes one discrete action index, but ",
                             "action_dim = ", inputs_.action_dim, "; use actions=0 for continuous actions"));
  }
  spec_.type = "vq";
  spec_.state_kind = StateKind::kObservation;
  spec_.obs_dim = spec_.state_dim = inputs_.obs_dim;
  spec_.action_dim = inputs_.action_dim;
  Box box = inputs_.action_bounds;
  if (options_.actions > 0) {
    spec_.action_space = Discrete{options_.actions};
    box = Box{{0.f}, {static_cast<float>(options_.actions - 1)}};
  } else {
    if (box.low.empty()) {
      box = Box::Uniform(inputs_.action_dim, -std::numeric_limits<float>::infinity(),
                         std::numeric_limits<float>::infinity());
    }
    spec_.action_space = box;
  }
  spec_.stochastic = true;
  spec_.members = 1;
  spec_.predicts_done = true;

  card_.type = "vq";
  card_.config = options_.ToSpecString();
  card_.env_id = inputs_.env_id;
  card_.obs_dim = inputs_.obs_dim;
  card_.action_dim = inputs_.action_dim;
  card_.action_low = box.low;
  card_.action_high = box.high;
  card_.termination = "learned";
  card_.augur_version = AUGUR_VERSION;
  weights_ = VqWeights::Init(options_, inputs_.obs_dim, inputs_.action_dim, /*seed=*/0);
  Prepare();
}

VqModel::~VqModel() = default;

void VqModel::Prepare() {
  prior_ = HostMlp(weights_.prior.weight, weights_.prior.bias);
  decoder_ = HostMlp(weights_.decoder.weight, weights_.decoder.bias);
  codebook_ = ToFloatVector(weights_.codebook);
  input_mean_ = card_.input_mean = ToFloatVector(weights_.input_mean);
  input_std_ = card_.input_std = ToFloatVector(weights_.input_std);
  target_mean_ = card_.target_mean = ToFloatVector(weights_.target_mean);
  target_std_ = card_.target_std = ToFloatVector(weights_.target_std);
  feature_dim_ = VqFeatureDim(options_, inputs_.obs_dim, inputs_.action_dim);
}

at::Tensor VqModel::Encode(const at::Tensor& obs) const {
  CheckMatrix(obs, -1, spec_.obs_dim, "vq: obs");
  return obs;
}

void VqModel::CheckInputs(const at::Tensor& state, const at::Tensor& action, const char* call) const {
  CheckMatrix(state, -1, spec_.state_dim, StrCat("vq ", call, ": state"));
  CheckMatrix(action, state.size(0), spec_.action_dim, StrCat("vq ", call, ": action"));
  if (!state.device().is_cpu() || !action.device().is_cpu()) {
    throw ConfigError(StrCat("vq ", call, ": pass CPU tensors (the VQ model runs on the CPU)"));
  }
  const at::Tensor bad_state = at::logical_not(at::isfinite(state)).any(1).nonzero();
  if (bad_state.numel() > 0) {
    const int64_t r = bad_state[0][0].item<int64_t>();
    throw RangeError(StrCat("vq ", call, ": state row ", r, " holds a non-finite value (", state[r], ")"));
  }
  if (options_.actions > 0) {
    const at::Tensor a = action.select(1, 0).contiguous();
    CheckActionsCpu(a.size(0), a.data_ptr<float>());
  } else {
    const at::Tensor bad = at::logical_not(at::isfinite(action)).any(1).nonzero();
    if (bad.numel() > 0) {
      const int64_t r = bad[0][0].item<int64_t>();
      throw RangeError(StrCat("vq ", call, ": action row ", r, " holds a non-finite value (", action[r], ")"));
    }
  }
}

void VqModel::CheckActionsCpu(int64_t rows, const float* action) const {
  if (options_.actions <= 0) return;
  for (int64_t r = 0; r < rows; ++r) {
    if (!ValidIndex(action[r], options_.actions)) {
      throw RangeError(StrCat("vq: discrete action ", action[r], " of row ", r, " is not an index in [0, ",
                              options_.actions, ")"));
    }
  }
}

at::Tensor VqModel::Logits(const at::Tensor& state, const at::Tensor& action) const {
  return MlpForward(weights_.prior, VqFeatures(weights_, options_, state, action));
}

at::Tensor VqModel::OutcomeProbs(const at::Tensor& state, const at::Tensor& action) const {
  at::NoGradGuard no_grad;
  CheckInputs(state, action, "OutcomeProbs");
  return at::softmax(Logits(state, action), 1);
}

Transition VqModel::Decode(const at::Tensor& state, const at::Tensor& action, const at::Tensor& codes) const {
  const at::Tensor f = VqFeatures(weights_, options_, state, action);
  const at::Tensor out = MlpForward(weights_.decoder, at::cat({f, weights_.codebook.index_select(0, codes)}, 1));
  const int64_t s = spec_.state_dim;
  const at::Tensor y = weights_.target_mean + weights_.target_std * out.narrow(1, 0, s + 1);  // [B, S + 1]
  Transition t;
  t.next_state = state + y.narrow(1, 0, s);
  t.reward = y.select(1, s).contiguous();
  t.done = out.select(1, s + 1) > 0;
  return t;
}

Transition VqModel::StepOutcome(const at::Tensor& state, const at::Tensor& action, const at::Tensor& outcome) const {
  at::NoGradGuard no_grad;
  CheckInputs(state, action, "StepOutcome");
  if (outcome.dim() != 1 || outcome.size(0) != state.size(0)) {
    throw ShapeError(StrCat("vq StepOutcome: outcome has shape ", outcome.sizes(), " but must be [", state.size(0), "]"));
  }
  const at::Tensor codes = outcome.to(at::kCPU, at::kLong);
  if (codes.numel() > 0 && (codes.min().item<int64_t>() < 0 || codes.max().item<int64_t>() >= options_.codes)) {
    throw RangeError(StrCat("vq StepOutcome: outcome values from ", codes.min().item<int64_t>(), " to ",
                            codes.max().item<int64_t>(), " are not all codes in [0, ", options_.codes, ")"));
  }
  return Decode(state, action, codes);
}

Transition VqModel::Step(const at::Tensor& state, const at::Tensor& action, StepContext& ctx) const {
  at::NoGradGuard no_grad;
  CheckInputs(state, action, "Step");
  const at::Tensor logits = Logits(state, action);
  const at::Tensor codes = ctx.generator.has_value()
                               ? at::multinomial(at::softmax(logits, 1), 1, /*replacement=*/true, *ctx.generator).squeeze(1)
                               : logits.argmax(1);
  Transition t = Decode(state, action, codes);
  t.uncertainty = at::zeros_like(t.reward);
  return t;
}

void VqModel::FeaturesCpu(int64_t rows, const float* state, const float* action, float* features,
                          int64_t stride) const {
  const int64_t s = spec_.state_dim, a = spec_.action_dim;
  for (int64_t r = 0; r < rows; ++r) {
    float* f = features + r * stride;
    for (int64_t i = 0; i < s; ++i) f[i] = (state[r * s + i] - input_mean_[i]) / input_std_[i];
    if (options_.actions > 0) {
      std::fill(f + s, f + s + options_.actions, 0.f);
      f[s + static_cast<int64_t>(action[r])] = 1.f;
    } else {
      for (int64_t j = 0; j < a; ++j) f[s + j] = (action[r * a + j] - input_mean_[s + j]) / input_std_[s + j];
    }
  }
}

void VqModel::OutcomeProbsCpu(int64_t rows, const float* state, const float* action, float* probs, Scratch*) const {
  CheckActionsCpu(rows, action);
  thread_local std::vector<float> features;
  if (features.size() < static_cast<size_t>(rows * feature_dim_)) features.resize(rows * feature_dim_);
  FeaturesCpu(rows, state, action, features.data(), feature_dim_);
  prior_.Forward(rows, features.data(), probs);
  const int64_t k = options_.codes;
  for (int64_t r = 0; r < rows; ++r) {
    float* p = probs + r * k;
    const float top = p[ArgMax(p, k)];
    float sum = 0.f;
    for (int64_t j = 0; j < k; ++j) sum += (p[j] = std::exp(p[j] - top));
    for (int64_t j = 0; j < k; ++j) p[j] /= sum;
  }
}

void VqModel::DecodeCpu(const CpuStep& step, const int64_t* codes) const {
  const int64_t rows = step.rows, s = spec_.state_dim, d = options_.code_dim, width = feature_dim_ + d;
  thread_local std::vector<float> input, out;
  if (input.size() < static_cast<size_t>(rows * width)) input.resize(rows * width);
  if (out.size() < static_cast<size_t>(rows * (s + 2))) out.resize(rows * (s + 2));
  FeaturesCpu(rows, step.state, step.action, input.data(), width);
  for (int64_t r = 0; r < rows; ++r) {
    const float* code = codebook_.data() + codes[r] * d;
    std::copy(code, code + d, input.data() + r * width + feature_dim_);
  }
  decoder_.Forward(rows, input.data(), out.data());
  for (int64_t r = 0; r < rows; ++r) {
    const float* o = out.data() + r * (s + 2);
    for (int64_t i = 0; i < s; ++i) step.next_state[r * s + i] = step.state[r * s + i] + (target_mean_[i] + target_std_[i] * o[i]);
    step.reward[r] = target_mean_[s] + target_std_[s] * o[s];
    step.done[r] = o[s + 1] > 0.f ? 1.f : 0.f;
    if (step.uncertainty) step.uncertainty[r] = 0.f;
  }
}

void VqModel::StepOutcomeCpu(const CpuStep& step, const int64_t* outcome) const {
  CheckActionsCpu(step.rows, step.action);
  for (int64_t r = 0; r < step.rows; ++r) {
    if (outcome[r] < 0 || outcome[r] >= options_.codes) {
      throw RangeError(StrCat("vq StepOutcomeCpu: outcome ", outcome[r], " of row ", r, " is not a code in [0, ",
                              options_.codes, ")"));
    }
  }
  DecodeCpu(step, outcome);
}

void VqModel::StepCpu(const CpuStep& step) const {
  const int64_t rows = step.rows, k = options_.codes;
  thread_local std::vector<float> probs;
  thread_local std::vector<int64_t> codes;
  if (probs.size() < static_cast<size_t>(rows * k)) probs.resize(rows * k);
  if (codes.size() < static_cast<size_t>(rows)) codes.resize(rows);
  OutcomeProbsCpu(rows, step.state, step.action, probs.data(), step.scratch);
  for (int64_t r = 0; r < rows; ++r) {
    const float* p = probs.data() + r * k;
    if (step.rng == nullptr) {
      codes[r] = ArgMax(p, k);
    } else {
      const float u = step.rng->Uniform();
      int64_t j = 0;
      float cumulative = p[0];
      while (j + 1 < k && u >= cumulative) cumulative += p[++j];
      codes[r] = j;
    }
  }
  DecodeCpu(step, codes.data());
}

TrainReport VqModel::Train(const TransitionBatch& data, const TrainOptions& options, Progress* progress) {
  options.Validate();
  data.Validate(inputs_.obs_dim, inputs_.action_dim);
  if (options_.actions > 0) {
    const at::Tensor a = data.actions.to(at::kFloat).select(1, 0).contiguous();
    for (int64_t r = 0; r < a.size(0); ++r) {
      const float v = a.data_ptr<float>()[r];
      if (!ValidIndex(v, options_.actions)) {
        throw DataError(StrCat("vq train: actions row ", r, " = ", v, " is not a discrete action index in [0, ",
                               options_.actions, "); check the dataset's action space or the actions= key"));
      }
    }
  }
  TrainedVq trained = TrainVq(options_, data, options, progress);
  weights_ = std::move(trained.weights);
  card_.data_digest = options.data_digest;
  card_.metrics = trained.report;
  trained_ = true;
  Prepare();
  return trained.report;
}

at::Tensor VqModel::AssignCodes(const at::Tensor& obs, const at::Tensor& action, const at::Tensor& next_obs,
                                const at::Tensor& reward, const at::Tensor& done) const {
  CheckInputs(obs, action, "AssignCodes");
  return models::AssignCodes(weights_, options_, obs, action, next_obs, reward, done);
}

void VqModel::Save(const std::string& path) const {
  NamedTensors tensors;
  VqWeights w = weights_;
  w.ForEachParameter([&](const std::string& name, at::Tensor& t) { tensors.emplace_back(name, t.detach().cpu()); });
  WriteCheckpoint(path, card_, tensors);
}

std::unique_ptr<VqModel> VqModel::Load(const std::string& path, const LoadExpectations& expect) {
  VqOptions options;
  const ModelCard card =
      ReadCardFor(path, "vq", expect, [&](SpecParams& params) { options = VqOptions::FromSpec(params); });
  ModelInputs inputs{card.obs_dim, card.action_dim, Box{card.action_low, card.action_high}, card.env_id};
  auto model = std::make_unique<VqModel>(options, inputs);
  std::vector<std::string> names;
  std::vector<at::Tensor> like;
  model->weights_.ForEachParameter([&](const std::string& name, at::Tensor& t) {
    names.push_back(name);
    like.push_back(t);
  });
  NamedTensors tensors;
  ReadCheckpoint(path, names, &tensors);
  size_t i = 0;
  model->weights_.ForEachParameter([&](const std::string& name, at::Tensor& t) {
    const at::Tensor& stored = tensors[i++].second;
    if (stored.sizes() != t.sizes() || stored.scalar_type() != t.scalar_type()) {
      throw DataError(StrCat(path, ": tensor '", name, "' has shape ", stored.sizes(), " but the config '",
                             card.config, "' needs ", t.sizes()));
    }
    t = stored.clone();
  });
  CheckNormalizerSizes(card, path);
  auto vec = [](const std::vector<float>& v) { return at::tensor(at::ArrayRef<float>(v), at::kFloat).clone(); };
  model->weights_.input_mean = vec(card.input_mean);
  model->weights_.input_std = vec(card.input_std);
  model->weights_.target_mean = vec(card.target_mean);
  model->weights_.target_std = vec(card.target_std);
  model->card_ = card;
  model->trained_ = true;
  model->Prepare();
  return model;
}

}  // namespace augur::models
