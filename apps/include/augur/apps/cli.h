// The `augur` command line: subcommands register in one place (commands.cc), every level has --help,
// results go to stdout (text or --json), logs and progress to stderr.
// Exit codes: 0 success, 1 user error (message on stderr), 2 internal error.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace augur::apps {

// Options every subcommand sees.
struct GlobalOptions {
  std::string log_level = "info";
  bool json = false;   // machine-readable output on stdout
  int threads = 0;     // worker threads; 0 = all cores
};

// A subcommand: Setup adds its options to `sub` and returns the function that runs it.
struct Command {
  std::string name;
  std::string description;
  std::function<std::function<void()>(CLI::App& sub, const GlobalOptions& global)> setup;
};

// Every subcommand, in the order `augur --help` lists them. Defined in commands.cc.
std::vector<Command> AllCommands();

// Runs the command line; returns the process exit code.
int RunCli(int argc, char** argv);

}  // namespace augur::apps
