// Purpose: reading secrets from a credential or a mode-checked file (see
// secret_file.h).
#include "daemon/secret_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "hashing/wiping_allocator.h"

namespace footfall::daemon {
namespace {

Status ModeProblem(const struct stat& st) {
  if (!S_ISREG(st.st_mode)) return Fail("not a regular file");
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return Fail(std::string("mode ") + mode +
                " lets other users read or change it; make it readable by footfalld's user only "
                "(chmod 600)");
  }
  return Status::Ok();
}

// The first line of the open file `fd`, without its line ending.
std::string FirstLine(int fd, const std::string& path) {
  std::string text;
  char buf[512];
  for (;;) {
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      hashing::Wipe(buf, sizeof buf);
      throw std::runtime_error("cannot read " + path + ": " + std::strerror(errno));
    }
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    if (text.find('\n') != std::string::npos || text.size() > 64 * 1024) break;
  }
  hashing::Wipe(buf, sizeof buf);
  const auto eol = text.find('\n');
  std::string line = text.substr(0, eol);
  hashing::Wipe(text.data(), text.size());
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

Secret Read(const std::string& path, const std::string& source, bool check_mode) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    const int e = errno;
    close(fd);
    throw std::runtime_error("cannot stat " + path + ": " + std::strerror(e));
  }
  if (check_mode) {
    if (const Status mode = ModeProblem(st); !mode) {
      close(fd);
      throw std::runtime_error(path + ": " + mode.error());
    }
  }
  Secret s;
  try {
    s.value = FirstLine(fd, path);
  } catch (...) {
    close(fd);
    throw;
  }
  close(fd);
  if (s.value.empty()) throw std::runtime_error(path + ": the first line is empty");
  s.source = source;
  return s;
}

}  // namespace

std::optional<Secret> ReadSecret(const char* credential, const std::string& file,
                                 const char* credentials_dir) {
  if (credentials_dir != nullptr && *credentials_dir != '\0') {
    const std::string path = std::string(credentials_dir) + "/" + credential;
    struct stat st {};
    if (stat(path.c_str(), &st) == 0) {
      // systemd keeps credentials readable by the service alone.
      return Read(path, std::string("systemd credential ") + credential, /*check_mode=*/false);
    }
  }
  if (file.empty()) return std::nullopt;
  return Read(file, "file " + file, /*check_mode=*/true);
}

Status CheckSecretFile(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0)
    return Fail(std::string("cannot stat: ") + std::strerror(errno));
  return ModeProblem(st);
}

}  // namespace footfall::daemon
