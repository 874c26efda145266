// Constructors of the subcommands, one file each.
#pragma once

#include "augur/apps/cli.h"

namespace augur::apps {

Command CollectCommand();
Command EdgeOfReachCommand();
Command EvalCommand();
Command ExportCommand();
Command ImportCommand();
Command InfoCommand();
Command PetsCommand();
Command PlanCommand();
Command ReplayCommand();
Command ServeCommand();
Command TrainCommand();
Command TrainAgentCommand();
Command VersionCommand();

}  // namespace augur::apps
