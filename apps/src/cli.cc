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
  app.require_subcommand(0, 1);
  app.allow_extras();  // so an unknown subcommand gets our message below instead of a generic one
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
  if (app.get_subcommands().empty()) {
    std::string valid;
    for (const Command& c : commands) valid += (valid.empty() ? "" : ", ") + c.name;
    const std::vector<std::string> extras = app.remaining();
    if (extras.empty()) {
      std::fprintf(stderr, "augur: error: a subcommand is required (%s); see augur --help\n", valid.c_str());
    } else {
      std::fprintf(stderr, "augur: error: unknown subcommand '%s'; valid subcommands: %s\n", extras[0].c_str(),
                   valid.c_str());
    }
    return 1;
  }
  if (!app.remaining().empty()) {
    std::fprintf(stderr, "augur: error: unexpected argument '%s'; see augur %s --help\n", app.remaining()[0].c_str(),
                 app.get_subcommands()[0]->get_name().c_str());
    return 1;
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
