#pragma once

// Scheduling priority and core affinity: background work (a robot's replanning loop) that must never delay the
// threads answering the robot.

#include <string>
#include <vector>

namespace augur {

// A thread's scheduling policy as it was before EnterBackgroundPriority.
struct ThreadPriority {
  bool valid = false;  // false: nothing was changed (not Linux, already background, or refused)
  int policy = 0;
  int priority = 0;
};

// Moves the calling thread (only it) into Linux's SCHED_IDLE class, which needs no privilege: it runs only
// when no normal thread wants its core, and a normal thread that wakes up preempts it at once, where a nice-19
// thread would first finish its time slice. Returns what LeaveBackgroundPriority restores.
ThreadPriority EnterBackgroundPriority();

// Restores the policy saved by EnterBackgroundPriority; no-op when nothing was changed. Returns false when the
// kernel refused (leaving SCHED_IDLE needs CAP_SYS_NICE or RLIMIT_NICE >= 20): the thread stays background.
bool LeaveBackgroundPriority(const ThreadPriority& previous);

// True when the calling thread is in the SCHED_IDLE class.
bool InBackgroundPriority();

// Core affinity (Linux; elsewhere these do nothing and return false). Cores are indices 0..CoreCount()-1.
int CoreCount();
// Throws ConfigError naming `what` when a core is out of range or the list is empty.
void ValidateCores(const std::vector<int>& cores, const std::string& what);
// "1", "2,3", "0-3,6": the cores named (ascending, no repeats). ConfigError naming `what` on anything else or
// on a core this machine does not have.
std::vector<int> ParseCores(const std::string& text, const std::string& what);
// The machine's cores that are not in `exclude`, ascending.
std::vector<int> OtherCores(const std::vector<int>& exclude);
// Pins the calling thread to `cores`. Returns false when the kernel refused.
bool PinCallingThread(const std::vector<int>& cores);
// Pins every thread this process has now (from /proc/self/task) to `cores`; threads started later inherit the
// affinity of the thread that starts them. Returns false when any thread could not be pinned.
bool PinProcessThreads(const std::vector<int>& cores);
// The cores the calling thread may run on.
std::vector<int> CallingThreadCores();

// How a plan server splits the cores the calling thread may use (`augur serve --planner-cpus auto`): the first
// answers calls, the others plan. Both empty when fewer than 2 cores are usable (nothing to split).
struct CoreSplit {
  std::vector<int> serve, plan;
};
CoreSplit SplitCoresForServing();
// "0,2,3" for a core list, "any" for an empty one (no pinning).
std::string CoresText(const std::vector<int>& cores);

}  // namespace augur
