#pragma once

// Scheduling priority of the calling thread: background work (a robot's replanning loop) that must never
// delay the threads answering the robot.

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

}  // namespace augur
