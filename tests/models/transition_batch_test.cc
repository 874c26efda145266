#include "augur/models/transition_batch.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>

#include "augur/core/error.h"
#include "sine_data.h"

namespace augur::models {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

TEST(TransitionBatchTest, AcceptsCleanData) { EXPECT_NO_THROW(testing::NoisySine(32, 1).Validate(1, 1)); }

TEST(TransitionBatchTest, NanNamesColumnAndFirstRow) {
  TransitionBatch b = testing::NoisySine(32, 1);
  b.next_obs[7][0] = std::numeric_limits<float>::quiet_NaN();
  b.next_obs[9][0] = std::numeric_limits<float>::quiet_NaN();
  try {
    b.Validate(1, 1);
    FAIL() << "expected DataError";
  } catch (const DataError& e) {
    EXPECT_THAT(e.what(), AllOf(HasSubstr("'next_obs'"), HasSubstr("row 7")));
  }
  b = testing::NoisySine(32, 1);
  b.rewards[3] = std::numeric_limits<float>::infinity();
  EXPECT_THROW(b.Validate(1, 1), DataError);
}

TEST(TransitionBatchTest, ShapeMismatchNamesBothShapes) {
  TransitionBatch b = testing::NoisySine(32, 1);
  try {
    b.Validate(/*obs_dim=*/3, 1);
    FAIL() << "expected ShapeError";
  } catch (const ShapeError& e) {
    EXPECT_THAT(e.what(), AllOf(HasSubstr("'obs'"), HasSubstr("[32, 1]"), HasSubstr("[32, 3]")));
  }
  b.rewards = at::zeros({31});
  EXPECT_THROW(b.Validate(1, 1), ShapeError);
}

}  // namespace
}  // namespace augur::models
