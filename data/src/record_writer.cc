#include "augur/data/record_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "augur/core/error.h"
#include "augur/data/dataset_builder.h"
#include "augur/data/proto_convert.h"
#include "augur/data/record_format.h"
#include "augur/data/record_reader.h"
#include "internal/file_util.h"
#include "internal/record_chunk.h"

namespace augur::data {
namespace {

// Writes file header + header chunk to a temporary file, fsyncs it, and moves it to `path` (no-clobber when
// `exclusive`). The path never holds a file without a complete header.
void CreateWithHeader(const std::string& path, const RecordWriterOptions& o, bool exclusive) {
  const std::string tmp = internal::TempPathFor(path);
  internal::TempFileGuard guard(tmp);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    throw IoError(StrCat("cannot create record file '", path, "' (temporary '", tmp, "'): ", std::strerror(errno)));
  }
  std::string bytes = internal::EncodeFileHeader();
  std::string payload;
  proto::DatasetHeader header = ToProtoHeader(o.metadata, o.obs_dim, o.action_dim, o.sim_state_dim);
  header.set_created_unix_seconds(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  header.SerializeToString(&payload);
  bytes += internal::EncodeChunk(ChunkKind::kHeader, payload);
  try {
    internal::WriteAll(fd, bytes, tmp);
    internal::Sync(fd, tmp);
  } catch (...) {
    ::close(fd);
    throw;
  }
  ::close(fd);
  if (exclusive) {
    if (::link(tmp.c_str(), path.c_str()) != 0) {
      if (errno == EEXIST) {
        throw IoError(StrCat("record file '", path, "' already exists; use Mode::kAppend to add episodes or ",
                             "Mode::kOverwrite to replace it"));
      }
      throw IoError(StrCat("cannot create record file '", path, "': ", std::strerror(errno)));
    }
    internal::SyncParentDir(path);
  } else {
    internal::RenameInto(tmp, path);
    guard.Release();
  }
}

}  // namespace

RecordWriter::RecordWriter(const std::string& path, RecordWriterOptions options)
    : path_(path), options_(std::move(options)) {
  using Mode = RecordWriterOptions::Mode;
  const bool exists = internal::FileExists(path);
  if (options_.mode == Mode::kAppend && exists) {
    // Scan what is there: the header must match, a torn tail is cut off, corruption elsewhere refuses.
    RecordReaderOptions ro;
    ro.check_finite = false;
    RecordReader reader(path, ro);
    Episode ep;
    int64_t n = 0;
    while (reader.Next(&ep)) ++n;
    const RecordReport& report = reader.report();
    if (!report.ok() && !report.torn_tail) {
      throw DataError(StrCat("cannot append to '", path, "': ", report.problem));
    }
    if ((options_.obs_dim && options_.obs_dim != reader.obs_dim()) ||
        (options_.action_dim && options_.action_dim != reader.action_dim()) ||
        (options_.sim_state_dim && options_.sim_state_dim != reader.sim_state_dim())) {
      throw ShapeError(StrCat("cannot append to '", path, "': it holds obs/action/sim dims ", reader.obs_dim(), "/",
                              reader.action_dim(), "/", reader.sim_state_dim(), " but the writer was given ",
                              options_.obs_dim, "/", options_.action_dim, "/", options_.sim_state_dim));
    }
    options_.obs_dim = reader.obs_dim();
    options_.action_dim = reader.action_dim();
    options_.sim_state_dim = reader.sim_state_dim();
    options_.metadata = reader.metadata();
    fd_ = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd_ < 0) throw IoError(StrCat("cannot open '", path, "' for appending: ", std::strerror(errno)));
    if (report.torn_tail) {
      truncated_tail_bytes_ = report.file_bytes - report.good_bytes;
      if (::ftruncate(fd_, report.good_bytes) != 0) {
        const int err = errno;
        ::close(fd_);
        fd_ = -1;
        throw IoError(StrCat("cannot cut the torn tail of '", path, "': ", std::strerror(err)));
      }
      internal::Sync(fd_, path);
    }
    if (::lseek(fd_, report.good_bytes, SEEK_SET) < 0) {
      throw IoError(StrCat("cannot seek in '", path, "': ", std::strerror(errno)));
    }
    bytes_ = report.good_bytes;
    return;
  }
  if (options_.obs_dim < 1 || options_.action_dim < 1 || options_.sim_state_dim < 0) {
    throw ConfigError(StrCat("RecordWriter for '", path, "': obs_dim ", options_.obs_dim, " and action_dim ",
                             options_.action_dim, " must be >= 1 (sim_state_dim ", options_.sim_state_dim,
                             " >= 0)"));
  }
  CreateWithHeader(path, options_, options_.mode == Mode::kCreate);
  fd_ = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd_ < 0) throw IoError(StrCat("cannot open '", path, "' for writing: ", std::strerror(errno)));
  bytes_ = ::lseek(fd_, 0, SEEK_END);
}

RecordWriter::~RecordWriter() {
  if (fd_ >= 0) {
    ::fsync(fd_);
    ::close(fd_);
  }
}

void RecordWriter::Append(const Episode& episode) {
  if (fd_ < 0) throw StateError(StrCat("RecordWriter for '", path_, "' is closed"));
  episode.CheckShapes();
  if (episode.obs_dim != options_.obs_dim || episode.action_dim != options_.action_dim ||
      episode.sim_state_dim != options_.sim_state_dim) {
    throw ShapeError(StrCat("episode ", episode.episode_id, " has obs/action/sim dims ", episode.obs_dim, "/",
                            episode.action_dim, "/", episode.sim_state_dim, " but record file '", path_, "' holds ",
                            options_.obs_dim, "/", options_.action_dim, "/", options_.sim_state_dim));
  }
  std::string payload;
  ToProto(episode).SerializeToString(&payload);
  if (payload.size() > kRecordMaxChunkBytes) {
    throw ConfigError(StrCat("episode ", episode.episode_id, " serializes to ", payload.size(),
                             " bytes, above the record chunk limit of ", kRecordMaxChunkBytes, "; split it"));
  }
  const std::string chunk = internal::EncodeChunk(ChunkKind::kEpisode, payload);
  internal::WriteAll(fd_, chunk, path_);
  if (options_.sync_every_episode) internal::Sync(fd_, path_);
  bytes_ += static_cast<int64_t>(chunk.size());
  ++episodes_written_;
}

void RecordWriter::AppendDataset(const Dataset& dataset) {
  for (int64_t e = 0; e < dataset.num_episodes(); ++e) Append(GetEpisode(dataset, e));
}

void RecordWriter::Flush() {
  if (fd_ >= 0) internal::Sync(fd_, path_);
}

void RecordWriter::Close() {
  if (fd_ < 0) return;
  const int fd = fd_;
  fd_ = -1;
  internal::Sync(fd, path_);
  ::close(fd);
}

void WriteRecordFile(const Dataset& dataset, const std::string& path) {
  const std::string tmp = internal::TempPathFor(path);
  internal::TempFileGuard guard(tmp);
  RecordWriterOptions o;
  o.mode = RecordWriterOptions::Mode::kOverwrite;
  o.sync_every_episode = false;
  o.obs_dim = dataset.obs_dim();
  o.action_dim = dataset.action_dim();
  o.sim_state_dim = dataset.sim_state_dim();
  o.metadata = dataset.metadata();
  {
    RecordWriter writer(tmp, o);
    writer.AppendDataset(dataset);
    writer.Close();
  }
  internal::RenameInto(tmp, path);
  guard.Release();
}

}  // namespace augur::data
