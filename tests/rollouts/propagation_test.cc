#include "augur/rollouts/propagation.h"

#include <gtest/gtest.h>

#include <vector>

#include "augur/core/error.h"
#include "augur/core/rng.h"

namespace augur {
namespace {

TEST(PropagationTest, TsInfGroupsParticleKOnMemberKModE) {
  const int64_t rows = 2 * 5, particles = 5, members = 3;  // 2 sequences x 5 particles
  std::vector<int64_t> member(rows), order(rows), begin(members + 1);
  ASSERT_TRUE(GroupRows(Propagation::kTsInf, rows, particles, members, Ts1Key{}, member, order, begin));
  EXPECT_EQ(begin, (std::vector<int64_t>{0, 4, 8, 10}));  // particles {0,3}, {1,4}, {2} per sequence
  for (int64_t m = 0; m < members; ++m) {
    for (int64_t g = begin[m]; g < begin[m + 1]; ++g) EXPECT_EQ((order[g] % particles) % members, m);
  }
}

TEST(PropagationTest, Ts1DrawsEveryMemberAndIsAPermutation) {
  const int64_t rows = 300, members = 4;
  std::vector<int64_t> member(rows), order(rows), begin(members + 1);
  ASSERT_TRUE(GroupRows(Propagation::kTs1, rows, 20, members, Ts1Key{.seed = 7, .step = 1}, member, order, begin));
  std::vector<int> seen(rows, 0);
  for (int64_t m = 0; m < members; ++m) {
    EXPECT_GT(begin[m + 1] - begin[m], 30) << "member " << m;  // ~75 each
    for (int64_t g = begin[m]; g < begin[m + 1]; ++g) {
      EXPECT_EQ(member[order[g]], m);
      ++seen[order[g]];
    }
  }
  for (int s : seen) EXPECT_EQ(s, 1);
  // The draws of a sequence depend on its index, not on the block it is grouped in.
  std::vector<int64_t> member2(rows - 20), order2(rows - 20), begin2(members + 1);
  GroupRows(Propagation::kTs1, rows - 20, 20, members, Ts1Key{.seed = 7, .step = 1, .first_sequence = 1}, member2,
            order2, begin2);
  for (int64_t i = 0; i < rows - 20; ++i) EXPECT_EQ(member2[i], member[20 + i]);
}

TEST(PropagationTest, ExpectationIsIdentityWithoutGroups) {
  std::vector<int64_t> member(6), order(6), begin;
  EXPECT_FALSE(GroupRows(Propagation::kExpectation, 6, 3, 2, Ts1Key{}, member, order, begin));
  for (int64_t i = 0; i < 6; ++i) EXPECT_EQ(order[i], i);
}

TEST(PropagationTest, NamesRoundTripAndUnknownListsValid) {
  for (Propagation p : {Propagation::kTs1, Propagation::kTsInf, Propagation::kExpectation}) {
    EXPECT_EQ(ParsePropagation(PropagationName(p)), p);
  }
  try {
    ParsePropagation("ts2");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("ts1, tsinf, expectation"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace augur
