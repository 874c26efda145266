#include "augur/models/factory.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "augur/core/error.h"
#include "augur/models/ensemble/ensemble_model.h"

namespace augur::models {
namespace {

using ::testing::HasSubstr;

TEST(ModelFactoryTest, CreatesEnsembleFromSpec) {
  auto model = Create("ensemble:members=3,elites=2,hidden=16,layers=2", 3, 1, Box::Uniform(1, -2, 2), "Pendulum-v1");
  ASSERT_NE(model, nullptr);
  EXPECT_EQ(model->spec().type, "ensemble");
  EXPECT_EQ(model->spec().members, 2);  // inference members are the elites
  EXPECT_EQ(model->spec().obs_dim, 3);
  EXPECT_EQ(model->spec().action_dim, 1);
  EXPECT_TRUE(model->spec().stochastic);
  EXPECT_FALSE(model->spec().predicts_done);
  EXPECT_FALSE(model->trained());
  auto* ensemble = dynamic_cast<EnsembleModel*>(model.get());
  ASSERT_NE(ensemble, nullptr);
  EXPECT_EQ(ensemble->options().hidden, 16);
  EXPECT_EQ(model->card().config, "ensemble:members=3,elites=2,hidden=16,layers=2,act=silu,max_logvar=0.5,min_logvar=-10");
}

TEST(ModelFactoryTest, DefaultsArePetsMbpo) {
  auto model = Create("ensemble", 17, 6);
  auto* ensemble = dynamic_cast<EnsembleModel*>(model.get());
  ASSERT_NE(ensemble, nullptr);
  EXPECT_EQ(ensemble->options().members, 7);
  EXPECT_EQ(ensemble->options().elites, 5);
  EXPECT_EQ(ensemble->options().hidden, 200);
  EXPECT_EQ(ensemble->options().layers, 4);
  // members < 5 without elites: elites default to members.
  EXPECT_EQ(Create("ensemble:members=3", 2, 1)->spec().members, 3);
}

TEST(ModelFactoryTest, RejectsBadSpecs) {
  EXPECT_THROW(Create("ensemble:members=3,elites=4", 3, 1), ConfigError);
  EXPECT_THROW(Create("ensemble:width=3", 3, 1), ConfigError);
  EXPECT_THROW(Create("ensemble", 0, 1), ConfigError);
  EXPECT_THROW(Create("ensemble", 3, 2, Box::Uniform(1, -1, 1)), ConfigError);
  try {
    Create("transformer:layers=2", 3, 1);
    FAIL();
  } catch (const NotFoundError& e) {
    EXPECT_THAT(e.what(), HasSubstr("ensemble"));
  }
}

}  // namespace
}  // namespace augur::models
