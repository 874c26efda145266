// The one place where subcommands are listed.
#include "augur/apps/cli.h"
#include "commands.h"

namespace augur::apps {

std::vector<Command> AllCommands() {
  return {
      EvalCommand(),
      InfoCommand(),
      VersionCommand(),
  };
}

}  // namespace augur::apps
