// Purpose: the per-message sequence number `seq`, which increases by one per
// message for the life of the sensor's state: kept in <state_dir>/seq and
// rewritten atomically (temp file + rename) after each message and flushed to
// disk at most once a second, so consumers can drop redeliveries and spot
// gaps across restarts.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "base/result.h"

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

  // Moves on to the next sequence number (last() gives it) and records it
  // (atomically; flushed to disk at most once per kSyncInterval). Returns why
  // the file could not be written; the number moves on all the same (it stays
  // unique within the run, a restart may repeat it).
  Status Advance();
  // Flushes the current value to disk now (shutdown); returns why not.
  Status Sync();
  // The current sequence number (0 before the first message ever).
  std::uint64_t last() const { return last_; }

  static constexpr std::chrono::seconds kSyncInterval{1};

 private:
  Status Write(bool durable) noexcept;

  std::string path_;
  std::uint64_t last_ = 0;
  std::chrono::steady_clock::time_point last_sync_{};
};

}  // namespace footfall::transport
