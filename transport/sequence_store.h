// Purpose: the per-message sequence number `seq`, which increases by one per
// message for the life of the sensor's state: kept in <state_dir>/seq and
// rewritten atomically (temp file + rename) after each message and flushed to
// disk at most once a second, so consumers can drop redeliveries and spot
// gaps across restarts.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace footfall::transport {

class SequenceStore final {
 public:
  // Reads the last value from `path` (0 if the file does not exist). Throws
  // std::runtime_error if it exists but cannot be read or parsed, or if its
  // directory is not writable.
  explicit SequenceStore(std::string path);
  ~SequenceStore();
  SequenceStore(const SequenceStore&) = delete;
  SequenceStore& operator=(const SequenceStore&) = delete;

  // Returns the next sequence number and records it (atomically; flushed to
  // disk at most once per kSyncInterval). Never throws for I/O errors: the
  // number is still returned and the error is kept for TakeError().
  std::uint64_t Next();
  // Flushes the current value to disk now (shutdown).
  void Sync();
  // The last I/O error since the previous call, or "" if none.
  std::string TakeError();
  std::uint64_t last() const { return last_; }

  static constexpr std::chrono::seconds kSyncInterval{1};

 private:
  bool Write(bool durable) noexcept;

  std::string path_;
  std::uint64_t last_ = 0;
  std::chrono::steady_clock::time_point last_sync_{};
  std::string error_;
};

}  // namespace footfall::transport
