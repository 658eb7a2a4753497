// Purpose: footfalld's pipeline, wired in one place. Frames from the capture
// source are parsed (capture/), the transmitter address goes straight into the
// pseudonymizer and is wiped (hashing/), the pseudonyms feed the per-window
// counter (analytics/), and each closed window is encoded and published
// (transport/). Everything runs on one Asio loop; signals set state there.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "analytics/window_counter.h"
#include "capture/source.h"
#include "daemon/config.h"
#include "daemon/systemd_notify.h"
#include "hashing/pseudonymizer.h"
#include "transport/counts_json.h"
#include "transport/publisher.h"
#include "transport/sequence_store.h"

namespace footfall::daemon {

// Frame counters for the whole run (logs, status line).
struct RunCounters {
  std::uint64_t frames = 0;
  std::uint64_t probe_requests = 0;
  std::uint64_t other = 0;
  std::uint64_t malformed = 0;
  std::uint64_t bad_fcs = 0;
  std::uint64_t windows = 0;
};

class App final : public capture::FrameSink {
 public:
  // Opens the source, the state and the MQTT client. Throws on start-up
  // errors (capture::SourceError, std::runtime_error): they are fatal.
  App(Config config, boost::asio::io_context& io,
      std::unique_ptr<transport::Publisher> publisher);
  ~App() override;

  // Runs until the source ends (file) or a signal stops it; returns the exit code.
  int Run();

  // capture::FrameSink
  void OnFrame(capture::RawFrame& frame) override;
  void OnIdle(capture::TimePoint now) override;
  void OnEnd() override;
  void OnSourceError(const std::string& message) override;

  const RunCounters& counters() const { return counters_; }

 private:
  void Advance(capture::TimePoint now);
  void EmitWindow(const analytics::WindowReport& report);
  void Stop(const char* why, int exit_code);
  void Tick();
  std::string StatusLine() const;
  hashing::Pseudonymizer& Keys(capture::TimePoint now);

  Config config_;
  boost::asio::io_context& io_;
  std::unique_ptr<transport::Publisher> publisher_;
  std::unique_ptr<capture::Source> source_;
  std::unique_ptr<hashing::Pseudonymizer> pseudonymizer_;  // made at the first event time
  analytics::WindowCounter windows_;
  transport::SequenceStore seq_;
  transport::SensorIdentity identity_;
  SystemdNotifier notifier_;
  boost::asio::signal_set signals_;
  boost::asio::steady_timer tick_;
  RunCounters counters_;
  std::optional<capture::TimePoint> clock_;  // source time (capture or wall)
  std::chrono::steady_clock::time_point started_;
  bool stopping_ = false;
  int exit_code_ = 0;
};

}  // namespace footfall::daemon
