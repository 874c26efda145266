#include "augur/apps/cli.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>
#include <memory>

#include "augur/core/error.h"
#include "augur/core/logging.h"
#include "augur/core/version.h"

namespace augur::apps {

int RunCli(int argc, char** argv) {
  CLI::App app("augur: train world models from offline data and plan with them", "augur");
  app.set_version_flag("--version", std::string("augur ") + AUGUR_VERSION);
  app.require_subcommand(1);
  app.fallthrough();  // global options may follow the subcommand
  GlobalOptions global;
  app.add_option("--log-level", global.log_level, "Log level: trace, debug, info, warn, error, critical, off")
      ->capture_default_str();
  app.add_flag("--json", global.json, "Print results as JSON on stdout");
  app.add_option("--threads", global.threads, "Worker threads (0 = all cores)")->check(CLI::NonNegativeNumber)
      ->capture_default_str();

  std::function<void()> selected;
  const std::vector<Command> commands = AllCommands();
  std::vector<std::function<void()>> runners(commands.size());
  for (size_t i = 0; i < commands.size(); ++i) {
    CLI::App* sub = app.add_subcommand(commands[i].name, commands[i].description);
    runners[i] = commands[i].setup(*sub, global);
    sub->callback([&, i] { selected = runners[i]; });
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);  // prints help, version or the parse error
    return code == 0 ? 0 : 1;
  }
  try {
    SetLogLevel(global.log_level);
    if (selected) selected();
    return 0;
  } catch (const Error& e) {
    std::fprintf(stderr, "augur: error: %s\n", e.what());
    return 1;
  } catch (const CLI::Error& e) {
    std::fprintf(stderr, "augur: error: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "augur: internal error: %s\nThis is a bug in augur; please report it.\n", e.what());
    return 2;
  }
}

}  // namespace augur::apps
