// Constructors of the subcommands, one file each.
#pragma once

#include "augur/apps/cli.h"

namespace augur::apps {

Command BenchCommand();
Command CollectCommand();
Command DatasetCommand();
Command EvalCommand();
Command ExportCommand();
Command ImportCommand();
Command InfoCommand();
Command PetsCommand();
Command PlanCommand();
Command ReplayCommand();
Command TrainCommand();
Command TrainBcCommand();
Command VersionCommand();

}  // namespace augur::apps
