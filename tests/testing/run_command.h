// Test helper: runs a command line as a user would and captures its exit code, stdout and stderr.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace augur::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out, err;
};

// The built `augur` binary.
inline std::string AugurBinary() { return std::string(AUGUR_BINARY_DIR) + "/bin/augur"; }

inline CommandResult RunCommand(const std::string& command) {
  const auto err_path = std::filesystem::temp_directory_path() /
                        ("augur_test_stderr_" + std::to_string(::getpid()) + "_" + std::to_string(std::rand()));
  CommandResult result;
  std::FILE* pipe = ::popen((command + " 2>" + err_path.string()).c_str(), "r");
  if (!pipe) return result;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) result.out.append(buf, n);
  const int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  std::ifstream err(err_path);
  std::stringstream ss;
  ss << err.rdbuf();
  result.err = ss.str();
  std::filesystem::remove(err_path);
  return result;
}

// Runs `augur <args>`.
inline CommandResult RunAugur(const std::string& args) { return RunCommand(AugurBinary() + " " + args); }

}  // namespace augur::testing
