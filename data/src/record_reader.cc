#include "augur/data/record_reader.h"

#include <cmath>
#include <cstring>

#include "augur/core/error.h"
#include "augur/data/dataset_builder.h"
#include "augur/data/proto_convert.h"
#include "augur/data/record_format.h"
#include "internal/file_util.h"

namespace augur::data {
namespace {

std::string Hex(const char* p, size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(p[i]);
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

// The first non-finite value of an episode: "field 'rewards' step 3" or empty.
std::string FirstNonFinite(const Episode& ep) {
  auto scan = [](const std::vector<float>& v, int64_t dim, const char* name) -> std::string {
    for (size_t i = 0; i < v.size(); ++i) {
      if (!std::isfinite(v[i])) {
        return StrCat(std::isnan(v[i]) ? "NaN" : "Inf", " in field '", name, "' at step ", i / dim, ", dim ",
                      i % dim);
      }
    }
    return {};
  };
  for (auto s : {scan(ep.observations, ep.obs_dim, "observations"), scan(ep.actions, ep.action_dim, "actions"),
                 scan(ep.rewards, 1, "rewards"), scan(ep.next_observations, ep.obs_dim, "next_observations"),
                 scan(ep.sim_states, std::max<int64_t>(ep.sim_state_dim, 1), "sim_states")}) {
    if (!s.empty()) return s;
  }
  return {};
}

}  // namespace

RecordReader::RecordReader(const std::string& path, RecordReaderOptions options)
    : path_(path), options_(options) {
  internal::RequireFile(path, "record file");
  in_.open(path, std::ios::binary);
  if (!in_) throw IoError(StrCat("cannot open record file '", path, "' for reading: ", std::strerror(errno)));
  in_.seekg(0, std::ios::end);
  report_.file_bytes = static_cast<int64_t>(in_.tellg());
  in_.seekg(0);
  char head[kRecordFileHeaderSize];
  if (report_.file_bytes < kRecordFileHeaderSize || !in_.read(head, kRecordFileHeaderSize)) {
    throw DataError(StrCat("record file '", path, "' is ", report_.file_bytes, " bytes, shorter than the ",
                           kRecordFileHeaderSize, "-byte file header: it is empty, truncated or not a record file"));
  }
  if (std::memcmp(head, kRecordMagic.data(), kRecordMagic.size()) != 0) {
    throw DataError(StrCat("record file '", path, "': wrong magic at byte offset 0 (found 0x", Hex(head, 8),
                           ", expected \"AUGURREC\"): not an augur record file; use augur::data::Load() for "
                           ".npz and .hdf5 files"));
  }
  const uint32_t version = internal::GetU32(head + 8);
  if (version != kRecordVersion) {
    throw DataError(StrCat("record file '", path, "': format version ", version, " at byte offset 8, but this "
                           "build reads version ", kRecordVersion, "; use a matching augur version"));
  }
  offset_ = kRecordFileHeaderSize;
  // The header chunk: without it nothing can be read, so any problem here throws.
  char ch[kRecordChunkHeaderSize];
  const int64_t remaining = report_.file_bytes - offset_;
  if (remaining < kRecordChunkHeaderSize || !in_.read(ch, kRecordChunkHeaderSize)) {
    throw DataError(StrCat("record file '", path, "': the header chunk at byte offset ", offset_,
                           " is missing or torn (", remaining, " bytes left); the file holds no usable data"));
  }
  const uint32_t length = internal::GetU32(ch);
  if (static_cast<ChunkKind>(ch[4]) != ChunkKind::kHeader || length > kRecordMaxChunkBytes ||
      length > remaining - kRecordChunkHeaderSize) {
    throw DataError(StrCat("record file '", path, "': the header chunk at byte offset ", offset_,
                           " is corrupt (kind ", static_cast<int>(static_cast<unsigned char>(ch[4])), ", length ",
                           length, ", ", remaining, " bytes left)"));
  }
  std::string payload(length, '\0');
  in_.read(payload.data(), length);
  uint32_t crc = internal::Crc32(0, ch, 8);
  crc = internal::Crc32(crc, payload.data(), payload.size());
  proto::DatasetHeader header;
  if (crc != internal::GetU32(ch + 8) || !header.ParseFromString(payload) || header.magic() != "augur.dataset") {
    throw DataError(StrCat("record file '", path, "': the header chunk at byte offset ", offset_,
                           " fails its checksum or does not parse; the file is corrupt"));
  }
  metadata_ = FromProto(header);
  obs_dim_ = header.observation_dim();
  action_dim_ = header.action_dim();
  sim_state_dim_ = header.sim_state_dim();
  if (obs_dim_ < 1 || action_dim_ < 1 || sim_state_dim_ < 0) {
    throw DataError(StrCat("record file '", path, "': header says obs dim ", obs_dim_, ", action dim ",
                           action_dim_, "; both must be >= 1"));
  }
  offset_ += kRecordChunkHeaderSize + length;
  report_.good_bytes = offset_;
}

bool RecordReader::ValidChunkAfter(int64_t offset) {
  constexpr int64_t kMaxProbeBytes = int64_t{64} << 20;
  const int64_t remaining = report_.file_bytes - offset;
  if (remaining > kMaxProbeBytes) return true;  // too much to scan: treat as corruption, never as a torn tail
  std::string tail(static_cast<size_t>(remaining), '\0');
  in_.clear();
  in_.seekg(offset);
  if (!in_.read(tail.data(), remaining)) return true;
  for (int64_t p = 1; p + kRecordChunkHeaderSize <= remaining; ++p) {
    const char* h = tail.data() + p;
    if (static_cast<ChunkKind>(h[4]) != ChunkKind::kEpisode || h[5] || h[6] || h[7]) continue;
    const uint32_t length = internal::GetU32(h);
    if (p + kRecordChunkHeaderSize + static_cast<int64_t>(length) > remaining) continue;
    uint32_t crc = internal::Crc32(0, h, 8);
    crc = internal::Crc32(crc, h + kRecordChunkHeaderSize, length);
    if (crc == internal::GetU32(h + 8)) return true;
  }
  return false;
}

bool RecordReader::Fail(int64_t offset, const std::string& what, bool torn_tail) {
  done_ = true;
  report_.torn_tail = torn_tail;
  report_.problem = StrCat("record file '", path_, "': ", what, " at byte offset ", offset, " (", report_.file_bytes,
                           "-byte file); the ", report_.good_episodes,
                           " episodes before it are intact. ",
                           torn_tail ? "A writer was probably killed mid-write: reopen the file in append mode to "
                                       "cut the torn tail, or ignore it."
                                     : "The file is corrupt from there on: re-collect or restore those episodes.");
  if (options_.strict) throw DataError(report_.problem);
  return false;
}

bool RecordReader::Next(Episode* episode) {
  if (done_) return false;
  const int64_t remaining = report_.file_bytes - offset_;
  if (remaining == 0) {
    done_ = true;
    return false;
  }
  if (remaining < kRecordChunkHeaderSize) {
    return Fail(offset_, StrCat("torn chunk header (", remaining, " of ", kRecordChunkHeaderSize, " bytes)"), true);
  }
  char ch[kRecordChunkHeaderSize];
  in_.seekg(offset_);
  if (!in_.read(ch, kRecordChunkHeaderSize)) return Fail(offset_, "read error in chunk header", false);
  const uint32_t length = internal::GetU32(ch);
  if (length > kRecordMaxChunkBytes) {
    return Fail(offset_, StrCat("chunk claims ", length, " bytes, more than the ", kRecordMaxChunkBytes,
                                "-byte limit (corrupt length)"),
                false);
  }
  if (static_cast<int64_t>(length) > remaining - kRecordChunkHeaderSize) {
    // A killed writer leaves a prefix of one chunk; a complete valid chunk further on means the length
    // itself is corrupt, and the bytes after it must not be cut off as a torn tail.
    const bool torn = !ValidChunkAfter(offset_);
    return Fail(offset_,
                StrCat(torn ? "torn chunk" : "corrupt chunk length", ": it claims ", length, " bytes but only ",
                       remaining - kRecordChunkHeaderSize, " remain",
                       torn ? "" : " and a valid chunk follows later"),
                torn);
  }
  std::string payload(length, '\0');
  if (!in_.read(payload.data(), length)) return Fail(offset_, "read error in chunk payload", false);
  uint32_t crc = internal::Crc32(0, ch, 8);
  crc = internal::Crc32(crc, payload.data(), payload.size());
  if (crc != internal::GetU32(ch + 8)) {
    return Fail(offset_, StrCat("checksum mismatch in a ", length, "-byte chunk (stored 0x", Hex(ch + 8, 4),
                                ", computed crc32 ", crc, ")"),
                offset_ + kRecordChunkHeaderSize + static_cast<int64_t>(length) == report_.file_bytes);
  }
  if (static_cast<ChunkKind>(ch[4]) != ChunkKind::kEpisode) {
    return Fail(offset_, StrCat("unexpected chunk kind ", static_cast<int>(static_cast<unsigned char>(ch[4])),
                                " (episodes have kind ", static_cast<int>(ChunkKind::kEpisode), ")"),
                false);
  }
  proto::Episode msg;
  if (!msg.ParseFromString(payload)) return Fail(offset_, "episode chunk does not parse", false);
  try {
    *episode = FromProto(msg, obs_dim_, action_dim_, sim_state_dim_);
  } catch (const DataError& e) {
    return Fail(offset_, e.what(), false);
  }
  if (options_.check_finite) {
    const std::string bad = FirstNonFinite(*episode);
    if (!bad.empty()) return Fail(offset_, StrCat("episode ", episode->episode_id, ": ", bad), false);
  }
  offset_ += kRecordChunkHeaderSize + static_cast<int64_t>(length);
  report_.good_bytes = offset_;
  ++report_.good_episodes;
  return true;
}

Dataset RecordReader::ReadAll(RecordReport* report) {
  std::vector<Episode> episodes;
  Episode ep;
  while (Next(&ep)) episodes.push_back(std::move(ep));
  if (report) *report = report_;
  Dataset out = FromEpisodes(episodes, obs_dim_, action_dim_, metadata_);
  if (sim_state_dim_ > 0 && out.sim_state_dim() == 0 && out.size() > 0) {
    AUGUR_CHECK(false) << "sim states lost";
  }
  return out;
}

Dataset ReadRecordFile(const std::string& path, RecordReport* report, RecordReaderOptions options) {
  RecordReader reader(path, options);
  return reader.ReadAll(report);
}

}  // namespace augur::data
