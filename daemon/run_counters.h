// Purpose: the frame and window counters of a whole run (RunCounters), kept
// by App, copied whole into the metrics snapshot, and the table of those a
// Prometheus scrape shows (kExportedCounters: one row a counter, its name and
// help), from which RenderPrometheus writes them.
#pragma once

#include <cstdint>

namespace footfall::daemon {

// Frame counters for the whole run (logs, status line, metrics).
struct RunCounters {
  std::uint64_t frames = 0;
  std::uint64_t probe_requests = 0;
  std::uint64_t other = 0;
  std::uint64_t malformed = 0;
  std::uint64_t bad_fcs = 0;
  std::uint64_t bad_fcs_flagged = 0;         // ... of which the driver flagged
  std::uint64_t bad_fcs_mismatch = 0;        // ... of which only the CRC-32 caught
  std::uint64_t signal_out_of_range = 0;     // probe requests whose signal was ignored
  std::uint64_t cross_radio_duplicates = 0;  // copies of a frame another radio delivered
  std::uint64_t below_rssi_floor = 0;  // probe requests dropped unhashed ([privacy] min_rssi_dbm)
  std::uint64_t windows = 0;
  std::uint64_t clock_jumps = 0;  // jumps of the windows' clock (window_clock.h)
  std::uint64_t held_back = 0;    // frames before the resume time of a backward jump
};

// A counter of RunCounters as a Prometheus counter family.
struct ExportedCounter {
  const char* metric;
  const char* help;
  std::uint64_t RunCounters::*field;
};

inline constexpr ExportedCounter kExportedCounters[] = {
    {"footfall_frames_total", "Frames read from the capture source.", &RunCounters::frames},
    {"footfall_probe_requests_total", "Probe requests counted.", &RunCounters::probe_requests},
    {"footfall_malformed_total", "Frames skipped as malformed.", &RunCounters::malformed},
    {"footfall_bad_fcs_total", "Frames skipped for a bad frame check sequence.",
     &RunCounters::bad_fcs},
    {"footfall_windows_published_total",
     "Count windows handed to the publisher since footfalld started.", &RunCounters::windows},
};

}  // namespace footfall::daemon
