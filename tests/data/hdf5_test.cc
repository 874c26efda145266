#include "augur/data/hdf5.h"

#include <ATen/ATen.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "augur/core/error.h"
#include "augur/data/npz.h"
#include "test_util.h"

namespace augur::data {
namespace {

using ::testing::HasSubstr;
using testing::SameData;
using testing::TempDir;

std::string Fixture(const std::string& name) { return testing::TestDataDir() + "/" + name; }

TEST(Hdf5Test, D4rlLayoutMatchesTheNpzSlice) {
  Dataset npz = ImportNpz(Fixture("neorl2_dmsd_slice.npz"));
  Dataset h5 = ImportD4rlHdf5(Fixture("dmsd_slice_d4rl.hdf5"));
  EXPECT_TRUE(SameData(npz, h5));
  EXPECT_EQ(h5.metadata().licence, "Apache-2.0");
  EXPECT_THAT(h5.metadata().source, HasSubstr("NeoRL-2"));
}

TEST(Hdf5Test, MinariLayoutMatchesTheNpzSlice) {
  Dataset npz = ImportNpz(Fixture("neorl2_dmsd_slice.npz"));
  Dataset minari = ImportMinariHdf5(Fixture("dmsd_slice_minari.hdf5"));
  EXPECT_TRUE(SameData(npz, minari));
  EXPECT_EQ(minari.num_episodes(), 3);
  EXPECT_EQ(minari.metadata().source, "neorl2/dmsd-high-slice-v0");
  EXPECT_EQ(minari.metadata().behaviour_policy, "NeoRL-2 high-quality policy");
  EXPECT_EQ(minari.metadata().extra.at("minari.author"), "Polixir (NeoRL-2)");
  EXPECT_EQ(minari.metadata().extra.count("minari.total_episodes"), 0u);  // not a string
}

TEST(Hdf5Test, ExportImportRoundTripKeepsMetadata) {
  TempDir dir;
  Dataset d = testing::CollectToy(8, 6, testing::ToyMetadata());
  ExportD4rlHdf5(d, dir.File("toy.hdf5"));
  Dataset back = ImportD4rlHdf5(dir.File("toy.hdf5"));
  EXPECT_TRUE(SameData(d, back));
  const DatasetMetadata &got = back.metadata(), &want = d.metadata();
  EXPECT_EQ(got.source, want.source);
  EXPECT_EQ(got.licence, want.licence);
  EXPECT_EQ(got.behaviour_policy, want.behaviour_policy);
  EXPECT_EQ(got.extra, want.extra);
  ASSERT_TRUE(got.env_spec.has_value());
  EXPECT_EQ(got.env_spec->id, "Toy-v0");
  EXPECT_TRUE(got == want);
}

TEST(Hdf5Test, WrongLayoutsAreClearErrors) {
  try {
    ImportD4rlHdf5(Fixture("dmsd_slice_minari.hdf5"));
    FAIL();
  } catch (const DataError& e) {
    EXPECT_THAT(e.what(), HasSubstr("lacks the D4RL datasets observations"));
    EXPECT_THAT(e.what(), HasSubstr("ImportMinariHdf5"));
  }
  EXPECT_THROW(ImportMinariHdf5(Fixture("dmsd_slice_d4rl.hdf5")), DataError);
  EXPECT_THROW(ImportD4rlHdf5(Fixture("neorl2_dmsd_slice.npz")), DataError);
  EXPECT_THROW(ImportD4rlHdf5(Fixture("missing.hdf5")), NotFoundError);
}

}  // namespace
}  // namespace augur::data
