// Purpose: the persistent message sequence number. The file holds the last
// value in decimal plus "\n"; each Next() writes <path>.tmp and renames it over
// <path>, so a crash of the process leaves the old or the new value. At most
// once a second (and at Sync/destruction) the data and the rename are also
// flushed to disk, so a power cut loses at most a second of increments: a sync
// per message costs about 7 ms here and capped replays at ~140 windows/s.
#include "transport/sequence_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>

#include "base/file_io.h"

namespace footfall::transport {

namespace {

// Creates `dir` and any missing parents with mode 0700.
void MakeStateDirs(const std::filesystem::path& dir) {
  if (Status made = MakeDirs(dir, 0700); !made) {
    throw std::runtime_error("cannot create state directory " + dir.string() + ": " + made.error());
  }
}

// Reads the whole file; returns false if it does not exist.
bool ReadAll(const std::string& path, std::string& out) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return false;
    throw std::runtime_error("cannot read sequence file " + path + ": " + ErrnoText(errno));
  }
  char buf[256];
  while (true) {
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      close(fd);
      throw std::runtime_error("cannot read sequence file " + path + ": " + ErrnoText(err));
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
    if (out.size() > 64) break;  // far longer than any valid content
  }
  close(fd);
  return true;
}

std::uint64_t ParseValue(const std::string& path, std::string text) {
  if (!text.empty() && text.back() == '\n') text.pop_back();
  const auto corrupt = [&] {
    return std::runtime_error("sequence file " + path +
                              " is corrupt (expected a decimal number and a newline); "
                              "move it away to restart the sequence at 1");
  };
  if (text.empty() || text.size() > 20) throw corrupt();
  std::uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') throw corrupt();
    const std::uint64_t digit = static_cast<std::uint64_t>(c - '0');
    if (value > (UINT64_MAX - digit) / 10) throw corrupt();
    value = value * 10 + digit;
  }
  return value;
}

}  // namespace

SequenceStore::SequenceStore(std::string path) : path_(std::move(path)) {
  if (path_.empty()) throw std::runtime_error("sequence file path is empty");
  const std::filesystem::path dir = std::filesystem::path(path_).parent_path();
  MakeStateDirs(dir);
  std::string text;
  if (ReadAll(path_, text)) last_ = ParseValue(path_, text);
  const std::string check_dir = dir.empty() ? "." : dir.string();
  if (access(check_dir.c_str(), W_OK | X_OK) != 0) {
    throw std::runtime_error("state directory " + check_dir +
                             " is not writable: " + ErrnoText(errno));
  }
}

Status SequenceStore::Advance() {
  if (last_ == UINT64_MAX) throw std::runtime_error("sequence number exhausted");
  ++last_;
  const auto now = std::chrono::steady_clock::now();
  const bool durable = now - last_sync_ >= kSyncInterval;
  Status written = Write(durable);
  if (written && durable) last_sync_ = now;
  return written;
}

Status SequenceStore::Sync() {
  Status written = Write(true);
  if (written) last_sync_ = std::chrono::steady_clock::now();
  return written;
}

// A destructor cannot report: the owner calls Sync() first and logs its failure.
SequenceStore::~SequenceStore() { static_cast<void>(Sync()); }

Status SequenceStore::Write(bool durable) noexcept {
  // Durable: after a power cut the number never goes back (a reused seq
  // would be dropped by consumers as a redelivery).
  const std::string text = std::to_string(last_) + "\n";
  return ReplaceFile(path_, text.data(), text.size(), durable, "sequence file");
}

}  // namespace footfall::transport
