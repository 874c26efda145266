// The PETS online loop at toy size: every round trains on everything collected so far and adds its episodes.
#include "augur/agents/pets.h"

#include <gtest/gtest.h>

#include "augur/core/error.h"
#include "augur/core/executor.h"

namespace augur::agents {
namespace {

PetsOptions Tiny() {
  PetsOptions o;
  o.env = "Pendulum-v1";
  o.model = "ensemble:members=2,elites=1,hidden=16,layers=1";
  o.planner = "cem:pop=16,elites=4,iters=2,horizon=5,particles=2";
  o.initial_episodes = 2;
  o.rounds = 2;
  o.episodes_per_round = 1;
  o.max_steps = 10;
  o.train.max_epochs = 2;
  return o;
}

TEST(PetsTest, EachRoundTrainsOnAllDataAndAddsItsEpisodes) {
  Executor executor(1);
  const PetsReport report = RunPets(Tiny(), executor);
  ASSERT_EQ(report.rounds.size(), 2u);
  EXPECT_EQ(report.rounds[0].dataset_rows, 20);  // 2 random episodes of 10 steps
  EXPECT_EQ(report.rounds[1].dataset_rows, 30);  // + the first round's MPC episode
  EXPECT_EQ(report.dataset.size(), 40);
  EXPECT_EQ(report.dataset.num_episodes(), 4);
  for (const auto& r : report.rounds) {
    ASSERT_EQ(r.returns.size(), 1u);
    EXPECT_TRUE(std::isfinite(r.returns[0]));
    EXPECT_LT(r.returns[0], 0.0);  // Pendulum rewards are <= 0
  }
  EXPECT_NO_THROW(report.dataset.Validate());
}

TEST(PetsTest, SameSeedSameRun) {
  Executor one(1), two(2);
  const PetsReport a = RunPets(Tiny(), one), b = RunPets(Tiny(), two);
  EXPECT_EQ(a.dataset.Digest(), b.dataset.Digest());
}

TEST(PetsTest, BadOptionsAreRejected) {
  Executor executor(1);
  PetsOptions o = Tiny();
  o.rounds = 0;
  EXPECT_THROW(RunPets(o, executor), ConfigError);
  o = Tiny();
  o.planner = "cem:pop=16,bogus=1";
  EXPECT_THROW(RunPets(o, executor), ConfigError);
  o = Tiny();
  o.env = "NoSuchEnv-v0";
  EXPECT_THROW(RunPets(o, executor), NotFoundError);
}

}  // namespace
}  // namespace augur::agents
