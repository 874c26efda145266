#include <ATen/ATen.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <limits>
#include <thread>

#include "augur/core/error.h"
#include "augur/data/npz.h"
#include "augur/data/record_format.h"
#include "augur/data/record_reader.h"
#include "augur/data/record_writer.h"
#include "test_util.h"

namespace augur::data {
namespace {

using ::testing::HasSubstr;
using testing::CollectToy;
using testing::SameData;
using testing::TempDir;
using testing::ToyEpisode;

RecordWriterOptions ToyOptions(RecordWriterOptions::Mode mode = RecordWriterOptions::Mode::kCreate) {
  RecordWriterOptions o;
  o.mode = mode;
  o.obs_dim = 3;
  o.action_dim = 2;
  o.metadata = testing::ToyMetadata();
  return o;
}

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}
void WriteBytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Writes `n` toy episodes and returns the byte offset where each episode chunk starts (plus the file end).
std::vector<int64_t> WriteToy(const std::string& path, int n) {
  RecordWriter w(path, ToyOptions());
  std::vector<int64_t> offsets;
  for (int i = 0; i < n; ++i) {
    offsets.push_back(w.bytes());
    w.Append(ToyEpisode(9, i));
  }
  offsets.push_back(w.bytes());
  return offsets;
}

TEST(RecordTest, CollectWriteReadIsIdentical) {
  TempDir dir;
  Dataset d = CollectToy(11, 12, testing::ToyMetadata());
  const std::string path = dir.File("toy.augur");
  WriteRecordFile(d, path);
  RecordReport report;
  Dataset back = ReadRecordFile(path, &report);
  EXPECT_TRUE(report.ok()) << report.problem;
  EXPECT_EQ(report.good_episodes, 12);
  EXPECT_TRUE(SameData(d, back));
  EXPECT_EQ(d.Digest(), back.Digest());
  EXPECT_TRUE(back.metadata() == d.metadata());
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
}

TEST(RecordTest, StreamingWriterAndReaderAgree) {
  TempDir dir;
  const std::string path = dir.File("stream.augur");
  WriteToy(path, 5);
  RecordReader reader(path);
  EXPECT_EQ(reader.obs_dim(), 3);
  EXPECT_EQ(reader.metadata().behaviour_policy, "uniform-random");
  Episode ep;
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(reader.Next(&ep));
    EXPECT_EQ(ep, ToyEpisode(9, i));
  }
  EXPECT_FALSE(reader.Next(&ep));
  EXPECT_TRUE(reader.report().ok());
}

TEST(RecordTest, NonShiftedNextObservationsAndSimStatesRoundTrip) {
  TempDir dir;
  const std::string path = dir.File("sim.augur");
  RecordWriterOptions o = ToyOptions();
  o.sim_state_dim = 4;
  Episode ep = ToyEpisode(1, 1, 20, 4);
  ep.next_observations[0] += 1.f;  // next_obs[0] != obs[1]: stored in full
  {
    RecordWriter w(path, o);
    w.Append(ep);
    w.Append(ToyEpisode(1, 2, 20, 4));
  }
  RecordReader reader(path);
  Episode got;
  ASSERT_TRUE(reader.Next(&got));
  EXPECT_EQ(got, ep);
  Dataset d = ReadRecordFile(path);
  EXPECT_EQ(d.sim_state_dim(), 4);
}

TEST(RecordTest, AppendModeAddsEpisodes) {
  TempDir dir;
  const std::string path = dir.File("append.augur");
  WriteToy(path, 3);
  EXPECT_THROW(RecordWriter(path, ToyOptions()), IoError);  // kCreate refuses an existing file
  {
    RecordWriter w(path, ToyOptions(RecordWriterOptions::Mode::kAppend));
    w.Append(ToyEpisode(9, 3));
  }
  RecordReport report;
  Dataset d = ReadRecordFile(path, &report);
  EXPECT_TRUE(report.ok());
  EXPECT_EQ(d.num_episodes(), 4);
  RecordWriterOptions wrong = ToyOptions(RecordWriterOptions::Mode::kAppend);
  wrong.obs_dim = 5;
  EXPECT_THROW(RecordWriter(path, wrong), ShapeError);
}

TEST(RecordTest, TruncatedFileKeepsEarlierEpisodesAndNamesOffset) {
  TempDir dir;
  const std::string path = dir.File("torn.augur");
  std::vector<int64_t> off = WriteToy(path, 4);
  std::string bytes = ReadBytes(path);
  // Cut in the middle of the last episode's payload.
  const int64_t cut = off[3] + 20;
  WriteBytes(path, bytes.substr(0, cut));
  RecordReport report;
  Dataset d = ReadRecordFile(path, &report);
  EXPECT_EQ(d.num_episodes(), 3);
  EXPECT_FALSE(report.ok());
  EXPECT_TRUE(report.torn_tail);
  EXPECT_EQ(report.good_bytes, off[3]);
  EXPECT_THAT(report.problem, HasSubstr(StrCat("at byte offset ", off[3])));
  EXPECT_THAT(report.problem, HasSubstr("torn chunk"));
  // Strict mode throws a DataError naming the path and the offset.
  try {
    ReadRecordFile(path, nullptr, {.strict = true});
    FAIL();
  } catch (const DataError& e) {
    EXPECT_THAT(e.what(), HasSubstr(path));
    EXPECT_THAT(e.what(), HasSubstr(StrCat("byte offset ", off[3])));
  }
  // Cut inside a chunk header.
  WriteBytes(path, bytes.substr(0, off[2] + 5));
  d = ReadRecordFile(path, &report);
  EXPECT_EQ(d.num_episodes(), 2);
  EXPECT_THAT(report.problem, HasSubstr("torn chunk header"));
  // Appending cuts the torn tail and continues.
  {
    RecordWriter w(path, ToyOptions(RecordWriterOptions::Mode::kAppend));
    EXPECT_EQ(w.truncated_tail_bytes(), 5);
    w.Append(ToyEpisode(9, 2));
  }
  d = ReadRecordFile(path, &report);
  EXPECT_TRUE(report.ok()) << report.problem;
  EXPECT_EQ(d.num_episodes(), 3);
}

TEST(RecordTest, FlippedByteIsDetectedWithOffset) {
  TempDir dir;
  const std::string path = dir.File("flip.augur");
  std::vector<int64_t> off = WriteToy(path, 4);
  const std::string clean = ReadBytes(path);
  // Flip one byte in the payload, then in the length field, of episode 2.
  for (int64_t where : {off[2] + kRecordChunkHeaderSize + 17, off[2] + 1, off[2] + 4, off[2] + 9}) {
    std::string bytes = clean;
    bytes[where] ^= 0x20;
    WriteBytes(path, bytes);
    RecordReport report;
    Dataset d = ReadRecordFile(path, &report);
    EXPECT_EQ(d.num_episodes(), 2) << "flip at " << where;
    EXPECT_FALSE(report.ok());
    EXPECT_EQ(report.good_bytes, off[2]);
    EXPECT_FALSE(report.torn_tail) << "flip at " << where << ": " << report.problem;
    EXPECT_THAT(report.problem, HasSubstr(StrCat("byte offset ", off[2])));
    EXPECT_THROW(ReadRecordFile(path, nullptr, {.strict = true}), DataError);
  }
  // A length flipped so that it overshoots the file is corruption too, since a valid chunk follows.
  std::string bytes = clean;
  bytes[off[1] + 2] ^= 0x10;
  WriteBytes(path, bytes);
  RecordReport report;
  EXPECT_EQ(ReadRecordFile(path, &report).num_episodes(), 1);
  EXPECT_FALSE(report.torn_tail);
  EXPECT_THAT(report.problem, HasSubstr("corrupt chunk length"));
  EXPECT_THROW(RecordWriter(path, ToyOptions(RecordWriterOptions::Mode::kAppend)), DataError);
  // A corrupt chunk in the middle is not a torn tail: appending refuses instead of destroying data.
  bytes = clean;
  bytes[off[1] + kRecordChunkHeaderSize + 3] ^= 1;
  WriteBytes(path, bytes);
  EXPECT_THROW(RecordWriter(path, ToyOptions(RecordWriterOptions::Mode::kAppend)), DataError);
}

TEST(RecordTest, WrongMagicVersionOrHeaderIsAClearError) {
  TempDir dir;
  const std::string path = dir.File("magic.augur");
  WriteToy(path, 2);
  const std::string clean = ReadBytes(path);
  std::string bytes = clean;
  bytes[0] = 'X';
  WriteBytes(path, bytes);
  try {
    RecordReader r(path);
    FAIL();
  } catch (const DataError& e) {
    EXPECT_THAT(e.what(), HasSubstr("wrong magic at byte offset 0"));
  }
  bytes = clean;
  bytes[8] = 7;  // version 7
  WriteBytes(path, bytes);
  try {
    RecordReader r(path);
    FAIL();
  } catch (const DataError& e) {
    EXPECT_THAT(e.what(), HasSubstr("format version 7 at byte offset 8"));
  }
  bytes = clean;
  bytes[kRecordFileHeaderSize + kRecordChunkHeaderSize + 2] ^= 0x40;  // the header chunk
  WriteBytes(path, bytes);
  EXPECT_THROW(RecordReader r(path), DataError);
  WriteBytes(path, clean.substr(0, 10));
  EXPECT_THROW(RecordReader r(path), DataError);
  EXPECT_THROW(RecordReader r(dir.File("missing.augur")), NotFoundError);
}

TEST(RecordTest, NaNEpisodeIsReportedAndEarlierEpisodesKept) {
  TempDir dir;
  const std::string path = dir.File("nan.augur");
  {
    RecordWriter w(path, ToyOptions());
    w.Append(ToyEpisode(9, 0));
    Episode bad = ToyEpisode(9, 1);
    bad.rewards[3] = std::numeric_limits<float>::quiet_NaN();
    w.Append(bad);
    w.Append(ToyEpisode(9, 2));
  }
  RecordReport report;
  Dataset d = ReadRecordFile(path, &report);
  EXPECT_EQ(d.num_episodes(), 1);
  EXPECT_THAT(report.problem, HasSubstr("NaN in field 'rewards' at step 3"));
  EXPECT_THROW(ReadRecordFile(path, nullptr, {.strict = true}), DataError);
}

TEST(RecordTest, WrongShapesAreRejected) {
  TempDir dir;
  const std::string path = dir.File("shape.augur");
  RecordWriter w(path, ToyOptions());
  Episode ep = ToyEpisode(9, 0);
  ep.actions.pop_back();
  try {
    w.Append(ep);
    FAIL();
  } catch (const ShapeError& e) {
    EXPECT_THAT(e.what(), HasSubstr("'actions'"));
  }
  Episode other = ToyEpisode(9, 0);
  other.obs_dim = 1;
  other.observations.resize(other.length());
  other.next_observations.resize(other.length());
  EXPECT_THROW(w.Append(other), ShapeError);
  w.Close();
  EXPECT_THROW(w.Append(ToyEpisode(9, 0)), StateError);
}

// A collector process killed with SIGKILL mid-run leaves a file whose complete episodes all load.
TEST(RecordTest, WriterKilledBySigkillLeavesLoadableFile) {
  TempDir dir;
  const std::string path = dir.File("killed.augur");
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // Child: append episodes forever (no tensors here: only the writer and plain vectors).
    try {
      RecordWriter w(path, ToyOptions());
      for (int64_t i = 0;; ++i) w.Append(ToyEpisode(21, i, 400));
    } catch (...) {
    }
    ::_exit(3);
  }
  // Parent: wait until a good number of episodes are on disk, then kill the writer mid-run.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    std::error_code ec;
    if (std::filesystem::file_size(path, ec) > 200 * 1024 && !ec) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_EQ(::kill(child, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the writer exited on its own with status " << status;
  RecordReport report;
  RecordReader reader(path);
  Episode ep;
  int64_t n = 0;
  while (reader.Next(&ep)) {
    ASSERT_EQ(ep, ToyEpisode(21, n, 400)) << "episode " << n;
    ++n;
  }
  report = reader.report();
  EXPECT_GT(n, 5);
  // Either the kill fell between two chunks (clean) or it left one torn chunk at the tail.
  EXPECT_TRUE(report.ok() || report.torn_tail) << report.problem;
  EXPECT_EQ(report.good_episodes, n);
}

}  // namespace
}  // namespace augur::data

namespace augur::data {
namespace {

// Record files keep an incomplete episode (neither terminal nor time-out) in the middle; flat layouts
// (npz) turn its end into a time-out so the boundary survives.
TEST(RecordTest, IncompleteEpisodeInTheMiddleSurvives) {
  TempDir dir;
  std::vector<Episode> eps = {ToyEpisode(3, 0), ToyEpisode(3, 1), ToyEpisode(3, 2)};
  eps[1].terminal = eps[1].truncated = false;
  Dataset d = FromEpisodes(eps, 3, 2);
  EXPECT_EQ(d.num_episodes(), 3);
  WriteRecordFile(d, dir.File("inc.augur"));
  Dataset back = ReadRecordFile(dir.File("inc.augur"));
  EXPECT_TRUE(SameData(d, back));
  ExportNpz(d, dir.File("inc.npz"));
  Dataset flat = ImportNpz(dir.File("inc.npz"));
  EXPECT_EQ(flat.episode_starts(), d.episode_starts());
  EXPECT_TRUE(flat.timeouts()[d.EpisodeEnd(1) - 1].item<bool>());
}

}  // namespace
}  // namespace augur::data
