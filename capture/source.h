// Purpose: where frames come from. A Source delivers raw frames to a FrameSink
// on the Asio loop's thread: from a capture file (replayed at a chosen speed,
// the file's timestamps driving the clock) or from a live monitor interface
// (its selectable fd watched by the loop; no polling).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

#include <boost/asio/io_context.hpp>

namespace footfall::capture {

using TimePoint = std::chrono::system_clock::time_point;

// One captured frame. `data` is writable and valid only during OnFrame.
struct RawFrame {
  TimePoint time;
  int link_type = 0;
  std::uint8_t* data = nullptr;
  std::size_t caplen = 0;
  std::size_t wirelen = 0;
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

struct SourceStats {
  std::uint64_t records = 0;          // frames read from libpcap
  std::uint64_t kernel_dropped = 0;   // live only (pcap_stats ps_drop)
  std::uint64_t iface_dropped = 0;    // live only (pcap_stats ps_ifdrop)
};

class Source {
 public:
  virtual ~Source() = default;
  // Begins delivering frames to `sink` from the io_context. Call once.
  virtual void Start(FrameSink& sink) = 0;
  // Stops delivering; no callbacks after it returns.
  virtual void Stop() = 0;
  virtual bool finite() const = 0;           // a file: ends by itself
  virtual const std::string& name() const = 0;  // "file:PATH" / "pcap:IFACE"
  virtual SourceStats stats() const = 0;
};

struct SourceOptions {
  double speed = 0;            // files: 0 = as fast as possible, N = N x real time
  int snaplen = 2048;          // live
  int buffer_size = 4 << 20;   // live, bytes
  bool immediate = true;       // live
};

// A start-up error opening a source: fatal, with a message for the operator.
class SourceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Opens "file:PATH" or "pcap:IFACE". Throws SourceError (missing file, bad
// format, interface missing, link type that is not 802.11, ...).
std::unique_ptr<Source> OpenSource(const std::string& spec, const SourceOptions& options,
                                   boost::asio::io_context& io);

}  // namespace footfall::capture
