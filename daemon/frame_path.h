// Purpose: the one path of a captured frame to the window, in one unit with
// one entry point (FramePath::Process), used alike by footfalld (App::OnFrame),
// the fuzz targets (tests/fuzz) and the benchmarks (bench/). In order:
//   1. parse (capture::ParseFrame): the transmitter is taken out of the
//      buffer; a frame that is not a probe request is counted by its class;
//   2. signal floor ([privacy] min_rssi_dbm): a probe request weaker than the
//      floor, or of unknown strength, is counted and dropped unhashed;
//   3. pseudonymize (hashing/): the address becomes a keyed pseudonym and is
//      wiped;
//   4. cross-radio dedup (several sources): a copy of a transmission another
//      radio delivered first is counted and dropped;
//   5. fingerprint: a randomized pseudonym not yet known to the window's
//      people estimator gets the keyed model signature of its elements;
//   6. analytics: the window counter and the signal view take the event.
// Once processed, nothing of the frame stays in the caller's buffer (every
// class, also when hashing throws). The time policy (which frames a clock
// jump holds back) and the key's making and rotation stay with App: the path
// asks for the pseudonymizer, up to date for the frame's time, only when it
// is about to hash (never for a frame dropped before).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>

#include "analytics/signal_histogram.h"
#include "analytics/window_counter.h"
#include "capture/clock.h"
#include "capture/source.h"
#include "daemon/cross_radio_dedup.h"
#include "daemon/run_counters.h"
#include "hashing/pseudonymizer.h"

namespace footfall::daemon {

// The settings the path reads for every frame (App sets them at start-up
// and again after a SIGHUP reload, whose [privacy] changes apply live).
struct FramePathOptions {
  std::optional<int> min_rssi_dbm;  // [privacy] min_rssi_dbm; unset: no floor
  bool several_sources = false;     // more than one capture source: copies possible
};

// What became of one frame (each also counted in RunCounters).
enum class FrameOutcome {
  kCounted,         // a probe request, in the window: probe_requests
  kBelowFloor,      // a probe request under the signal floor, unhashed: below_rssi_floor
  kCrossRadioCopy,  // another radio delivered it first: cross_radio_duplicates
  kOther,           // not a probe request: other
  kMalformed,       // could not be parsed: malformed (and the window's malformed)
  kBadFcs,          // the frame check sequence failed: bad_fcs (and the window's)
};

class FramePath final {
 public:
  // The pseudonymizer, made or rotated by its owner for the given event time.
  using Keys = std::function<hashing::Pseudonymizer&(capture::TimePoint)>;

  // Holds `windows`, `signal` and `counters` by reference: they must outlive it.
  FramePath(FramePathOptions options, Keys keys, analytics::WindowCounter& windows,
            analytics::SignalHistogram& signal, RunCounters& counters);

  // From the next frame on (a reload).
  void set_options(const FramePathOptions& options) { options_ = options; }
  const FramePathOptions& options() const { return options_; }

  // Runs `frame` (at frame.time) through the whole path, counts what became
  // of it, and wipes all of frame.data[0, caplen). Throws only what hashing
  // throws (the key source failing); the buffer is wiped then too.
  FrameOutcome Process(capture::RawFrame& frame);

 private:
  FramePathOptions options_;
  Keys keys_;
  analytics::WindowCounter& windows_;
  analytics::SignalHistogram& signal_;
  RunCounters& counters_;
  CrossRadioDedup duplicates_;  // several sources: one transmission counted once
};

}  // namespace footfall::daemon
