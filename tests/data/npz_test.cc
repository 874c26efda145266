#include "augur/data/npz.h"

#include <ATen/ATen.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "augur/core/error.h"
#include "test_util.h"

namespace augur::data {
namespace {

using ::testing::HasSubstr;
using testing::SameData;
using testing::TempDir;
using testing::TestDataDir;

std::string Fixture(const std::string& name) { return TestDataDir() + "/" + name; }

TEST(NpzTest, Neorl2SliceImportsWithShapesAndEpisodeBoundaries) {
  Dataset d = ImportNpz(Fixture("neorl2_dmsd_slice.npz"));
  EXPECT_EQ(d.size(), 300);
  EXPECT_EQ(d.obs_dim(), 6);
  EXPECT_EQ(d.action_dim(), 2);
  EXPECT_EQ(d.observations().sizes(), (std::vector<int64_t>{300, 6}));
  EXPECT_EQ(d.next_observations().sizes(), (std::vector<int64_t>{300, 6}));
  EXPECT_EQ(d.episode_starts(), (std::vector<int64_t>{0, 100, 200}));
  for (int64_t e = 0; e < 3; ++e) {
    EXPECT_EQ(d.EpisodeLength(e), 100);
    EXPECT_TRUE(d.timeouts()[d.EpisodeEnd(e) - 1].item<bool>());
  }
  EXPECT_EQ(d.terminals().sum().item<int64_t>(), 0);  // DMSD never uses done
  EXPECT_EQ(d.timeouts().sum().item<int64_t>(), 3);
  // Inside an episode next_obs[t] == obs[t + 1].
  EXPECT_TRUE(at::equal(d.next_observations().slice(0, 0, 99), d.observations().slice(0, 1, 100)));
  EXPECT_NEAR(d.rewards()[0].item<float>(), 0.71671945f, 1e-6);
  EXPECT_EQ(d.metadata().source, Fixture("neorl2_dmsd_slice.npz"));
  EXPECT_NO_THROW(d.Validate());
}

TEST(NpzTest, ExportImportRoundTrip) {
  TempDir dir;
  Dataset d = testing::CollectToy(4, 7);
  ExportNpz(d, dir.File("toy.npz"));
  Dataset back = ImportNpz(dir.File("toy.npz"));
  EXPECT_TRUE(SameData(d, back));
}

TEST(NpzTest, Float64AndBoolColumnsAreAccepted) {
  Dataset d = ImportNpz(Fixture("float64_bool.npz"));
  EXPECT_EQ(d.size(), 10);
  EXPECT_EQ(d.episode_starts(), (std::vector<int64_t>{0, 5}));
}

TEST(NpzTest, BrokenFilesGiveClearErrors) {
  auto expect_error = [](const std::string& name, const std::string& text) {
    try {
      ImportNpz(Fixture(name));
      ADD_FAILURE() << name << " imported";
    } catch (const DataError& e) {
      EXPECT_THAT(e.what(), HasSubstr(text)) << name;
      EXPECT_THAT(e.what(), HasSubstr(name)) << name;
    }
  };
  expect_error("bad_missing_keys.npz", "lacks the keys next_obs, done, truncated");
  expect_error("bad_shapes.npz", "key 'next_obs' has shape (7, 6) but 'reward' has (10)");
  expect_error("bad_nan.npz", "column 'reward' holds NaN at row 6");
  expect_error("bad_fortran.npz", "Fortran order");
  expect_error("bad_bigendian.npz", "big-endian");
  expect_error("bad_dtype.npz", "dtype '<c8' is not supported");
  EXPECT_THROW(ImportNpz(Fixture("missing.npz")), NotFoundError);
  EXPECT_THROW(ImportNpz(Fixture("NOTICE.md")), DataError);
}

TEST(NpzTest, FullSharedNeorl2FilesImport) {
  const std::string dir = testing::SharedNeorl2Dir();
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << dir << " is missing";
  struct Want {
    const char* task;
    int64_t n, o, a, episodes;
  };
  for (const Want& w : {Want{"DMSD", 100000, 6, 2, 1000}, Want{"Pipeline", 100000, 52, 1, 100},
                        Want{"SafetyHalfCheetah", 18000, 18, 6, 18}, Want{"Simglucose", 100257, 31, 1, 280}}) {
    Dataset d = ImportNpz(dir + "/" + w.task + "-high-100000-train.npz");
    EXPECT_EQ(d.size(), w.n) << w.task;
    EXPECT_EQ(d.obs_dim(), w.o) << w.task;
    EXPECT_EQ(d.action_dim(), w.a) << w.task;
    // Every boundary row ends an episode; a last row without a flag would add an incomplete episode.
    const bool last_flagged = d.terminals()[-1].item<bool>() || d.timeouts()[-1].item<bool>();
    EXPECT_EQ(d.num_episodes(), w.episodes + (last_flagged ? 0 : 1)) << w.task;
    EXPECT_NO_THROW(d.Validate());
  }
}

}  // namespace
}  // namespace augur::data
