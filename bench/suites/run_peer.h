// Helpers the peer benchmarks share: running a Python peer (or any command) and reading its output.
#pragma once

#include <cstdio>
#include <string>

namespace augur::bench {

// Runs a shell command and returns what it printed (stdout and stderr together); "" when it cannot start.
inline std::string Capture(const std::string& cmd) {
  std::string out;
  FILE* f = popen((cmd + " 2>&1").c_str(), "r");
  if (!f) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), f)) > 0) out.append(buf, n);
  pclose(f);
  return out;
}

}  // namespace augur::bench
