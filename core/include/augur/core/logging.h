// Logging through spdlog: one "augur" logger writing to stderr, so stdout stays free for results (JSON).
#pragma once

#include <spdlog/spdlog.h>

#include <string_view>

namespace augur {

// The process-wide augur logger (created on first use).
spdlog::logger& Log();
// Sets the level from "trace", "debug", "info", "warn", "error", "critical" or "off".
// Throws ConfigError listing the valid names otherwise.
void SetLogLevel(std::string_view level);

}  // namespace augur
