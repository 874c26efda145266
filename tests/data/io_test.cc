#include "augur/data/io.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "augur/core/error.h"
#include "augur/data/record_writer.h"
#include "test_util.h"

namespace augur::data {
namespace {

using testing::SameData;
using testing::TempDir;

TEST(IoTest, SaveAndLoadDispatchOnExtensionAndContent) {
  TempDir dir;
  Dataset d = testing::CollectToy(2, 5, testing::ToyMetadata());
  for (const char* name : {"a.augur", "a.npz", "a.hdf5", "a.h5"}) {
    Save(d, dir.File(name));
    Dataset back = Load(dir.File(name));
    EXPECT_TRUE(SameData(d, back)) << name;
  }
  EXPECT_EQ(DetectFormat(dir.File("a.augur")), DatasetFormat::kRecord);
  EXPECT_EQ(DetectFormat(dir.File("a.npz")), DatasetFormat::kNpz);
  EXPECT_EQ(DetectFormat(dir.File("a.h5")), DatasetFormat::kD4rlHdf5);
  EXPECT_EQ(DetectFormat(testing::TestDataDir() + "/dmsd_slice_minari.hdf5"), DatasetFormat::kMinariHdf5);
  // Content wins over the extension.
  std::filesystem::rename(dir.File("a.npz"), dir.File("renamed.augur"));
  EXPECT_EQ(DetectFormat(dir.File("renamed.augur")), DatasetFormat::kNpz);
  EXPECT_THROW(Save(d, dir.File("a.csv")), ConfigError);
  EXPECT_THROW(Load(dir.File("nope.augur")), NotFoundError);
  EXPECT_THROW(Load(testing::TestDataDir() + "/NOTICE.md"), DataError);
}

TEST(IoTest, LoadKeepsGoodEpisodesOfATornRecordFile) {
  TempDir dir;
  Dataset d = testing::CollectToy(2, 5);
  Save(d, dir.File("t.augur"));
  std::filesystem::resize_file(dir.File("t.augur"), std::filesystem::file_size(dir.File("t.augur")) - 3);
  Dataset back = Load(dir.File("t.augur"));
  EXPECT_EQ(back.num_episodes(), 4);
}

}  // namespace
}  // namespace augur::data
