#include "augur/core/thread_priority.h"

#ifdef __linux__
#include <pthread.h>
#include <sched.h>
#endif

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <thread>

#include "augur/core/error.h"

namespace augur {

ThreadPriority EnterBackgroundPriority() {
  ThreadPriority previous;
#ifdef __linux__
  // On Linux the scheduling calls with pid 0 act on the calling thread alone.
  previous.policy = sched_getscheduler(0);
  sched_param param{};
  if (previous.policy < 0 || previous.policy == SCHED_IDLE || sched_getparam(0, &param) != 0) return previous;
  previous.priority = param.sched_priority;
  const sched_param idle{};
  previous.valid = sched_setscheduler(0, SCHED_IDLE, &idle) == 0;
#endif
  return previous;
}

bool LeaveBackgroundPriority(const ThreadPriority& previous) {
#ifdef __linux__
  if (!previous.valid) return true;
  sched_param param{};
  param.sched_priority = previous.priority;
  return sched_setscheduler(0, previous.policy, &param) == 0;
#else
  (void)previous;
  return true;
#endif
}

bool InBackgroundPriority() {
#ifdef __linux__
  return sched_getscheduler(0) == SCHED_IDLE;
#else
  return false;
#endif
}

int CoreCount() { return std::max(1, static_cast<int>(std::thread::hardware_concurrency())); }

void ValidateCores(const std::vector<int>& cores, const std::string& what) {
  if (cores.empty()) throw ConfigError(StrCat(what, " is empty; name at least one core, e.g. 0"));
  const int n = CoreCount();
  for (int c : cores) {
    if (c < 0 || c >= n) throw ConfigError(StrCat(what, " names core ", c, "; this machine has cores 0..", n - 1));
  }
}

std::vector<int> ParseCores(const std::string& text, const std::string& what) {
  std::vector<int> cores;
  const auto fail = [&](const std::string& why) -> void {
    throw ConfigError(StrCat(what, " = '", text, "': ", why, "; give cores like 1, 2,3 or 0-3"));
  };
  const auto number = [&](const std::string& s) {
    if (s.empty() || s.size() > 6 || s.find_first_not_of("0123456789") != std::string::npos) fail("'" + s + "' is not a core number");
    return std::stoi(s);
  };
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = std::min(text.find(',', start), text.size());
    const std::string item = text.substr(start, comma - start);
    const size_t dash = item.find('-');
    const int lo = number(dash == std::string::npos ? item : item.substr(0, dash));
    const int hi = dash == std::string::npos ? lo : number(item.substr(dash + 1));
    if (hi < lo) fail("range " + item + " runs backwards");
    for (int c = lo; c <= hi; ++c) cores.push_back(c);
    start = comma + 1;
  }
  std::sort(cores.begin(), cores.end());
  cores.erase(std::unique(cores.begin(), cores.end()), cores.end());
  ValidateCores(cores, what);
  return cores;
}

std::vector<int> OtherCores(const std::vector<int>& exclude) {
  std::vector<int> out;
  for (int c = 0; c < CoreCount(); ++c) {
    if (std::find(exclude.begin(), exclude.end(), c) == exclude.end()) out.push_back(c);
  }
  return out;
}

#ifdef __linux__
namespace {
cpu_set_t ToSet(const std::vector<int>& cores) {
  cpu_set_t set;
  CPU_ZERO(&set);
  for (int c : cores) {
    if (c >= 0 && c < CPU_SETSIZE) CPU_SET(c, &set);
  }
  return set;
}
}  // namespace
#endif

bool PinCallingThread(const std::vector<int>& cores) {
#ifdef __linux__
  if (cores.empty()) return false;
  const cpu_set_t set = ToSet(cores);
  return pthread_setaffinity_np(pthread_self(), sizeof(set), &set) == 0;
#else
  (void)cores;
  return false;
#endif
}

bool PinProcessThreads(const std::vector<int>& cores) {
#ifdef __linux__
  if (cores.empty()) return false;
  const cpu_set_t set = ToSet(cores);
  bool all = true;
  try {
    for (const auto& entry : std::filesystem::directory_iterator("/proc/self/task")) {
      const pid_t tid = static_cast<pid_t>(std::stol(entry.path().filename().string()));
      // A thread that exited between the listing and this call is not a failure.
      if (sched_setaffinity(tid, sizeof(set), &set) != 0 && errno != ESRCH) all = false;
    }
  } catch (const std::exception&) {
    return false;  // no /proc (or an entry that is not a thread id): nothing could be pinned for sure
  }
  return all;
#else
  (void)cores;
  return false;
#endif
}

std::vector<int> CallingThreadCores() {
  std::vector<int> out;
#ifdef __linux__
  cpu_set_t set;
  CPU_ZERO(&set);
  if (pthread_getaffinity_np(pthread_self(), sizeof(set), &set) == 0) {
    for (int c = 0; c < CPU_SETSIZE; ++c) {
      if (CPU_ISSET(c, &set)) out.push_back(c);
    }
  }
#endif
  return out;
}

CoreSplit SplitCoresForServing() {
  const std::vector<int> allowed = CallingThreadCores();
  if (allowed.size() < 2) return {};
  return {{allowed.front()}, std::vector<int>(allowed.begin() + 1, allowed.end())};
}

std::string CoresText(const std::vector<int>& cores) {
  std::string out;
  for (int c : cores) out += StrCat(out.empty() ? "" : ",", c);
  return out.empty() ? std::string("any") : out;
}

}  // namespace augur
