// RecordReader: streams the episodes of a record file (record_format.h), detecting torn tails and corruption.
#pragma once

#include <cstdint>
#include <fstream>
#include <optional>
#include <string>

#include "augur/data/dataset.h"
#include "augur/data/episode.h"

namespace augur::data {

// What went wrong in a file, and where. `ok()` when the file was read to its end without a problem.
struct RecordReport {
  int64_t good_episodes = 0;    // episodes read before the problem (they are returned)
  int64_t good_bytes = 0;       // byte offset where the good part ends (= file size when ok)
  int64_t file_bytes = 0;       // size of the file
  std::string problem;          // empty when ok; otherwise what, where (byte offset) and the fix
  bool torn_tail = false;       // the problem is an incomplete last chunk (a writer killed mid-write)

  bool ok() const { return problem.empty(); }
};

struct RecordReaderOptions {
  // Throw DataError at the first torn or corrupt chunk (naming path and offset). Off = stop there, keep the
  // episodes before it and describe the problem in report(). Reading never skips over a bad chunk: the
  // episodes after it are not returned (a corrupt length leaves no safe place to resume).
  bool strict = false;
  // Check every episode's values for NaN/Inf; an episode holding one is a bad chunk as above (named by
  // episode, field, step and dim).
  bool check_finite = true;
};

class RecordReader {
 public:
  // Opens the file and reads its header. Throws NotFoundError if it is missing, DataError (always, strict
  // or not) when the magic, version or header chunk is wrong: without a header there is nothing to keep.
  explicit RecordReader(const std::string& path, RecordReaderOptions options = {});

  const DatasetMetadata& metadata() const { return metadata_; }
  int64_t obs_dim() const { return obs_dim_; }
  int64_t action_dim() const { return action_dim_; }
  int64_t sim_state_dim() const { return sim_state_dim_; }

  // Reads the next episode into *episode. Returns false at the end of the file or at the first bad chunk
  // (then report() says what and where; in strict mode it throws DataError instead).
  bool Next(Episode* episode);
  const RecordReport& report() const { return report_; }

  // Reads every good episode into a Dataset; the report (if given) says whether anything was dropped.
  Dataset ReadAll(RecordReport* report = nullptr);

 private:
  bool Fail(int64_t offset, const std::string& what, bool torn_tail);
  // Whether a complete, checksum-valid episode chunk starts somewhere after `offset` (or the tail is too
  // large to scan, which counts as yes: never mistake corruption for a torn tail).
  bool ValidChunkAfter(int64_t offset);

  std::string path_;
  RecordReaderOptions options_;
  std::ifstream in_;
  DatasetMetadata metadata_;
  int64_t obs_dim_ = 0, action_dim_ = 0, sim_state_dim_ = 0;
  int64_t offset_ = 0;
  bool done_ = false;
  RecordReport report_;
};

// Reads a record file into a Dataset (lenient: keeps the good episodes; `report` says what was dropped).
Dataset ReadRecordFile(const std::string& path, RecordReport* report = nullptr,
                       RecordReaderOptions options = {});

}  // namespace augur::data
