// Purpose: the frame and window counters of a whole run (RunCounters), kept
// by App, copied whole into the metrics snapshot, and the one table that
// describes them (kRunCounters: one row a counter, with the words the stop
// log and the status line give it and, if a Prometheus scrape shows it, its
// metric name and help). The stop log, the status line and RenderPrometheus
// all write the counters from that table, so adding a counter is a member
// here and one row.
#pragma once

#include <cstdint>
#include <iterator>
#include <string>

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

// The line of the stop log a counter is written in.
enum class StopLine {
  kLead,     // what the first line starts with: "N frames in T s (R frames/s): ..."
  kFrames,   // the first line, after the lead: "...: N probe requests, N other, ...; ..."
  kWindows,  // the first line, after the frame counters: "...; N windows closed, ..."
  kClock,    // "clock: <counters>", only after a jump of the windows' clock
  kCapture,  // "capture: <counters>; <outages and drops of the source>"
};

// One counter of RunCounters: where and how it is shown.
struct CounterRow {
  std::uint64_t RunCounters::*field;
  const char* words;  // in the stop log and the status line: "<value> <words>"
  StopLine stop_line;
  bool in_status;      // in the status line (a total since start), when not 0
  const char* metric;  // Prometheus counter family, or nullptr if not exported
  const char* help;    // its HELP text (with metric)
};

inline constexpr CounterRow kRunCounters[] = {
    {&RunCounters::frames, "frames", StopLine::kLead, false, "footfall_frames_total",
     "Frames read from the capture source."},
    {&RunCounters::probe_requests, "probe requests", StopLine::kFrames, false,
     "footfall_probe_requests_total", "Probe requests counted."},
    {&RunCounters::other, "other", StopLine::kFrames, false, nullptr, nullptr},
    {&RunCounters::malformed, "malformed", StopLine::kFrames, true, "footfall_malformed_total",
     "Frames skipped as malformed."},
    {&RunCounters::bad_fcs, "bad FCS", StopLine::kFrames, true, "footfall_bad_fcs_total",
     "Frames skipped for a bad frame check sequence."},
    {&RunCounters::bad_fcs_flagged, "bad FCS flagged by the driver", StopLine::kCapture, false,
     nullptr, nullptr},
    {&RunCounters::bad_fcs_mismatch, "bad FCS caught by the CRC only", StopLine::kCapture, false,
     nullptr, nullptr},
    {&RunCounters::signal_out_of_range,
     "probe requests with a signal outside -120..0 dBm (signal ignored)", StopLine::kCapture, false,
     nullptr, nullptr},
    {&RunCounters::cross_radio_duplicates, "cross-radio copies counted once", StopLine::kCapture,
     false, nullptr, nullptr},
    {&RunCounters::below_rssi_floor, "probe requests below [privacy] min_rssi_dbm (not hashed)",
     StopLine::kCapture, false, nullptr, nullptr},
    {&RunCounters::windows, "windows closed", StopLine::kWindows, false,
     "footfall_windows_published_total",
     "Count windows handed to the publisher since footfalld started."},
    {&RunCounters::clock_jumps,
     "jump(s) of more than a few windows, each published as one clock message", StopLine::kClock,
     false, nullptr, nullptr},
    {&RunCounters::held_back, "frame(s) before the resume time of a backward jump not counted",
     StopLine::kClock, false, nullptr, nullptr},
};

// Every member of RunCounters has its row, once: a member added without one
// does not compile.
constexpr bool EachCounterOnce() {
  for (const CounterRow& a : kRunCounters) {
    int n = 0;
    for (const CounterRow& b : kRunCounters) n += a.field == b.field ? 1 : 0;
    if (n != 1) return false;
  }
  return true;
}
static_assert(sizeof(RunCounters) == std::size(kRunCounters) * sizeof(std::uint64_t),
              "a member of RunCounters has no row in kRunCounters");
static_assert(EachCounterOnce(), "a member of RunCounters has two rows in kRunCounters");

// The counters of one stop-log line, in table order: "3 probe requests, 0 other".
inline std::string StopLogCounters(const RunCounters& c, StopLine line) {
  std::string out;
  for (const CounterRow& row : kRunCounters) {
    if (row.stop_line != line) continue;
    if (!out.empty()) out += ", ";
    out += std::to_string(c.*row.field) + " " + row.words;
  }
  return out;
}

// The counters of the status line that are not 0: "2 malformed, 1 bad FCS",
// or "" when all are 0.
inline std::string StatusCounters(const RunCounters& c) {
  std::string out;
  for (const CounterRow& row : kRunCounters) {
    if (!row.in_status || c.*row.field == 0) continue;
    if (!out.empty()) out += ", ";
    out += std::to_string(c.*row.field) + " " + row.words;
  }
  return out;
}

}  // namespace footfall::daemon
