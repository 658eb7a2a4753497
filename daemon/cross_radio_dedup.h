// Purpose: one transmission heard by several radios is counted once. With
// several capture sources (two radios on the same channel, or a channel's
// neighbour leaking into the next one), the same probe request can arrive
// twice: same transmitter (so the same pseudonym) and the same 802.11
// sequence number, within a few milliseconds. Such a copy from another
// source is dropped before it reaches the window counts. The same pseudonym
// and number again from the SAME source is a new frame (some phones repeat
// their sequence numbers) and is kept. Devices are counted per pseudonym
// anyway; this keeps probe_requests and the signal figures honest.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <unordered_map>

namespace footfall::daemon {

class CrossRadioDedup final {
 public:
  using TimePoint = std::chrono::system_clock::time_point;

  explicit CrossRadioDedup(std::chrono::milliseconds window = std::chrono::milliseconds(100));

  // True if `pseudonym` with `sequence` was heard by another source within
  // the window of `t` (either side): a copy. Otherwise remembers it.
  bool IsCopy(TimePoint t, std::uint64_t pseudonym, std::uint16_t sequence, std::size_t source);

  std::size_t remembered() const { return last_.size(); }  // bounded by the window's frames

 private:
  struct Key {
    std::uint64_t pseudonym;
    std::uint16_t sequence;
    bool operator==(const Key& o) const {
      return pseudonym == o.pseudonym && sequence == o.sequence;
    }
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const {
      return std::hash<std::uint64_t>()(k.pseudonym ^ (std::uint64_t{k.sequence} << 48));
    }
  };
  struct Heard {
    TimePoint t;
    std::size_t source;
  };

  std::chrono::milliseconds window_;
  std::unordered_map<Key, Heard, KeyHash> last_;  // latest reception of each key
  std::deque<std::pair<TimePoint, Key>> order_;   // receptions in arrival order, to forget them
  TimePoint newest_{};
};

}  // namespace footfall::daemon
