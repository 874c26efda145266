// Turning a --model argument into a WorldModel for an env: "true" (the simulator itself: EnvModel, or ChanceEnvModel
// for an env with enumerable stochastic outcomes), a
// TorchScript file (*.pt, trained in Python) or an augur checkpoint (dims and env checked against the env).
// Shared by the command line (apps/), the plan service and the C API (serve/).
#pragma once

#include <memory>
#include <string>

#include "augur/core/world_model.h"
#include "augur/envs/env.h"

namespace augur::agents {

// Throws NotFoundError / IoError (missing file), DataError (corrupt checkpoint), ShapeError (dims or env of
// the checkpoint differ from the env's).
std::shared_ptr<const WorldModel> LoadModelForEnv(const std::string& model, const envs::Env& env);

}  // namespace augur::agents
