#include "augur/models/termination.h"

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
