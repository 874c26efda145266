// RecordWriter: writes a record file (record_format.h) episode by episode; appendable while collecting.
#pragma once

#include <memory>
#include <string>

#include "augur/data/dataset.h"
#include "augur/data/episode.h"

namespace augur::data {

struct RecordWriterOptions {
  enum class Mode {
    kCreate,     // new file; throws IoError if the path exists
    kOverwrite,  // new file, replacing any existing one
    kAppend,     // existing file (created if missing): its header must match; a torn tail is cut off first
  };
  Mode mode = Mode::kCreate;
  // fsync after every episode: a crash loses at most the episode in flight. Off = faster, a crash may lose
  // every episode written since the last Flush().
  bool sync_every_episode = true;
  // Obs/action dims and metadata of the file; in kAppend mode they must match the existing header
  // (metadata is taken from the file).
  int64_t obs_dim = 0;
  int64_t action_dim = 0;
  int64_t sim_state_dim = 0;
  DatasetMetadata metadata;
};

class RecordWriter {
 public:
  // Opens `path` as the options say. A new file gets its header written to a temporary file, fsynced and
  // renamed into place, so the path never holds a file without a header.
  RecordWriter(const std::string& path, RecordWriterOptions options);
  ~RecordWriter();
  RecordWriter(const RecordWriter&) = delete;
  RecordWriter& operator=(const RecordWriter&) = delete;

  // Appends one episode as one chunk (and fsyncs, if the options say so). Throws ShapeError on dims that
  // differ from the file's, IoError when the OS refuses the write.
  void Append(const Episode& episode);
  // Appends every episode of a dataset.
  void AppendDataset(const Dataset& dataset);
  // fsyncs what was written so far.
  void Flush();
  // Flushes and closes (a second Close() does nothing); Append() after it throws StateError. The destructor
  // closes too, without throwing.
  void Close();

  const std::string& path() const { return path_; }
  int64_t episodes_written() const { return episodes_written_; }
  // Bytes in the file (including episodes that were there before an append).
  int64_t bytes() const { return bytes_; }
  // Bytes of a torn tail cut off when the file was opened for append (0 if none).
  int64_t truncated_tail_bytes() const { return truncated_tail_bytes_; }

 private:
  std::string path_;
  RecordWriterOptions options_;
  int fd_ = -1;
  int64_t episodes_written_ = 0;
  int64_t bytes_ = 0;
  int64_t truncated_tail_bytes_ = 0;
};

// Writes a whole dataset as a record file atomically (temporary file, fsync, rename).
void WriteRecordFile(const Dataset& dataset, const std::string& path);

}  // namespace augur::data
