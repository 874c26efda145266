#include "augur/models/factory.h"

#include <functional>
#include <map>

#include "augur/core/error.h"
#include "augur/models/ensemble/checkpoint.h"
#include "augur/models/ensemble/ensemble_model.h"
#include "augur/models/vq/vq_model.h"
#include "augur/models/sequence/tt_model.h"

namespace augur::models {

void ModelInputs::Validate() const {
  if (obs_dim < 1) throw ConfigError(StrCat("model: obs_dim = ", obs_dim, " must be >= 1"));
  if (action_dim < 1) throw ConfigError(StrCat("model: action_dim = ", action_dim, " must be >= 1"));
  if (discrete_actions < 0) throw ConfigError(StrCat("model: discrete_actions = ", discrete_actions, " must be >= 0"));
  if (!action_bounds.low.empty() || !action_bounds.high.empty()) {
    if (action_bounds.dim() != action_dim || static_cast<int64_t>(action_bounds.high.size()) != action_dim) {
      throw ConfigError(StrCat("model: action bounds have ", action_bounds.low.size(), " low and ",
                               action_bounds.high.size(), " high values but action_dim = ", action_dim));
    }
    augur::Validate(Space(action_bounds), "model action bounds");
  }
}

namespace {

using Loader = std::function<std::unique_ptr<LearnedModel>(const std::string&, const LoadExpectations&)>;

const std::map<std::string, Loader, std::less<>>& Loaders() {
  static const auto* loaders = new std::map<std::string, Loader, std::less<>>{
      {"ensemble", [](const std::string& path, const LoadExpectations& expect) -> std::unique_ptr<LearnedModel> {
         return EnsembleModel::Load(path, expect);
       }},
      {"vq", [](const std::string& path, const LoadExpectations& expect) -> std::unique_ptr<LearnedModel> {
         return VqModel::Load(path, expect);
       }}};
  return *loaders;
}

}  // namespace

const ModelRegistry& Models() {
  static const ModelRegistry* registry = [] {
    auto* r = new ModelRegistry("model");
    r->Register("ensemble",
                "probabilistic ensemble of Gaussian MLPs (PETS/MBPO): members, elites, hidden, layers, act, "
                "max_logvar, min_logvar",
                [](SpecParams& params, const ModelInputs& inputs) -> std::unique_ptr<LearnedModel> {
                  return std::make_unique<EnsembleModel>(EnsembleOptions::FromSpec(params), inputs);
                });
    r->Register("vq",
                "VQ world model (VQM): conditional VQ-VAE over transitions with a prior over codes, a ChanceModel: "
                "codes, code_dim, hidden, layers, commitment, codebook, decay, restart, actions",
                [](SpecParams& params, const ModelInputs& inputs) -> std::unique_ptr<LearnedModel> {
                  return std::make_unique<VqModel>(VqOptions::FromSpec(params), inputs);
                });
    return r;
  }();
  return *registry;
}

std::unique_ptr<LearnedModel> Create(std::string_view spec, const ModelInputs& inputs) {
  const FactorySpec parsed = FactorySpec::Parse(spec);
  if (IsSequenceModel(parsed.name)) {
    throw ConfigError(StrCat("model '", parsed.name, "' in '", spec,
                             "' is a sequence model: create it with models::CreateSequenceModel and train it on a "
                             "Dataset (augur train does this for you)"));
  }
  return Models().Create(spec, inputs);
}

std::unique_ptr<LearnedModel> Create(std::string_view spec, int64_t obs_dim, int64_t action_dim,
                                     const Box& action_bounds, std::string env_id) {
  return Create(spec, ModelInputs{obs_dim, action_dim, action_bounds, std::move(env_id)});
}

const SequenceModelRegistry& SequenceModels() {
  static const SequenceModelRegistry* registry = [] {
    auto* r = new SequenceModelRegistry("sequence model");
    r->Register("tt",
                "Trajectory Transformer: GPT over per-dimension tokens of (obs, action, reward, reward-to-go): bins, "
                "binning, layers, heads, width, dropout, steps, discount, action_weight, weight_decay, clip",
                [](SpecParams& params, const ModelInputs& inputs) -> std::unique_ptr<LearnedSequenceModel> {
                  return std::make_unique<TtModel>(TtOptions::FromSpec(params), inputs);
                });
    return r;
  }();
  return *registry;
}

bool IsSequenceModel(std::string_view name) { return SequenceModels().Contains(name); }

std::unique_ptr<LearnedSequenceModel> CreateSequenceModel(std::string_view spec, const ModelInputs& inputs) {
  return SequenceModels().Create(spec, inputs);
}

bool IsSequenceModelCheckpoint(const std::string& path) { return IsSequenceModel(ReadModelCard(path).type); }

std::unique_ptr<LearnedSequenceModel> LoadSequenceModel(const std::string& path, const LoadExpectations& expect) {
  const ModelCard card = ReadModelCard(path);
  if (card.type == "tt") return TtModel::Load(path, expect);
  throw DataError(StrCat(path, ": checkpoint holds a model of type '", card.type,
                         "', not a sequence model (known: ", SequenceModels().JoinedNames(),
                         "); plan with it through a world-model planner instead"));
}

std::unique_ptr<LearnedModel> Load(const std::string& path, const LoadExpectations& expect) {
  const ModelCard card = ReadModelCard(path);
  if (IsSequenceModel(card.type)) {
    throw DataError(StrCat(path, ": checkpoint holds a sequence model ('", card.type,
                           "'), not a world model: load it with models::LoadSequenceModel and plan with a beam "
                           "planner (e.g. --planner beam:width=32,horizon=15)"));
  }
  auto it = Loaders().find(card.type);
  if (it == Loaders().end()) {
    std::string names;
    for (const auto& [name, loader] : Loaders()) names += (names.empty() ? "" : ", ") + name;
    throw DataError(StrCat(path, ": checkpoint holds a model of unknown type '", card.type, "'; known types: ", names));
  }
  return it->second(path, expect);
}

}  // namespace augur::models
