// The record file format (.augur), version 1. All integers little-endian.
//
//   file   := file_header chunk*
//   file_header (16 bytes) := magic "AUGURREC" (8 bytes) | u32 version | u32 reserved (0)
//   chunk  := u32 payload_length | u8 kind | u8[3] reserved (0) | u32 crc32 | payload
//
// crc32 (zlib polynomial) covers the first 8 bytes of the chunk header and the payload, so a flipped bit in a
// length, a kind or a payload is detected. The first chunk has kind kHeader and holds a DatasetHeader
// message; every later chunk has kind kEpisode and holds one Episode message. Writers append a whole chunk
// with one write() and fsync it, so a process killed mid-write leaves at most one torn chunk at the tail.
#pragma once

#include <array>
#include <cstdint>

namespace augur::data {

inline constexpr std::array<char, 8> kRecordMagic = {'A', 'U', 'G', 'U', 'R', 'R', 'E', 'C'};
inline constexpr uint32_t kRecordVersion = 1;
inline constexpr int64_t kRecordFileHeaderSize = 16;
inline constexpr int64_t kRecordChunkHeaderSize = 12;
// A chunk larger than this is treated as corrupt (a flipped length byte), not as a request to allocate it.
inline constexpr uint32_t kRecordMaxChunkBytes = 1u << 30;

enum class ChunkKind : uint8_t { kHeader = 1, kEpisode = 2 };

}  // namespace augur::data
