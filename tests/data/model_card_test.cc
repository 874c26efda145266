#include "augur/data/model_card.h"

#include <ATen/ATen.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "augur/core/error.h"
#include "augur/core/version.h"
#include "test_util.h"

namespace augur::data {
namespace {

TEST(ModelCardTest, WriteReadRoundTrip) {
  testing::TempDir dir;
  Dataset d = testing::CollectToy(1, 4, testing::ToyMetadata());
  ModelCard card;
  card.type = "ensemble";
  card.config = "ensemble:members=7,hidden=200x4";
  card.env_spec = d.metadata().env_spec;
  card.observation_normalizer = Normalizer::Fit(d.observations());
  card.data_digest = d.Digest();
  card.metrics = {{"val_mse", 0.125}, {"epochs", 50}};
  WriteModelCard(card, dir.File("model.card"));
  ModelCard back = ReadModelCard(dir.File("model.card"));
  EXPECT_EQ(back.type, card.type);
  EXPECT_EQ(back.config, card.config);
  ASSERT_TRUE(back.env_spec.has_value());
  EXPECT_EQ(back.env_spec->id, "Toy-v0");
  ASSERT_TRUE(back.observation_normalizer.has_value());
  EXPECT_EQ(back.observation_normalizer->mean(), card.observation_normalizer->mean());
  EXPECT_FALSE(back.action_normalizer.has_value());
  EXPECT_EQ(back.data_digest, d.Digest());
  EXPECT_EQ(back.metrics, card.metrics);
  EXPECT_EQ(back.augur_version, AUGUR_VERSION);
  EXPECT_GT(back.created_unix_seconds, 0);
}

TEST(ModelCardTest, BadTextNamesTheLine) {
  testing::TempDir dir;
  {
    std::ofstream out(dir.File("bad.card"));
    out << "type: \"x\"\nconfg: \"y\"\n";
  }
  try {
    ReadModelCard(dir.File("bad.card"));
    FAIL();
  } catch (const DataError& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("line 2"));
    EXPECT_THAT(e.what(), ::testing::HasSubstr("bad.card"));
  }
  EXPECT_THROW(ReadModelCard(dir.File("none.card")), NotFoundError);
}

}  // namespace
}  // namespace augur::data
