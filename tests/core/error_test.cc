#include "augur/core/error.h"

#include <gtest/gtest.h>

namespace augur {
namespace {

TEST(ErrorTest, TypedErrorsCarryCodes) {
  EXPECT_EQ(ConfigError("x").code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ShapeError("x").code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(NotFoundError("x").code(), ErrorCode::kNotFound);
  EXPECT_EQ(DataError("x").code(), ErrorCode::kDataLoss);
  EXPECT_EQ(IoError("x").code(), ErrorCode::kIo);
  EXPECT_EQ(ErrorCodeName(ErrorCode::kDataLoss), "data_loss");
  try {
    throw ShapeError(StrCat("obs has shape [", 3, ", ", 4, "]"));
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "obs has shape [3, 4]");
  }
}

TEST(ErrorDeathTest, CheckAbortsWithValues) {
  const int a = 2, b = 3;
  EXPECT_DEATH(AUGUR_CHECK_EQ(a, b) << "context", "internal check failed.*a = 2, b = 3.*context");
  AUGUR_CHECK_LT(a, b);  // passes
}

}  // namespace
}  // namespace augur
