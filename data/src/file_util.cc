#include "internal/file_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "augur/core/error.h"

namespace augur::data::internal {

void WriteAll(int fd, std::string_view bytes, const std::string& path) {
  const char* p = bytes.data();
  size_t left = bytes.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw IoError(StrCat("writing '", path, "' failed: ", std::strerror(errno),
                           "; check free disk space and permissions"));
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
}

void Sync(int fd, const std::string& path) {
  if (::fsync(fd) != 0) throw IoError(StrCat("fsync of '", path, "' failed: ", std::strerror(errno)));
}

void SyncParentDir(const std::string& path) {
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (parent.empty()) parent = ".";
  const int fd = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

std::string TempPathFor(const std::string& path) {
  static std::atomic<uint64_t> counter{0};
  return StrCat(path, ".tmp.", ::getpid(), ".", counter++);
}

void RenameInto(const std::string& from, const std::string& to) {
  if (std::rename(from.c_str(), to.c_str()) != 0) {
    throw IoError(StrCat("renaming '", from, "' to '", to, "' failed: ", std::strerror(errno)));
  }
  SyncParentDir(to);
}

bool FileExists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

void RequireFile(const std::string& path, const std::string& what) {
  if (!FileExists(path)) {
    throw NotFoundError(StrCat(what, " '", path, "' does not exist; check the path"));
  }
}

uint32_t Crc32(uint32_t crc, const void* data, size_t n) {
  const auto* p = static_cast<const Bytef*>(data);
  while (n > 0) {
    const uInt chunk = static_cast<uInt>(std::min<size_t>(n, 1u << 30));
    crc = static_cast<uint32_t>(::crc32(crc, p, chunk));
    p += chunk;
    n -= chunk;
  }
  return crc;
}

TempFileGuard::~TempFileGuard() {
  if (!path_.empty()) std::remove(path_.c_str());
}

}  // namespace augur::data::internal

namespace augur::data::internal {
void SyncPath(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw IoError(StrCat("cannot open '", path, "' to sync it: ", std::strerror(errno)));
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) throw IoError(StrCat("fsync of '", path, "' failed: ", std::strerror(errno)));
}
}  // namespace augur::data::internal
