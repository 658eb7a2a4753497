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

namespace footfall::transport {

namespace {

std::string Errno(int err) { return std::strerror(err); }

// Creates `dir` and any missing parents with mode 0700.
void MakeDirs(const std::filesystem::path& dir) {
  if (dir.empty()) return;
  std::filesystem::path partial;
  for (const auto& part : dir) {
    partial /= part;
    struct stat st {};
    if (stat(partial.c_str(), &st) == 0) {
      if (S_ISDIR(st.st_mode)) continue;
      throw std::runtime_error("cannot create state directory " + dir.string() + ": " +
                               partial.string() + " exists and is not a directory");
    }
    if (mkdir(partial.c_str(), 0700) != 0 && errno != EEXIST) {
      throw std::runtime_error("cannot create state directory " + dir.string() + ": " +
                               partial.string() + ": " + Errno(errno));
    }
  }
  struct stat st {};
  if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    throw std::runtime_error("state directory " + dir.string() + " is not a directory");
  }
}

// Reads the whole file; returns false if it does not exist.
bool ReadAll(const std::string& path, std::string& out) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return false;
    throw std::runtime_error("cannot read sequence file " + path + ": " + Errno(errno));
  }
  char buf[256];
  while (true) {
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      close(fd);
      throw std::runtime_error("cannot read sequence file " + path + ": " + Errno(err));
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

void WriteAll(int fd, const std::string& data) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category());
    }
    done += static_cast<std::size_t>(n);
  }
}

// Makes the rename itself durable, so that after a power cut the number never
// goes back (a reused seq would be dropped by consumers as a redelivery).
// Best effort: some file systems do not support syncing a directory.
void SyncDirectory(const std::string& file) {
  std::string dir = std::filesystem::path(file).parent_path().string();
  if (dir.empty()) dir = ".";
  const int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  fsync(fd);
  close(fd);
}

}  // namespace

SequenceStore::SequenceStore(std::string path) : path_(std::move(path)) {
  if (path_.empty()) throw std::runtime_error("sequence file path is empty");
  const std::filesystem::path dir = std::filesystem::path(path_).parent_path();
  MakeDirs(dir);
  std::string text;
  if (ReadAll(path_, text)) last_ = ParseValue(path_, text);
  const std::string check_dir = dir.empty() ? "." : dir.string();
  if (access(check_dir.c_str(), W_OK | X_OK) != 0) {
    throw std::runtime_error("state directory " + check_dir + " is not writable: " + Errno(errno));
  }
}

std::uint64_t SequenceStore::Next() {
  if (last_ == UINT64_MAX) throw std::runtime_error("sequence number exhausted");
  ++last_;
  const auto now = std::chrono::steady_clock::now();
  const bool durable = now - last_sync_ >= kSyncInterval;
  if (Write(durable) && durable) last_sync_ = now;
  return last_;
}

void SequenceStore::Sync() {
  if (Write(true)) last_sync_ = std::chrono::steady_clock::now();
}

SequenceStore::~SequenceStore() { Sync(); }

bool SequenceStore::Write(bool durable) noexcept {
  const std::string tmp = path_ + ".tmp";
  const int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    error_ = "cannot write sequence file " + tmp + ": " + Errno(errno);
    return false;
  }
  try {
    WriteAll(fd, std::to_string(last_) + "\n");
    if (durable && fdatasync(fd) != 0) throw std::system_error(errno, std::generic_category());
  } catch (const std::system_error& e) {
    close(fd);
    unlink(tmp.c_str());
    error_ = "cannot write sequence file " + tmp + ": " + Errno(e.code().value());
    return false;
  }
  if (close(fd) != 0) {
    const int err = errno;
    unlink(tmp.c_str());
    error_ = "cannot write sequence file " + tmp + ": " + Errno(err);
    return false;
  }
  if (rename(tmp.c_str(), path_.c_str()) != 0) {
    const int err = errno;
    unlink(tmp.c_str());
    error_ = "cannot replace sequence file " + path_ + ": " + Errno(err);
    return false;
  }
  if (durable) SyncDirectory(path_);
  return true;
}

std::string SequenceStore::TakeError() { return std::exchange(error_, std::string()); }

}  // namespace footfall::transport
