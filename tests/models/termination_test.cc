#include "augur/models/termination.h"

#include "augur/core/error.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

namespace augur::models {
namespace {

TEST(TerminationTest, CartPoleLimits) {
  auto fn = MakeTermination("CartPole-v1");
  ASSERT_TRUE(fn->can_terminate());
  EXPECT_TRUE(HasKnownTermination("CartPole-v1"));
  const float obs[3][4] = {{0, 0, 0.1f, 0}, {2.5f, 0, 0, 0}, {0, 0, -0.25f, 0}};
  float done[3];
  fn->DoneCpu(3, 4, &obs[0][0], done);
  EXPECT_EQ(done[0], 0.f);
  EXPECT_EQ(done[1], 1.f);
  EXPECT_EQ(done[2], 1.f);
  at::Tensor t = at::from_blob(const_cast<float*>(&obs[0][0]), {3, 4}, at::kFloat);
  at::Tensor d = fn->Done(t);
  EXPECT_EQ(d.scalar_type(), at::kBool);
  EXPECT_FALSE(d[0].item<bool>());
  EXPECT_TRUE(d[1].item<bool>());
  EXPECT_TRUE(d[2].item<bool>());
}

// Known answers worked from Gymnasium's v4 healthy ranges; the env itself agrees at the same observations.
TEST(TerminationTest, HopperAndWalkerHealthyRanges) {
  auto hopper = MakeTermination("Hopper-v4");
  ASSERT_TRUE(hopper->can_terminate());
  float h[4][11] = {};
  h[0][0] = 1.25f;                   // standing: healthy
  h[1][0] = 0.69f;                   // torso below 0.7 m
  h[2][0] = 1.25f, h[2][1] = 0.21f;  // leaning past 0.2 rad
  h[3][0] = 1.25f, h[3][3] = 150.f;  // a joint angle out of (-100, 100)
  float done[4];
  hopper->DoneCpu(4, 11, &h[0][0], done);
  EXPECT_EQ(done[0], 0.f);
  EXPECT_EQ(done[1], 1.f);
  EXPECT_EQ(done[2], 1.f);
  EXPECT_EQ(done[3], 1.f);
  auto walker = MakeTermination("Walker2d-v4");
  float w[4][17] = {};
  w[0][0] = 1.25f, w[0][1] = 0.9f;  // healthy: 0.8 < z < 2, |angle| < 1
  w[1][0] = 2.1f;                   // too high
  w[2][0] = 0.79f;                  // too low
  w[3][0] = 1.25f, w[3][1] = -1.1f;
  walker->DoneCpu(4, 17, &w[0][0], done);
  EXPECT_EQ(done[0], 0.f);
  EXPECT_EQ(done[1], 1.f);
  EXPECT_EQ(done[2], 1.f);
  EXPECT_EQ(done[3], 1.f);
  EXPECT_TRUE(HasKnownTermination("HalfCheetah-v4"));
  EXPECT_FALSE(MakeTermination("HalfCheetah-v4")->can_terminate());
  float short_obs[5] = {};
  EXPECT_THROW(hopper->DoneCpu(1, 5, short_obs, done), ShapeError);
}

TEST(TerminationTest, PendulumAndUnknownNeverTerminate) {
  for (const char* id : {"Pendulum-v1", "", "SomethingElse-v0"}) {
    auto fn = MakeTermination(id);
    EXPECT_FALSE(fn->can_terminate()) << id;
    EXPECT_FALSE(fn->Done(at::full({4, 3}, 100.f)).any().item<bool>()) << id;
  }
  EXPECT_TRUE(HasKnownTermination("Pendulum-v1"));
  EXPECT_FALSE(HasKnownTermination("SomethingElse-v0"));
}

}  // namespace
}  // namespace augur::models
