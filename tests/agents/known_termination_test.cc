// The models' known termination rules for the MuJoCo locomotion envs agree with the simulators themselves:
// random-action episodes, the rule evaluated on every next observation against the env's `terminated`.
#include <gtest/gtest.h>

#include "augur/core/rng.h"
#include "augur/envs/registry.h"
#include "augur/models/termination.h"

namespace augur {
namespace {

class KnownTerminationTest : public ::testing::TestWithParam<const char*> {};

TEST_P(KnownTerminationTest, AgreesWithTheSimulatorOnRandomEpisodes) {
  auto env = envs::Make(GetParam());
  auto rule = models::MakeTermination(GetParam());
  const int64_t o = env->spec().obs_dim(), a = env->spec().action_dim();
  std::vector<float> next(o), action(a);
  int terminations = 0, steps = 0;
  for (uint64_t episode = 0; episode < 20; ++episode) {
    env->Reset(episode);
    Rng rng(7, episode);
    for (int t = 0; t < 300; ++t) {
      for (auto& x : action) x = rng.Uniform(-1.f, 1.f);
      const envs::StepInfo info = env->StepInto(action, next);
      float done = 0;
      rule->DoneCpu(1, o, next.data(), &done);
      ASSERT_EQ(done > 0.5f, info.terminated) << GetParam() << " episode " << episode << " step " << t;
      ++steps;
      if (info.terminated) {
        ++terminations;
        break;
      }
    }
  }
  EXPECT_GT(steps, 100);
  if (rule->can_terminate()) {
    EXPECT_GT(terminations, 0);  // the unhealthy side was exercised
  }
}

INSTANTIATE_TEST_SUITE_P(Locomotion, KnownTerminationTest,
                         ::testing::Values("Hopper-v4", "Walker2d-v4", "HalfCheetah-v4"));

}  // namespace
}  // namespace augur
