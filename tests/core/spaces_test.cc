#include "augur/core/spaces.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "augur/core/error.h"

namespace augur {
namespace {

TEST(SpacesTest, FlatDimAndToString) {
  const Space box = Box::Uniform(3, -2.f, 2.f);
  const Space disc = Discrete{4};
  EXPECT_EQ(FlatDim(box), 3);
  EXPECT_EQ(FlatDim(disc), 1);
  EXPECT_EQ(ToString(box), "Box(3, [-2, 2])");
  EXPECT_EQ(ToString(disc), "Discrete(4)");
  EXPECT_EQ(ToString(Space{Box{{0, 1}, {1, 2}}}), "Box(2)");
  EXPECT_TRUE(IsDiscrete(disc));
  EXPECT_FALSE(IsDiscrete(box));
}

TEST(SpacesTest, ContainsAndClip) {
  const Box box{{-1, 0}, {1, 2}};
  EXPECT_TRUE(box.Contains(std::vector<float>{0.5f, 2.f}));
  EXPECT_FALSE(box.Contains(std::vector<float>{1.5f, 0.f}));
  EXPECT_FALSE(box.Contains(std::vector<float>{0.f}));
  EXPECT_FALSE(box.Contains(std::vector<float>{std::nanf(""), 1.f}));
  std::vector<float> x{-3.f, 5.f};
  box.Clip(x);
  EXPECT_EQ(x, (std::vector<float>{-1.f, 2.f}));
}

TEST(SpacesTest, InfiniteBoundsAreValid) {
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_NO_THROW(Validate(Box::Uniform(2, -inf, inf), "obs"));
}

TEST(SpacesTest, BadSpacesNameTheProblem) {
  try {
    Validate(Box{{0, 3}, {1, 2}}, "my obs");
    FAIL();
  } catch (const ConfigError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("my obs"), std::string::npos) << msg;
    EXPECT_NE(msg.find("dimension 1"), std::string::npos) << msg;
  }
  EXPECT_THROW(Validate(Box{{0}, {1, 2}}, "x"), ConfigError);
  EXPECT_THROW(Validate(Box{}, "x"), ConfigError);
  EXPECT_THROW(Validate(Discrete{0}, "x"), ConfigError);
  EnvSpec spec{"", Box::Uniform(1, 0, 1), Discrete{2}};
  EXPECT_THROW(spec.Validate(), ConfigError);
  spec.id = "Toy-v0";
  EXPECT_NO_THROW(spec.Validate());
  EXPECT_EQ(spec.obs_dim(), 1);
  EXPECT_EQ(spec.action_dim(), 1);
}

}  // namespace
}  // namespace augur
