#include <CLI/CLI.hpp>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "augur/core/system_info.h"
#include "augur/core/version.h"
#include "commands.h"

namespace augur::apps {

Command VersionCommand() {
  return {"version", "Print augur's version and the versions it was built with",
          [](CLI::App& sub, const GlobalOptions& global) -> std::function<void()> {
            return [&global] {
              const SystemInfo info = GetSystemInfo();
              if (global.json) {
                nlohmann::json j{{"augur", info.augur_version},
                                 {"libtorch", info.torch_version},
                                 {"compiler", info.compiler},
                                 {"build_type", info.build_type}};
                std::printf("%s\n", j.dump(2).c_str());
              } else {
                std::printf("augur %s (libtorch %s, %s, %s)\n", info.augur_version.c_str(),
                            info.torch_version.c_str(), info.compiler.c_str(), info.build_type.c_str());
              }
            };
          }};
}

}  // namespace augur::apps
