#include "augur/core/budget.h"

#include <gtest/gtest.h>

#include <thread>

#include "augur/core/error.h"

namespace augur {
namespace {
using namespace std::chrono_literals;

TEST(BudgetTest, IterationsOnly) {
  const Budget b = Budget::Iterations(3);
  EXPECT_NO_THROW(b.Validate());
  EXPECT_FALSE(b.Done(2));
  EXPECT_TRUE(b.Done(3));
  EXPECT_FALSE(b.Remaining().has_value());
}

TEST(BudgetTest, DeadlineOnly) {
  const Clock::time_point t0 = Clock::now();
  const Budget b = Budget::DeadlineAt(t0 + 10ms);
  EXPECT_NO_THROW(b.Validate());
  EXPECT_FALSE(b.Done(1000000, t0));
  EXPECT_TRUE(b.Done(0, t0 + 10ms));
  EXPECT_EQ(*b.Remaining(t0 + 4ms), 6ms);
  EXPECT_EQ(*b.Remaining(t0 + 20ms), Clock::duration::zero());
}

TEST(BudgetTest, WhicheverEndsFirst) {
  const Clock::time_point t0 = Clock::now();
  Budget b{5, t0 + 10ms};
  EXPECT_TRUE(b.Done(5, t0));
  EXPECT_TRUE(b.Done(1, t0 + 11ms));
  EXPECT_FALSE(b.Done(4, t0 + 9ms));
}

TEST(BudgetTest, RealDeadlinePasses) {
  const Budget b = Budget::Deadline(2ms);
  EXPECT_FALSE(b.Expired(Clock::now() - 1s));
  std::this_thread::sleep_for(3ms);
  EXPECT_TRUE(b.Expired());
}

TEST(BudgetTest, NeitherSetIsAnError) {
  try {
    Budget{}.Validate();
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("neither iterations nor a deadline"), std::string::npos) << e.what();
  }
  EXPECT_THROW(Budget::Iterations(-1).Validate(), ConfigError);
}

}  // namespace
}  // namespace augur
