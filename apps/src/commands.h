// Constructors of the subcommands, one file each.
#pragma once

#include "augur/apps/cli.h"

namespace augur::apps {

Command BenchCommand();
Command CollectCommand();
Command EdgeOfReachCommand();
Command DatasetCommand();
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
Command TrainSacCommand();
Command TrainBcCommand();
Command VersionCommand();

}  // namespace augur::apps
