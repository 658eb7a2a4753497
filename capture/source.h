// Purpose: where frames come from. A Source delivers raw frames to a FrameSink
// on the Asio loop's thread: from a capture file (replayed at a chosen speed,
// the file's timestamps driving the clock) or from a live monitor interface
// (its selectable fd watched by the loop; no polling), which survives the
// interface going away and coming back; several live sources can be merged.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "capture/source_spec.h"

namespace footfall::capture {

using TimePoint = std::chrono::system_clock::time_point;

// One captured frame. `data` is writable and valid only during OnFrame.
struct RawFrame {
  TimePoint time;
  int link_type = 0;
  std::uint8_t* data = nullptr;
  std::size_t caplen = 0;
  std::size_t wirelen = 0;
  // Which of several merged sources delivered it (0 for a single source).
  std::size_t source_index = 0;
};

class FrameSink {
 public:
  virtual ~FrameSink() = default;
  virtual void OnFrame(RawFrame& frame) = 0;
  // Source time has advanced to `now` with no frame (replay gaps, idle air).
  // Every later frame has time >= now, so windows before it may be closed.
  virtual void OnIdle(TimePoint now) = 0;
  // A finite source (a file) delivered everything it had.
  virtual void OnEnd() = 0;
  // A live source failed at run time (interface gone, read error); it has
  // stopped delivering. `message` names the source and is safe to log.
  virtual void OnSourceError(const std::string& message) = 0;
};

// Totals since the source was opened (over every re-attach of a live one).
struct SourceStats {
  std::uint64_t records = 0;                 // frames read from libpcap
  std::uint64_t received = 0;                // live only: passed the kernel filter (ps_recv)
  std::uint64_t kernel_dropped = 0;          // live only (pcap_stats ps_drop)
  std::uint64_t iface_dropped = 0;           // live only (pcap_stats ps_ifdrop)
  std::uint64_t outages = 0;                 // live only: times the interface was missing or lost
  std::chrono::milliseconds outage_time{0};  // ... and for how long, the current one included
  std::uint32_t sources_down = 0;            // live sources not capturing right now

  SourceStats& operator+=(const SourceStats& o);
};

class Source {
 public:
  virtual ~Source() = default;
  // Begins delivering frames to `sink` from the io_context. Call once.
  virtual void Start(FrameSink& sink) = 0;
  // Stops delivering; no callbacks after it returns.
  virtual void Stop() = 0;
  virtual bool finite() const = 0;              // a file: ends by itself
  virtual const std::string& name() const = 0;  // "file:PATH" / "pcap:IFACE"
  virtual SourceStats stats() const = 0;
  // One line for the status: the name, and for a live source whether it is
  // capturing or down (and since when). Never holds a MAC.
  virtual std::string status() const { return name(); }
};

struct SourceOptions {
  double speed = 0;           // files: 0 = as fast as possible, N = N x real time
  int snaplen = 2048;         // live
  int buffer_size = 4 << 20;  // live, bytes
  bool immediate = true;      // live
  // Live: an interface that is missing or lost is retried after
  // retry_initial, doubling up to retry_max; pcap_stats is read every
  // stats_interval and drops are logged.
  std::chrono::milliseconds retry_initial{1000};
  std::chrono::milliseconds retry_max{60000};
  std::chrono::milliseconds stats_interval{10000};
};

// An error opening a source, with a message for the operator. At start-up it
// is fatal unless retryable(): an interface that is missing or down, which a
// live source waits for.
class SourceError : public std::runtime_error {
 public:
  explicit SourceError(const std::string& what, bool retryable = false)
      : std::runtime_error(what), retryable_(retryable) {}
  bool retryable() const { return retryable_; }

 private:
  bool retryable_;
};

// Opens a file replay or a live interface. Throws SourceError (missing file,
// bad format, link type that is not 802.11, no permission, ...). A missing or
// down interface is not an error: the source starts without it, says so in
// status() and stats(), and attaches when it appears.
std::unique_ptr<Source> OpenSource(const SourceSpec& spec, const SourceOptions& options,
                                   boost::asio::io_context& io);
// The same from its text, "file:PATH" or "pcap:IFACE" (tools and tests).
std::unique_ptr<Source> OpenSource(const std::string& spec, const SourceOptions& options,
                                   boost::asio::io_context& io);

// Opens one source, or several live ones merged into one (frames carry the
// index of the one that delivered them). A file cannot be merged with
// anything (source_spec.h). Throws SourceError.
std::unique_ptr<Source> OpenSources(const std::vector<SourceSpec>& specs,
                                    const SourceOptions& options, boost::asio::io_context& io);
}  // namespace footfall::capture
