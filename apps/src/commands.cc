// The one place where subcommands are listed.
#include "augur/apps/cli.h"
#include "commands.h"

namespace augur::apps {

std::vector<Command> AllCommands() {
  return {
      CollectCommand(),
      BenchCommand(),
      DatasetCommand(),
      ImportCommand(),
      ExportCommand(),
      InfoCommand(),
      ReplayCommand(),
      TrainCommand(),
      TrainBcCommand(),
      PlanCommand(),
      PetsCommand(),
      EvalCommand(),
      ServeCommand(),
      TrainAgentCommand(),
      TrainSacCommand(),
      EdgeOfReachCommand(),
      VersionCommand(),
  };
}

}  // namespace augur::apps
