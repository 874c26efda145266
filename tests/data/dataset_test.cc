#include "augur/data/dataset.h"

#include <ATen/ATen.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>

#include "augur/core/error.h"
#include "augur/data/dataset_builder.h"
#include "test_util.h"

namespace augur::data {
namespace {

using ::testing::HasSubstr;
using testing::CollectToy;
using testing::SameData;

TEST(DatasetTest, BuilderMakesColumnsAndEpisodeIndex) {
  DatasetBuilder b(2, 1);
  const float o[2] = {1, 2}, a[1] = {0.5f}, n[2] = {3, 4};
  b.AddStep(o, a, 1.f, n, false, false);
  b.AddStep(n, a, 2.f, o, true, false);   // terminal
  b.AddStep(o, a, 3.f, n, false, true);   // time-out after 1 step
  b.AddStep(o, a, 4.f, n, false, false);  // in flight: incomplete
  Dataset d = b.Build();
  EXPECT_EQ(d.size(), 4);
  EXPECT_EQ(d.obs_dim(), 2);
  EXPECT_EQ(d.action_dim(), 1);
  EXPECT_EQ(d.episode_starts(), (std::vector<int64_t>{0, 2, 3}));
  EXPECT_TRUE(d.terminals()[1].item<bool>());
  EXPECT_FALSE(d.timeouts()[1].item<bool>());
  EXPECT_TRUE(d.timeouts()[2].item<bool>());
  EXPECT_FALSE(d.terminals()[3].item<bool>() || d.timeouts()[3].item<bool>());
  EXPECT_EQ(d.EpisodeReturns(), (std::vector<double>{3.0, 3.0, 4.0}));
  EXPECT_NO_THROW(d.Validate());
}

TEST(DatasetTest, BuilderRejectsWrongStepShapes) {
  DatasetBuilder b(2, 1);
  const float o[3] = {1, 2, 3}, a[1] = {0.5f};
  try {
    b.AddStep(o, a, 1.f, {o, 2}, false, false);
    FAIL();
  } catch (const ShapeError& e) {
    EXPECT_THAT(e.what(), HasSubstr("observation has 3 values"));
  }
}

TEST(DatasetTest, ConstructorNamesInconsistentShapes) {
  at::Tensor obs = at::zeros({5, 3}), act = at::zeros({4, 2}), r = at::zeros({5});
  at::Tensor f = at::zeros({5}, at::kBool);
  try {
    Dataset d(obs, act, r, f, f, obs);
    FAIL();
  } catch (const ShapeError& e) {
    EXPECT_THAT(e.what(), HasSubstr("'actions' has shape [4, 2]"));
    EXPECT_THAT(e.what(), HasSubstr("'rewards' has shape [5]"));
  }
  EXPECT_THROW(Dataset(obs, at::zeros({5, 2}), r, f, f, at::zeros({5, 4})), ShapeError);
  EXPECT_THROW(Dataset(obs, at::zeros({5, 2}), r, at::zeros({5}), f, obs), ShapeError);  // float flags
}

TEST(DatasetTest, ValidateNamesColumnAndRowOfNaN) {
  Dataset d = CollectToy(1, 4);
  d.observations()[7][2] = std::numeric_limits<float>::quiet_NaN();
  try {
    d.Validate();
    FAIL();
  } catch (const DataError& e) {
    EXPECT_THAT(e.what(), HasSubstr("'observations' holds NaN at row 7, dim 2"));
  }
  Dataset d2 = CollectToy(1, 4);
  d2.rewards()[3] = std::numeric_limits<float>::infinity();
  EXPECT_THROW(d2.Validate(), DataError);
}

TEST(DatasetTest, ValidateChecksEnvSpecDims) {
  DatasetMetadata m = testing::ToyMetadata();
  m.env_spec->observation = Box::Uniform(4, -1, 1);
  Dataset d = CollectToy(1, 2, m);
  EXPECT_THROW(d.Validate(), DataError);
}

TEST(DatasetTest, SameSeedSameDatasetAndDigest) {
  Dataset a = CollectToy(42, 10), b = CollectToy(42, 10), c = CollectToy(43, 10);
  EXPECT_TRUE(SameData(a, b));
  EXPECT_EQ(a.Digest(), b.Digest());
  EXPECT_NE(a.Digest(), c.Digest());
  EXPECT_EQ(a.Digest().size(), 32u);
  // Flipping one reward changes the digest.
  Dataset d = CollectToy(42, 10);
  d.rewards()[5] = d.rewards()[5].item<float>() + 1e-3f;
  EXPECT_NE(d.Digest(), a.Digest());
}

TEST(DatasetTest, DigestIsStableAcrossRuns) {
  // A fixed tiny dataset has a fixed digest on every machine: checkpoints rely on it.
  DatasetBuilder b(1, 1);
  const float o[1] = {1}, a[1] = {2}, n[1] = {3};
  b.AddStep(o, a, 4.f, n, true, false);
  EXPECT_EQ(b.Build().Digest(), b.Build().Digest());
  const std::string digest = b.Build().Digest();
  EXPECT_EQ(digest, "b1b68545e0e10f4de3830ddf31c24ee9") << "update only when the digest definition changes";
}

TEST(DatasetTest, SliceAndConcatKeepEpisodes) {
  Dataset d = CollectToy(3, 6);
  Dataset first = d.SliceEpisodes(0, 2), rest = d.SliceEpisodes(2, 6);
  EXPECT_EQ(first.num_episodes(), 2);
  EXPECT_EQ(rest.num_episodes(), 4);
  Dataset back = Concat({first, rest});
  EXPECT_TRUE(SameData(back, d));
  // An incomplete episode (cut by Slice) stays separate from the next one after Concat.
  Dataset cut = d.Slice(0, d.EpisodeBegin(1) - 2);
  EXPECT_EQ(cut.num_episodes(), 1);
  Dataset joined = Concat({cut, d});
  EXPECT_EQ(joined.num_episodes(), 1 + d.num_episodes());
  EXPECT_THROW(d.Slice(3, 2), RangeError);
}

TEST(DatasetTest, EpisodeRoundTripAndStats) {
  Dataset d = CollectToy(5, 4);
  for (int64_t e = 0; e < d.num_episodes(); ++e) {
    Episode ep = GetEpisode(d, e);
    Episode want = testing::ToyEpisode(5, e);
    EXPECT_EQ(ep.observations, want.observations);
    EXPECT_EQ(ep.next_observations, want.next_observations);
    EXPECT_EQ(ep.terminal, want.terminal);
    EXPECT_EQ(ep.truncated, want.truncated);
  }
  ColumnStats s = d.ObservationStats();
  ASSERT_EQ(s.mean.size(), 3u);
  EXPECT_LE(s.min[0], s.mean[0]);
  EXPECT_GE(s.max[0], s.mean[0]);
  EXPECT_THAT(d.Summary(), HasSubstr("episodes 4"));
}

TEST(DatasetTest, WithEpisodeStartsRejectsMissingFlagBoundary) {
  Dataset d = CollectToy(5, 3);
  EXPECT_THROW(d.WithEpisodeStarts({0}), ConfigError);
  EXPECT_THROW(d.WithEpisodeStarts({1}), ConfigError);
}

}  // namespace
}  // namespace augur::data
