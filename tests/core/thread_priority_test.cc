#include "augur/core/thread_priority.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "augur/core/error.h"

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

TEST(ThreadPriorityTest, PinningTheProcessMovesThreadsThatExistAndThoseStartedLater) {
  const std::vector<int> all = CallingThreadCores();
  ASSERT_FALSE(all.empty());
  const std::vector<int> one = {all.back()};
  std::atomic<bool> pinned{false};
  std::vector<int> existing_cores, later_cores;
  std::thread existing([&] {
    while (!pinned.load()) std::this_thread::yield();
    existing_cores = CallingThreadCores();
  });
  ASSERT_TRUE(PinProcessThreads(one));
  pinned.store(true);
  existing.join();
  std::thread later([&] { later_cores = CallingThreadCores(); });
  later.join();
  EXPECT_EQ(CallingThreadCores(), one);
  EXPECT_EQ(existing_cores, one) << "a thread that existed before the call is pinned too";
  EXPECT_EQ(later_cores, one) << "a new thread inherits its creator's affinity";
  ASSERT_TRUE(PinProcessThreads(all));
  EXPECT_EQ(CallingThreadCores(), all);
}

TEST(ThreadPriorityTest, PinningTheCallingThreadLeavesOthersAlone) {
  const std::vector<int> all = CallingThreadCores();
  std::vector<int> inside;
  std::thread worker([&] {
    ASSERT_TRUE(PinCallingThread({all.front()}));
    inside = CallingThreadCores();
  });
  worker.join();
  EXPECT_EQ(inside, std::vector<int>{all.front()});
  EXPECT_EQ(CallingThreadCores(), all);
}
#endif

TEST(ThreadPriorityTest, CoreListsAreCheckedAndComplemented) {
  const int n = CoreCount();
  EXPECT_NO_THROW(ValidateCores({0}, "planner_cpus"));
  try {
    ValidateCores({n}, "planner_cpus");
    FAIL() << "core n is out of range";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("planner_cpus names core"), std::string::npos) << e.what();
  }
  EXPECT_THROW(ValidateCores({-1}, "x"), ConfigError);
  EXPECT_THROW(ValidateCores({}, "serve_cpus"), ConfigError);
  const std::vector<int> others = OtherCores({0});
  EXPECT_EQ(static_cast<int>(others.size()), n - 1);
  for (int c : others) EXPECT_NE(c, 0);
  EXPECT_EQ(static_cast<int>(OtherCores({}).size()), n);
}

TEST(ThreadPriorityTest, ServingSplitsTheUsableCores) {
  const std::vector<int> usable = CallingThreadCores();
  const CoreSplit split = SplitCoresForServing();
  if (usable.size() < 2) {
    EXPECT_TRUE(split.serve.empty() && split.plan.empty()) << "one core: nothing to split";
  } else {
    EXPECT_EQ(split.serve, std::vector<int>{usable.front()});
    EXPECT_EQ(split.plan, std::vector<int>(usable.begin() + 1, usable.end()));
  }
  EXPECT_EQ(CoresText({}), "any");
  EXPECT_EQ(CoresText({0, 2, 3}), "0,2,3");
}

TEST(ThreadPriorityTest, CoreListsParse) {
  EXPECT_EQ(ParseCores("0", "x"), std::vector<int>{0});
  if (CoreCount() >= 2) {
    EXPECT_EQ(ParseCores("1,0,1", "x"), (std::vector<int>{0, 1}));
    EXPECT_EQ(ParseCores("0-1", "x"), (std::vector<int>{0, 1}));
  }
  for (const char* bad : {"", "a", "1,", "-1", "2-1", "0-", "1.5", "99999"}) {
    try {
      ParseCores(bad, "--planner-cpus");
      FAIL() << "'" << bad << "' must be refused";
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find("--planner-cpus"), std::string::npos) << e.what();
    }
  }
}

TEST(ThreadPriorityTest, LeavingWithNothingSavedIsANoOp) {
  EXPECT_TRUE(LeaveBackgroundPriority(ThreadPriority{}));
}

}  // namespace
}  // namespace augur
