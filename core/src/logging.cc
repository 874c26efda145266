#include "augur/core/logging.h"

#include <spdlog/sinks/stdout_color_sinks.h>

#include <mutex>

#include "augur/core/error.h"

namespace augur {

spdlog::logger& Log() {
  static std::shared_ptr<spdlog::logger> logger = [] {
    auto existing = spdlog::get("augur");
    if (existing) return existing;
    auto created = spdlog::stderr_color_mt("augur");
    created->set_pattern("[%Y-%m-%d %H:%M:%S.%e] [%^%l%$] %v");
    created->set_level(spdlog::level::info);
    return created;
  }();
  return *logger;
}

void SetLogLevel(std::string_view level) {
  static constexpr std::string_view kNames[] = {"trace", "debug", "info", "warn", "error", "critical", "off"};
  for (size_t i = 0; i < std::size(kNames); ++i) {
    if (level == kNames[i]) {
      Log().set_level(static_cast<spdlog::level::level_enum>(i));
      return;
    }
  }
  throw ConfigError(StrCat("unknown log level '", level,
                           "'; valid levels: trace, debug, info, warn, error, critical, off"));
}

}  // namespace augur
