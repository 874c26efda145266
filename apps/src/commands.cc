// The one place where subcommands are listed.
#include "augur/apps/cli.h"
#include "commands.h"

namespace augur::apps {

std::vector<Command> AllCommands() {
  return {
      CollectCommand(),
      ImportCommand(),
      ExportCommand(),
      InfoCommand(),
      ReplayCommand(),
      TrainCommand(),
      PlanCommand(),
      PetsCommand(),
      EvalCommand(),
      ServeCommand(),
      TrainAgentCommand(),
      EdgeOfReachCommand(),
      VersionCommand(),
  };
}

}  // namespace augur::apps
