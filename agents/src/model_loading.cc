#include "augur/agents/model_loading.h"

#include "augur/core/error.h"
#include "augur/envs/chance_env_model.h"
#include "augur/envs/env_model.h"
#include "augur/models/ensemble/checkpoint.h"
#include "augur/models/factory.h"
#include "augur/models/torchscript_model.h"

namespace augur::agents {

std::shared_ptr<const WorldModel> LoadModelForEnv(const std::string& model, const envs::Env& env) {
  const EnvSpec& spec = env.spec();
  if (model == "true") {
    // An env with enumerable stochastic outcomes is the true chance model (exact chance nodes in search).
    if (env.num_outcomes() > 0) return std::make_shared<envs::ChanceEnvModel>(env);
    return std::make_shared<envs::EnvModel>(env);
  }
  if (model.size() > 3 && model.ends_with(".pt")) {
    Box bounds;
    if (const auto* box = std::get_if<Box>(&spec.action)) bounds = *box;
    return models::TorchScriptModel::Load(
        model, {.obs_dim = spec.obs_dim(), .action_dim = spec.action_dim(), .action_bounds = bounds,
                .env_id = spec.id});
  }
  return models::Load(model, {.obs_dim = spec.obs_dim(), .action_dim = spec.action_dim()});
}

LoadedModel LoadAnyModelForEnv(const std::string& model, const envs::Env& env) {
  const bool checkpoint = model != "true" && !(model.size() > 3 && model.ends_with(".pt"));
  if (checkpoint && models::IsSequenceModelCheckpoint(model)) {
    const EnvSpec& spec = env.spec();
    const bool has_env = !models::ReadModelCard(model).env_id.empty();
    return {nullptr, models::LoadSequenceModel(model, {.obs_dim = spec.obs_dim(),
                                                       .action_dim = spec.action_dim(),
                                                       .env_id = has_env ? spec.id : ""})};
  }
  return {LoadModelForEnv(model, env), nullptr};
}

}  // namespace augur::agents
