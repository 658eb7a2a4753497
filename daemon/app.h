// Purpose: footfalld's pipeline, wired in one place. Each frame from the
// capture source goes through the frame path (daemon/frame_path.h: parsed in
// capture/, its transmitter address pseudonymized and wiped in hashing/,
// counted in the per-window counter of analytics/); each closed window is
// encoded and published (transport/). App keeps the wiring, the key's making
// and rotation, the clock policy, reload, status and the exit code.
// Everything runs on one Asio loop; signals set state there.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "analytics/signal_histogram.h"
#include "analytics/window_counter.h"
#include "capture/clock.h"
#include "capture/source.h"
#include "daemon/config.h"
#include "daemon/frame_path.h"
#include "daemon/metrics_server.h"
#include "daemon/rate_meter.h"
#include "daemon/run_counters.h"
#include "daemon/systemd_notify.h"
#include "daemon/window_clock.h"
#include "hashing/pseudonymizer.h"
#include "transport/counts_json.h"
#include "transport/noise.h"
#include "transport/published_figures.h"
#include "transport/publisher.h"
#include "transport/sequence_store.h"
#include "transport/today_json.h"

namespace footfall::daemon {

class App final : public capture::FrameSink {
 public:
  // Opens the source, the state and the MQTT client. Throws on start-up
  // errors (capture::SourceError, std::runtime_error): they are fatal.
  App(Config config, boost::asio::io_context& io, std::unique_ptr<transport::Publisher> publisher);
  using PublisherFactory = std::function<std::unique_ptr<transport::Publisher>()>;
  // Same, in the order least privilege needs: opens the source(s), the state,
  // the shared seed and the metrics endpoint, then calls `after_open` (which
  // drops privileges: nothing before it may start a thread, since capabilities
  // are per-thread), then makes the publisher (whose MQTT client starts
  // threads).
  App(Config config, boost::asio::io_context& io, PublisherFactory make_publisher,
      const std::function<void()>& after_open);
  ~App() override;

  // Runs until the source ends (file) or a signal stops it; returns the exit code.
  int Run();

  // SIGHUP re-reads `config_path` (reload.h says what changes live). A
  // non-empty `log_level_override` (--log-level) keeps winning over [log] level.
  void EnableReload(std::string config_path, std::string log_level_override);

  // capture::FrameSink
  void OnFrame(capture::RawFrame& frame) override;
  void OnIdle(capture::TimePoint now) override;
  void OnEnd() override;
  void OnSourceError(const std::string& message) override;

  // The boot clock the key's lifetime is also measured on (hashing/
  // pseudonymizer.h): CLOCK_BOOTTIME for a live source; none for a replay,
  // whose clock is the capture's. Tests inject their own.
  void UseBootClock(std::function<capture::BootTime()> boot_clock) {
    boot_clock_ = std::move(boot_clock);
  }
  // The current key's epoch number (0 for the first key; none before it).
  std::optional<std::uint64_t> key_epoch() const {
    return pseudonymizer_ ? std::optional<std::uint64_t>(pseudonymizer_->epoch()) : std::nullopt;
  }

  const RunCounters& counters() const { return counters_; }
  // Keyed-PRF evaluations so far (0 before the first key): frames dropped
  // before hashing never add to it.
  std::uint64_t prf_evaluations() const {
    return pseudonymizer_ ? pseudonymizer_->prf_evaluations() : 0;
  }

 private:
  // Moves the windows to `now`; false if `now` is held back after a backward
  // jump of the clock (the event is not counted).
  bool Advance(capture::TimePoint now);
  void OnClockJump(capture::TimePoint now);
  void EmitWindow(const analytics::WindowReport& report);
  // The next seq; a failed write of the sequence file (a full disk) is
  // logged the first time, every 100th time, and when it is written again.
  std::uint64_t NextSeq();
  void StartEpoch(capture::TimePoint start, bool keep_devices);
  // Publishes the signal view of the period since signal_since_ and starts the next.
  void PublishSignal(capture::TimePoint end);
  void Stop(const char* why, int exit_code);
  void Tick();
  void WaitForSignal();
  void Reload();
  // (Re)starts the metrics endpoint for config_.metrics_listen; false on failure.
  bool StartMetrics();
  MetricsSnapshot Metrics() const;
  // [metrics] token_file ("" = only the credential).
  std::string MetricsTokenFile() const { return config_.metrics_token_file; }
  std::string StatusLine() const;
  // Says, at the trace level, that it is not for production.
  void WarnIfTrace() const;
  // Makes the pseudonymizer (the first time) or rotates its key when due for
  // `now` (and, once a second from OnIdle, for the boot clock's reading).
  void UpdateKeys(capture::TimePoint now, bool read_boot_clock = false);
  // The pseudonymizer, up to date for `now`.
  hashing::Pseudonymizer& Keys(capture::TimePoint now) {
    UpdateKeys(now);
    return *pseudonymizer_;
  }

  Config config_;
  boost::asio::io_context& io_;
  std::unique_ptr<transport::Publisher> publisher_;
  std::unique_ptr<capture::Source> source_;
  std::unique_ptr<hashing::Pseudonymizer> pseudonymizer_;  // made at the first event time
  std::unique_ptr<hashing::KeySource> seed_keys_;          // shared-key mode, until the first key
  analytics::WindowCounter windows_;
  transport::DayLog today_;            // retained <base>/today
  analytics::SignalHistogram signal_;  // retained <base>/signal
  capture::TimePoint signal_since_{};  // start of the signal view's period
  transport::SequenceStore seq_;
  std::uint64_t seq_write_failures_ = 0;  // in a row
  transport::SensorIdentity identity_;
  transport::EpochTotals epoch_totals_{config_.min_count};  // released in steps of min_count
  std::unique_ptr<transport::WindowNoise> noise_;           // noise mode ([privacy] noise)
  SystemdNotifier notifier_;
  boost::asio::signal_set signals_;
  boost::asio::steady_timer tick_;
  RunCounters counters_;
  FramePath frame_path_;  // parse -> floor -> pseudonymize -> dedup -> fingerprint -> windows
  std::optional<capture::TimePoint> source_time_;  // the latest source time (capture or wall)
  std::unique_ptr<WindowClock> window_clock_;      // made once the source is open
  std::chrono::steady_clock::time_point started_;
  bool stopping_ = false;
  bool stopped_by_signal_ = false;  // SIGTERM/SIGINT, not the end of a replay
  // The figures of the last counts message as published (hidden ones
  // hidden): all the log, the status line and the metrics say of people.
  std::optional<transport::PublishedFigures> published_;
  int exit_code_ = 0;
  std::string config_path_;  // empty: SIGHUP cannot reload
  std::string log_level_override_;
  std::unique_ptr<MetricsServer> metrics_;
  std::function<capture::BootTime()> boot_clock_;  // empty: wall (capture) clock only
  RateMeter frame_rate_;
  const char* source_state_ = "starting";  // replaying / capturing / ended / failed
};

}  // namespace footfall::daemon
