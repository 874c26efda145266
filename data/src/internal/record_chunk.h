// Internal: encoding of one record chunk (record_format.h).
#pragma once

#include <string>
#include <string_view>

#include "augur/data/record_format.h"
#include "internal/file_util.h"

namespace augur::data::internal {

// length | kind | 3 zero bytes | crc32(first 8 header bytes + payload) | payload
inline std::string EncodeChunk(ChunkKind kind, std::string_view payload) {
  std::string out(kRecordChunkHeaderSize, '\0');
  PutU32(out.data(), static_cast<uint32_t>(payload.size()));
  out[4] = static_cast<char>(kind);
  uint32_t crc = Crc32(0, out.data(), 8);
  crc = Crc32(crc, payload.data(), payload.size());
  PutU32(out.data() + 8, crc);
  out.append(payload);
  return out;
}

inline std::string EncodeFileHeader() {
  std::string out(kRecordFileHeaderSize, '\0');
  std::copy(kRecordMagic.begin(), kRecordMagic.end(), out.begin());
  PutU32(out.data() + 8, kRecordVersion);
  return out;
}

}  // namespace augur::data::internal
