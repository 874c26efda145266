// Turning a --model argument into a WorldModel for an env: "true" (the simulator itself: EnvModel, or ChanceEnvModel
// for an env with enumerable stochastic outcomes), a
// TorchScript file (*.pt, trained in Python) or an augur checkpoint (dims and env checked against the env).
// Shared by the command line (apps/), the plan service and the C API (serve/).
#pragma once

#include <memory>
#include <string>

#include "augur/core/sequence_model.h"
#include "augur/core/world_model.h"
#include "augur/envs/env.h"

namespace augur::agents {

// Throws NotFoundError / IoError (missing file), DataError (corrupt checkpoint), ShapeError (dims or env of
// the checkpoint differ from the env's).
std::shared_ptr<const WorldModel> LoadModelForEnv(const std::string& model, const envs::Env& env);

// A world model (as LoadModelForEnv) or, for a sequence-model checkpoint (augur train --model tt:...), the
// sequence model beam search plans over; its dims must match the env's, and its env id too when it has one.
struct LoadedModel {
  std::shared_ptr<const WorldModel> world;
  std::shared_ptr<const SequenceModel> sequence;
};
LoadedModel LoadAnyModelForEnv(const std::string& model, const envs::Env& env);

}  // namespace augur::agents
