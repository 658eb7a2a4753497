// Purpose: the per-message sequence number `seq`, which increases by one per
// message for the life of the sensor's state: kept in <state_dir>/seq and
// rewritten atomically (temp file + rename) after each message, so consumers
// can drop redeliveries and spot gaps across restarts.
#pragma once

#include <cstdint>
#include <string>

namespace footfall::transport {

class SequenceStore final {
 public:
  // Reads the last value from `path` (0 if the file does not exist). Throws
  // std::runtime_error if it exists but cannot be read or parsed, or if its
  // directory is not writable.
  explicit SequenceStore(std::string path);
  // Returns the next sequence number and persists it.
  std::uint64_t Next();
  std::uint64_t last() const { return last_; }

 private:
  std::string path_;
  std::uint64_t last_ = 0;
};

}  // namespace footfall::transport
