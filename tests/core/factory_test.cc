#include "augur/core/factory.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "augur/core/error.h"
#include "augur/core/registry.h"

namespace augur {
namespace {
using ::testing::HasSubstr;

std::string MessageOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(FactorySpecTest, ParsesNameAndParamsInOrder) {
  const FactorySpec spec = FactorySpec::Parse("icem:pop=300, elites=30,horizon=30,beta=2.0");
  EXPECT_EQ(spec.name, "icem");
  ASSERT_EQ(spec.params.size(), 4u);
  EXPECT_EQ(spec.params[1], (std::pair<std::string, std::string>{"elites", "30"}));
  EXPECT_EQ(spec.ToString(), "icem:pop=300,elites=30,horizon=30,beta=2.0");
  EXPECT_EQ(FactorySpec::Parse("cem").params.size(), 0u);
  EXPECT_EQ(FactorySpec::Parse("cem:").params.size(), 0u);
  EXPECT_EQ(*FactorySpec::Parse("ensemble:hidden=200x4").Find("hidden"), "200x4");
}

TEST(FactorySpecTest, MalformedStringsNameTheProblem) {
  EXPECT_THAT(MessageOf([] { FactorySpec::Parse(":pop=3"); }), HasSubstr("name before ':' is empty"));
  EXPECT_THAT(MessageOf([] { FactorySpec::Parse("cem:pop"); }), HasSubstr("'pop' has no '='"));
  EXPECT_THAT(MessageOf([] { FactorySpec::Parse("cem:=3"); }), HasSubstr("empty key"));
  EXPECT_THAT(MessageOf([] { FactorySpec::Parse("cem:pop="); }), HasSubstr("'pop' has an empty value"));
  EXPECT_THAT(MessageOf([] { FactorySpec::Parse("cem:pop=1,pop=2"); }), HasSubstr("'pop' is given twice"));
  EXPECT_THAT(MessageOf([] { FactorySpec::Parse("c m:pop=1"); }), HasSubstr("may contain only"));
}

TEST(SpecParamsTest, TypedValuesDefaultsAndRanges) {
  SpecParams p(FactorySpec::Parse("icem:pop=300,beta=2.5,clip=off,noise=colored"), "planner");
  EXPECT_EQ(p.Int("pop", 100, "population", 1), 300);
  EXPECT_EQ(p.Int("horizon", 30, "steps", 1), 30);
  EXPECT_DOUBLE_EQ(p.Double("beta", 2.0, "noise exponent", 0.0, 5.0), 2.5);
  EXPECT_FALSE(p.Bool("clip", true, "clip actions"));
  EXPECT_EQ(p.String("noise", "white", "noise kind", {"white", "colored"}), "colored");
  EXPECT_NO_THROW(p.Finish());
  EXPECT_THAT(p.Help(), HasSubstr("pop=100  population"));
}

TEST(SpecParamsTest, BadValuesNameKeyValueAndRange) {
  SpecParams p(FactorySpec::Parse("icem:pop=0,beta=x,clip=maybe,noise=pink"), "planner");
  EXPECT_THAT(MessageOf([&] { p.Int("pop", 100, "", 1); }),
              HasSubstr("planner 'icem': pop=0 is out of range [1, inf]"));
  EXPECT_THAT(MessageOf([&] { p.Double("beta", 2, ""); }), HasSubstr("beta=x is not a number"));
  EXPECT_THAT(MessageOf([&] { p.Bool("clip", true, ""); }), HasSubstr("clip=maybe is not a boolean"));
  EXPECT_THAT(MessageOf([&] { p.String("noise", "white", "", {"white", "colored"}); }),
              HasSubstr("noise=pink is not one of: white, colored"));
  SpecParams q(FactorySpec::Parse("cem:pop=1.5"), "planner");
  EXPECT_THAT(MessageOf([&] { q.Int("pop", 1, ""); }), HasSubstr("pop=1.5 is not an integer"));
}

TEST(SpecParamsTest, UnknownKeyListsValidKeys) {
  SpecParams p(FactorySpec::Parse("icem:pop=300,popsize=3"), "planner");
  p.Int("pop", 100, "");
  p.Int("horizon", 30, "");
  EXPECT_THAT(MessageOf([&] { p.Finish(); }),
              HasSubstr("planner 'icem' has no parameter 'popsize'; valid parameters: pop, horizon"));
}

struct Shape {
  virtual ~Shape() = default;
  virtual double Area() const = 0;
};
struct Square : Shape {
  double side;
  explicit Square(double s) : side(s) {}
  double Area() const override { return side * side; }
};

TEST(RegistryTest, CreatesFromSpecAndRejectsUnknownNamesAndKeys) {
  Registry<Shape, double> registry("shape");
  registry.Register("square", "a square", [](SpecParams& p, double scale) {
    return std::make_unique<Square>(scale * p.Double("side", 1.0, "side length", 0.0));
  });
  EXPECT_DOUBLE_EQ(registry.Create("square:side=3", 2.0)->Area(), 36.0);
  EXPECT_DOUBLE_EQ(registry.Create("square", 1.0)->Area(), 1.0);
  EXPECT_THAT(MessageOf([&] { registry.Create("circle:r=1", 1.0); }),
              HasSubstr("unknown shape 'circle' in 'circle:r=1'; valid shapes: square"));
  EXPECT_THAT(MessageOf([&] { registry.Create("square:r=1", 1.0); }), HasSubstr("valid parameters: side"));
  try {
    registry.Create("circle", 1.0);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotFound);
  }
}

}  // namespace
}  // namespace augur
