// Temporary file paths and whole-file reads for tests that write checkpoints.
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace augur::testing {

// A path in the system's temporary folder, unique per `prefix` and `name`.
inline std::string TempPath(const std::string& prefix, const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("augur_" + prefix + "_" + name)).string();
}

// The file's bytes ("" when it cannot be read).
inline std::string ReadAll(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

}  // namespace augur::testing
