#include "augur/core/thread_priority.h"

#include <gtest/gtest.h>

#include <thread>

namespace augur {
namespace {

#ifdef __linux__
TEST(ThreadPriorityTest, BackgroundAppliesToTheCallingThreadOnlyAndIsRestoredWhenAllowed) {
  ASSERT_FALSE(InBackgroundPriority());
  bool entered = false, inside = false, restored = false, after = true, main_thread_during = true;
  std::thread worker([&] {
    const ThreadPriority previous = EnterBackgroundPriority();
    entered = previous.valid;
    inside = InBackgroundPriority();
    // Entering twice changes nothing and saves nothing to restore.
    EXPECT_FALSE(EnterBackgroundPriority().valid);
    restored = LeaveBackgroundPriority(previous);
    after = InBackgroundPriority();
  });
  worker.join();
  main_thread_during = InBackgroundPriority();
  EXPECT_TRUE(entered) << "SCHED_IDLE needs no privilege on Linux";
  EXPECT_TRUE(inside);
  EXPECT_FALSE(main_thread_during) << "only the calling thread moves";
  // Leaving SCHED_IDLE needs CAP_SYS_NICE or RLIMIT_NICE >= 20: either it worked or the thread stays background.
  EXPECT_EQ(after, !restored);
}
#endif

TEST(ThreadPriorityTest, LeavingWithNothingSavedIsANoOp) {
  EXPECT_TRUE(LeaveBackgroundPriority(ThreadPriority{}));
}

}  // namespace
}  // namespace augur
