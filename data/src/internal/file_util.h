// Internal POSIX file helpers: whole writes, fsync, atomic replace, little-endian integers, crc32.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace augur::data::internal {

// Writes all bytes (retrying short writes and EINTR); throws IoError naming `path` on failure.
void WriteAll(int fd, std::string_view bytes, const std::string& path);
// fsync; throws IoError naming `path`.
void Sync(int fd, const std::string& path);
// fsyncs the directory holding `path` so that a rename or create in it is durable (best effort).
void SyncParentDir(const std::string& path);
// A temporary path next to `path` unique to this process and call.
std::string TempPathFor(const std::string& path);
// rename(from, to) then SyncParentDir(to); throws IoError.
void RenameInto(const std::string& from, const std::string& to);
bool FileExists(const std::string& path);
// Throws NotFoundError "<what> '<path>' does not exist" when the path is missing.
void RequireFile(const std::string& path, const std::string& what);

uint32_t Crc32(uint32_t crc, const void* data, size_t n);

inline void PutU32(char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>((v >> (8 * i)) & 0xff);
}
inline uint32_t GetU32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  return v;
}

// Removes a temporary file in its destructor unless Release() was called.
class TempFileGuard {
 public:
  explicit TempFileGuard(std::string path) : path_(std::move(path)) {}
  ~TempFileGuard();
  void Release() { path_.clear(); }

 private:
  std::string path_;
};

}  // namespace augur::data::internal

namespace augur::data::internal {
// Opens `path` and fsyncs it (for files written by libraries that do not, before a rename).
void SyncPath(const std::string& path);
}  // namespace augur::data::internal
