// Constructors of the subcommands, one file each.
#pragma once

#include "augur/apps/cli.h"

namespace augur::apps {

Command EvalCommand();
Command InfoCommand();
Command VersionCommand();

}  // namespace augur::apps
