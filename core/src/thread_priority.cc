#include "augur/core/thread_priority.h"

#ifdef __linux__
#include <sched.h>
#endif

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

}  // namespace augur
