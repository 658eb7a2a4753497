// Purpose: durable file I/O helpers (see file_io.h), over POSIX calls.
#include "base/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace footfall {

std::string ErrnoText(int err) { return std::strerror(err); }

std::string ErrnoMessage(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + ErrnoText(errno);
}

Status WriteAll(int fd, const void* data, std::size_t size) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t n = write(fd, p, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Fail(ErrnoText(errno));
    }
    p += n;
    size -= static_cast<std::size_t>(n);
  }
  return {};
}

Status MakeDirs(const std::filesystem::path& dir, mode_t mode) {
  if (dir.empty()) return {};
  std::filesystem::path partial;
  for (const auto& part : dir) {
    partial /= part;
    struct stat st {};
    if (stat(partial.c_str(), &st) == 0) {
      if (S_ISDIR(st.st_mode)) continue;
      return Fail(partial.string() + " exists and is not a directory");
    }
    if (mkdir(partial.c_str(), mode) != 0 && errno != EEXIST) {
      return Fail(partial.string() + ": " + ErrnoText(errno));
    }
  }
  struct stat st {};
  if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return Fail(dir.string() + " is not a directory");
  }
  return {};
}

void SyncDirectoryOf(const std::string& file) {
  const std::string dir = std::filesystem::path(file).parent_path().string();
  const int fd = open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  fsync(fd);
  close(fd);
}

Status ReplaceFile(const std::string& path, const void* data, std::size_t size, bool durable,
                   const std::string& what) {
  const std::string tmp = path + ".tmp";
  const std::string named = what.empty() ? "" : what + " ";
  if (unlink(tmp.c_str()) != 0 && errno != ENOENT) {
    return Fail("cannot write " + named + tmp + ": " + ErrnoText(errno));
  }
  const int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return Fail("cannot write " + named + tmp + ": " + ErrnoText(errno));
  Status written = fchmod(fd, 0600) == 0 ? WriteAll(fd, data, size) : Fail(ErrnoText(errno));
  if (written && durable && fdatasync(fd) != 0) written = Fail(ErrnoText(errno));
  if (close(fd) != 0 && written) written = Fail(ErrnoText(errno));
  if (!written) {
    unlink(tmp.c_str());
    return Fail("cannot write " + named + tmp + ": " + written.error());
  }
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    unlink(tmp.c_str());
    return Fail("cannot replace " + named + path + ": " + ErrnoText(err));
  }
  if (durable) SyncDirectoryOf(path);
  return {};
}

}  // namespace footfall
