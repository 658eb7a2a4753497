// Purpose: the wiring of footfalld's pipeline (see app.h).
#include "daemon/app.h"

#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>

#include "capture/mac_address.h"
#include "daemon/exit_codes.h"
#include "daemon/reload.h"
#include "daemon/secret_file.h"
#include "hashing/seed_key_source.h"
#include "transport/clock_jump_json.h"
#include "transport/signal_json.h"

namespace footfall::daemon {
namespace {

capture::SourceOptions SourceOptionsFrom(const Config& c) {
  capture::SourceOptions o;
  o.speed = c.speed;
  o.snaplen = c.snaplen;
  o.buffer_size = c.buffer_size_kib * 1024;
  o.immediate = c.immediate;
  o.stats_interval = c.stats_interval;
  return o;
}

FramePathOptions FramePathOptionsFrom(const Config& c) {
  FramePathOptions o;
  o.min_rssi_dbm = c.min_rssi_dbm;
  o.several_sources = c.sources.size() > 1;
  return o;
}

}  // namespace

App::App(Config config, boost::asio::io_context& io,
         std::unique_ptr<transport::Publisher> publisher)
    : App(std::move(config), io,
          [p = std::make_shared<std::unique_ptr<transport::Publisher>>(std::move(publisher))] {
            return std::move(*p);
          },
          {}) {}

App::App(Config config, boost::asio::io_context& io, PublisherFactory make_publisher,
         const std::function<void()>& after_open)
    : config_(std::move(config)),
      io_(io),
      windows_(
          config_.window_length, [this](const analytics::WindowReport& r) { EmitWindow(r); },
          config_.people),
      today_(config_.window_length, config_.min_count),
      signal_(std::chrono::hours(24) + config_.window_length),
      seq_(config_.state_dir + "/seq"),
      identity_{config_.site, config_.sensor_id},
      signals_(io, SIGINT, SIGTERM, SIGHUP),
      tick_(io),
      frame_path_(
          FramePathOptionsFrom(config_),
          [this](capture::TimePoint t) -> hashing::Pseudonymizer& { return Keys(t); }, windows_,
          signal_, counters_),
      started_(std::chrono::steady_clock::now()) {
  if (!config_.shared_seed_file.empty()) {
    seed_keys_ = std::make_unique<hashing::SeedKeySource>(config_.shared_seed_file,
                                                          *hashing::MakeSchedule(config_.rotation));
  }
  if (config_.noise == "laplace") {
    noise_ = std::make_unique<transport::WindowNoise>(config_.noise_epsilon,
                                                      transport::MakeSodiumRandom());
  }
  source_ = capture::OpenSources(config_.sources, SourceOptionsFrom(config_), io_);
  window_clock_ = std::make_unique<WindowClock>(config_.window_length, !source_->finite(),
                                                capture::SystemClock());
  // A live sensor's clock is the wall clock from the start; a replay's clock
  // is the capture's, so its keys are made at the first frame's time.
  if (!source_->finite()) {
    boot_clock_ = capture::BootClockNow;
    UpdateKeys(std::chrono::system_clock::now(), /*read_boot_clock=*/true);
  }
  if (config_.metrics_listen && !StartMetrics()) {
    throw std::runtime_error("metrics endpoint: cannot listen on " +
                             config_.metrics_listen->ToString());
  }
  if (after_open) after_open();
  publisher_ = make_publisher();
  if (!publisher_) throw std::invalid_argument("App needs a publisher");
}

App::~App() = default;

void App::UpdateKeys(capture::TimePoint now, bool read_boot_clock) {
  if (!pseudonymizer_) {
    const bool shared = seed_keys_ != nullptr;
    std::unique_ptr<hashing::KeySource> keys =
        shared ? std::move(seed_keys_) : hashing::MakeRandomKeySource();
    std::unique_ptr<hashing::RotationSchedule> schedule = hashing::MakeSchedule(config_.rotation);
    const std::string rotation = schedule->Describe();
    pseudonymizer_ = std::make_unique<hashing::Pseudonymizer>(
        config_.algorithm, std::move(schedule), std::move(keys), now, config_.carry_over_max);
    spdlog::info("pseudonym key {} in locked memory; rotation {}",
                 shared ? "derived from the site seed" : "drawn at random", rotation);
    StartEpoch(pseudonymizer_->epoch_start(), /*keep_devices=*/false);
    if (read_boot_clock && boot_clock_) pseudonymizer_->AdvanceTo(now, boot_clock_());
    return;
  }
  const bool was_carrying = pseudonymizer_->carrying_over();
  const bool rotated = read_boot_clock && boot_clock_
                           ? pseudonymizer_->AdvanceTo(now, boot_clock_())
                           : pseudonymizer_->AdvanceTo(now);
  if (rotated && pseudonymizer_->last_rotation_reason() != hashing::RotationReason::kScheduled) {
    const bool stepped =
        pseudonymizer_->last_rotation_reason() == hashing::RotationReason::kClockStepBack;
    spdlog::warn("pseudonym key rotated ahead of the schedule: {}; the old key is wiped{}",
                 stepped ? "the wall clock stepped back by more than a minute"
                         : "the key's age on the boot clock reached the rotation period",
                 config_.shared_seed_file.empty()
                     ? ""
                     : ". In shared-key mode this sensor's seed is now ahead of the site's: "
                       "its pseudonyms no longer match the other sensors' until they are all "
                       "provisioned again");
  }
  if (rotated) {
    // Grouping state is keyed like the pseudonyms: it goes with the old key
    // unless that key is carried over to recognise devices already present.
    StartEpoch(pseudonymizer_->epoch_start(), pseudonymizer_->carrying_over());
    if (pseudonymizer_->carrying_over()) {
      spdlog::info(
          "pseudonym key rotated (epoch {}); the old key is kept {} s to recognise "
          "devices already present, then wiped",
          pseudonymizer_->epoch(), config_.carry_over_max.count());
    } else {
      spdlog::info("pseudonym key rotated and the old key wiped (epoch {})",
                   pseudonymizer_->epoch());
    }
  } else if (was_carrying && !pseudonymizer_->carrying_over()) {
    spdlog::info("carry-over ended: the previous pseudonym key is wiped");
  }
}

void App::WarnIfTrace() const {
  if (spdlog::should_log(spdlog::level::trace)) {
    spdlog::warn(
        "log level trace: every probe request's time, signal and frequency is logged. "
        "For debugging only, not for production: it tells when each phone probed. "
        "Calibrate the signal floor from the aggregate `signal` message instead");
  }
}

void App::StartEpoch(capture::TimePoint start, bool keep_devices) {
  windows_.StartEpoch(start, keep_devices);
  today_.StartEpoch(start);  // the day so far restarts with the key
  // The device identities of the signal view are keyed like the pseudonyms.
  if (!keep_devices) {
    signal_.Clear();
    signal_since_ = start;
  }
}

void App::PublishSignal(capture::TimePoint end) {
  transport::SignalThresholds thresholds;
  thresholds.visitor_rssi_dbm = config_.people.visitor_rssi_dbm;
  thresholds.inside_rssi_dbm = config_.people.inside_rssi_dbm;
  thresholds.min_rssi_dbm = config_.min_rssi_dbm;
  publisher_->PublishState(
      "signal", transport::EncodeSignal(identity_, signal_since_, end, signal_.Snapshot(end),
                                        thresholds, config_.min_count));
  signal_.Clear();
  signal_since_ = end;
}

int App::Run() {
  WarnIfTrace();
  WaitForSignal();
  started_ = std::chrono::steady_clock::now();
  source_->Start(*this);
  source_state_ = source_->finite() ? "replaying" : "capturing";
  notifier_.Ready(StatusLine());
  spdlog::info("footfalld started: {} -> {} (window {} s)", source_->name(), config_.topic_base(),
               config_.window_length.count());
  Tick();
  io_.run();
  return exit_code_;
}

bool App::Advance(capture::TimePoint now) {
  switch (window_clock_->Observe(now)) {
    case WindowClock::Verdict::kJumped:
      OnClockJump(now);
      if (now < window_clock_->resume()) {  // backward: held back
        ++counters_.held_back;
        return false;
      }
      break;
    case WindowClock::Verdict::kHoldBack:
      ++counters_.held_back;
      return false;
    case WindowClock::Verdict::kCount:
      break;
  }
  if (!source_time_ || now > *source_time_) source_time_ = now;
  windows_.AdvanceTo(now);
  return true;
}

void App::OnClockJump(capture::TimePoint now) {
  const capture::ClockJump& jump = window_clock_->jump();
  ++counters_.clock_jumps;
  // The window in progress ends at the old time, as partial; the windows the
  // jump skips (or would repeat) are not published: one message says so.
  windows_.Flush(jump.from);
  const std::uint64_t seq = NextSeq();
  publisher_->Publish("clock",
                      transport::EncodeClockJump(identity_, seq, jump, window_clock_->resume(),
                                                 source_->finite() ? "capture" : "system"));
  const double by = std::chrono::duration<double>(jump.by).count();
  spdlog::warn(
      "the {} clock jumped {} by {:.3f} s ({} -> {}): the window in progress was closed "
      "as partial, windows start again at {}{} (seq {})",
      source_->finite() ? "capture's" : "system", by >= 0 ? "forward" : "backward",
      by < 0 ? -by : by, transport::FormatUtc(jump.from), transport::FormatUtc(jump.to),
      transport::FormatUtc(window_clock_->resume()),
      by < 0 ? "; events before then are not counted" : "", seq);
  source_time_ = now;
}

void App::OnFrame(capture::RawFrame& frame) {
  ++counters_.frames;
  // Before the resume time of a backward clock jump: not counted, but wiped
  // like every frame the path processes.
  if (!Advance(frame.time)) {
    capture::SecureWipe(frame.data, frame.caplen);
    return;
  }
  frame_path_.Process(frame);
}

void App::OnIdle(capture::TimePoint now) {
  if (!Advance(now)) return;
  if (pseudonymizer_) UpdateKeys(now, /*read_boot_clock=*/true);
}

void App::OnEnd() {
  source_state_ = "ended";
  Stop("end of capture", 0);
}

void App::OnSourceError(const std::string& message) {
  source_state_ = "failed";
  spdlog::error("{}", message);
  Stop("capture failed", kExitSoftware);
}

std::uint64_t App::NextSeq() {
  const Status recorded = seq_.Advance();
  const std::uint64_t seq = seq_.last();
  if (recorded) {
    if (seq_write_failures_ > 0) {
      spdlog::warn("sequence file written again (seq {}) after {} failed write(s)", seq,
                   seq_write_failures_);
      seq_write_failures_ = 0;
    }
    return seq;
  }
  ++seq_write_failures_;
  if (seq_write_failures_ == 1 || seq_write_failures_ % 100 == 0) {
    // The number is still unique within this run; a restart may repeat it.
    spdlog::error(
        "{} ({} failed write(s) in a row, every 100th logged; seq numbers stay unique in "
        "this run, a restart before the file is written again may repeat them)",
        recorded.error(), seq_write_failures_);
  }
  return seq;
}

void App::EmitWindow(const analytics::WindowReport& report) {
  ++counters_.windows;
  const std::uint64_t seq = NextSeq();
  // Noise mode: every count noised (no suppression, which would depend on
  // the true counts). Else the key epoch's totals are published in steps of
  // at least min_count, and small counts suppressed.
  analytics::WindowReport released = report;
  std::uint64_t min_count = config_.min_count;
  if (noise_) {
    released = noise_->Apply(report);
    min_count = 0;
  } else {
    epoch_totals_.set_min_count(config_.min_count);
    epoch_totals_.Release(released.people);
  }
  std::string payload = transport::EncodeCounts(
      identity_, seq, released,
      {min_count, config_.min_rssi_dbm.has_value(), noise_ ? config_.noise_epsilon : 0.0});
  // The log, the status line and the metrics repeat the message as
  // published, never the window's own figures: a count the disclosure
  // policy hides stays hidden on every channel.
  published_ = transport::ReadPublishedFigures(payload);
  publisher_->Publish("counts", std::move(payload));
  // The day so far, from the windows as published (their suppression).
  if (today_.Add(released)) publisher_->PublishState("today", today_.Encode(identity_));
  // The signal view, once per clock hour (and at the end): disjoint periods,
  // so that no two messages differ by the devices of one minute.
  if (report.partial ||
      report.end >= std::chrono::floor<std::chrono::hours>(signal_since_) + std::chrono::hours(1)) {
    PublishSignal(report.end);
  }
  const transport::PublishedFigures& f = *published_;
  spdlog::info(
      "window {} {}: {} probe requests, {} devices ({} randomized), {} malformed, {} "
      "bad FCS (seq {})",
      f.window_start, f.partial ? "(partial)" : "", f.probe_requests, transport::Shown(f.devices),
      transport::Shown(f.randomized_mac), report.malformed, report.bad_fcs, seq);
}

void App::Stop(const char* why, int exit_code) {
  if (stopping_) return;
  stopping_ = true;
  exit_code_ = exit_code;
  // Capture and processing time, without the wait for the broker below.
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  spdlog::info("stopping ({})", why);
  notifier_.Stopping(std::string("stopping: ") + why);
  source_->Stop();
  tick_.cancel();
  signals_.cancel();
  metrics_.reset();
  // The window in progress is published as partial, up to the source's clock.
  capture::TimePoint end = source_time_.value_or(std::chrono::system_clock::now());
  if (!source_->finite()) end = std::chrono::system_clock::now();
  windows_.Flush(end);
  if (const Status synced = seq_.Sync(); !synced) spdlog::error("{}", synced.error());
  if (!publisher_->Shutdown(config_.drain_timeout)) {
    spdlog::error(
        "{} messages (the final status included) were not acknowledged by the broker "
        "within {} s; the counts among them stay in the state directory's journal and "
        "are sent at the next start",
        publisher_->pending(), config_.drain_timeout.count());
    // Stopped by the operator (systemctl stop) with every count kept in the
    // journal: a clean stop, nothing is lost. A replay that ends undelivered,
    // or a journal that failed, is EX_UNAVAILABLE for the caller to see.
    const bool kept = stopped_by_signal_ && publisher_->pending_kept();
    if (exit_code_ == 0 && !kept) exit_code_ = kExitUnavailable;
  }
  // Delivered: acknowledged by the broker (a window journaled by an earlier
  // run counts when it is delivered in this one).
  // The counters as kRunCounters words them, beside the publisher's and the
  // source's own figures.
  spdlog::info(
      "{} in {:.3f} s ({:.0f} frames/s): {}; {}, {} windows delivered, {} refused by "
      "the broker, {} message(s) left in the journal",
      StopLogCounters(counters_, StopLine::kLead), elapsed,
      elapsed > 0 ? counters_.frames / elapsed : 0.0, StopLogCounters(counters_, StopLine::kFrames),
      StopLogCounters(counters_, StopLine::kWindows), publisher_->delivered("counts"),
      publisher_->rejected(), publisher_->pending());
  if (counters_.clock_jumps > 0) {
    spdlog::info("clock: {}", StopLogCounters(counters_, StopLine::kClock));
  }
  const capture::SourceStats capture_stats = source_->stats();
  spdlog::info(
      "capture: {}; {} outages ({:.0f} s without capture); kernel dropped {}, interface "
      "dropped {}",
      StopLogCounters(counters_, StopLine::kCapture), capture_stats.outages,
      std::chrono::duration<double>(capture_stats.outage_time).count(),
      capture_stats.kernel_dropped, capture_stats.iface_dropped);
  io_.stop();
}

std::string App::StatusLine() const {
  // A live source tells its own state (capturing, or down since when).
  std::string s =
      (source_->finite() ? source_->name() + " " + source_state_ : source_->status()) + ", " +
      std::to_string(static_cast<std::uint64_t>(frame_rate_.PerMinute() + 0.5)) + " frames/min, " +
      // People only as the last counts message published them.
      (published_ ? transport::Shown(published_->devices) + " devices, " +
                        transport::Shown(published_->visitors) + " visitors at the last window"
                  : std::string("no window published yet")) +
      "; broker ";
  if (publisher_->connected()) {
    s += "connected";
  } else {
    s += "disconnected";
    if (std::string why = publisher_->last_error(); !why.empty()) s += " (" + why + ")";
  }
  s += ", " + std::to_string(publisher_->pending()) + " unacknowledged";
  if (const std::uint64_t dropped = publisher_->dropped(); dropped > 0) {
    s += ", " + std::to_string(dropped) + " dropped (buffer full)";
  }
  const transport::BufferHealth health = publisher_->buffer_health();
  if (!health.journal_error.empty()) {
    s += "; journal not written (" + health.journal_error +
         "): " + std::to_string(health.memory_only) + " held in memory only (at most " +
         std::to_string(health.max_memory_only) + ")";
  }
  if (health.memory_dropped > 0) {
    s += ", " + std::to_string(health.memory_dropped) + " dropped beyond the memory bound";
  }
  // Frames skipped, as totals since start (kRunCounters' in_status rows).
  if (const std::string skipped = StatusCounters(counters_); !skipped.empty()) {
    s += "; " + skipped + " since start";
  }
  if (pseudonymizer_ && source_time_) {
    auto age = std::chrono::duration_cast<std::chrono::minutes>(*source_time_ -
                                                                pseudonymizer_->epoch_start());
    s += "; key age " + std::to_string(age.count()) + " min";
  }
  return s;
}

void App::Tick() {
  if (stopping_) return;
  if (!source_->finite()) OnIdle(std::chrono::system_clock::now());
  const auto now = std::chrono::steady_clock::now();
  frame_rate_.Sample(now, counters_.frames);
  notifier_.Status(StatusLine());
  notifier_.WatchdogIfDue(now);
  auto period = std::chrono::milliseconds(1000);
  if (auto wd = notifier_.watchdog_interval()) {
    period = std::min(period, std::chrono::duration_cast<std::chrono::milliseconds>(*wd));
  }
  tick_.expires_after(period);
  tick_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) Tick();
  });
}

void App::EnableReload(std::string config_path, std::string log_level_override) {
  // Absolute, so a reload still finds it whatever the working directory.
  std::error_code ec;
  const auto absolute = std::filesystem::absolute(config_path, ec);
  config_path_ = ec ? std::move(config_path) : absolute.string();
  log_level_override_ = std::move(log_level_override);
}

void App::WaitForSignal() {
  signals_.async_wait([this](const boost::system::error_code& ec, int sig) {
    if (ec || stopping_) return;
    if (sig == SIGHUP) {
      Reload();
      WaitForSignal();
      return;
    }
    stopped_by_signal_ = true;
    Stop(sig == SIGINT ? "SIGINT" : "SIGTERM", 0);
  });
}

void App::Reload() {
  if (config_path_.empty()) {
    spdlog::warn("SIGHUP: no configuration file to reload");
    return;
  }
  notifier_.Reloading();
  spdlog::info("SIGHUP: reloading {}", config_path_);
  ConfigResult loaded = LoadConfig(config_path_);
  for (const auto& w : loaded.warnings) spdlog::warn("{}", w);
  if (!loaded.ok()) {
    for (const auto& e : loaded.errors) spdlog::error("{}", e);
    spdlog::error("{}: {} error(s); configuration not reloaded, the running one is kept",
                  config_path_, loaded.errors.size());
    notifier_.Ready(StatusLine());
    return;
  }
  const Config previous = config_;
  ReloadPlan plan = PlanReload(config_, loaded.config);
  config_ = plan.next;
  frame_path_.set_options(FramePathOptionsFrom(config_));  // [privacy] min_rssi_dbm, live
  for (const auto& key : plan.applied) {
    if (key == "log.level") {
      if (!log_level_override_.empty()) {
        spdlog::info("reload: log.level changed but --log-level {} stays in effect",
                     log_level_override_);
      } else {
        spdlog::set_level(spdlog::level::from_str(config_.log_level));
        spdlog::info("reload: log.level is now {}", config_.log_level);
        WarnIfTrace();
      }
    } else {
      spdlog::info("reload: {} applied", key);
    }
  }
  if (previous.metrics_listen != config_.metrics_listen) {
    metrics_.reset();  // frees the port, in case the new address uses it
    if (!StartMetrics() && previous.metrics_listen) {
      config_.metrics_listen = previous.metrics_listen;
      config_.metrics_allow_remote = previous.metrics_allow_remote;
      spdlog::warn("reload: keeping the metrics endpoint on {}",
                   previous.metrics_listen->ToString());
      StartMetrics();
    }
  }
  for (const auto& key : plan.needs_restart) {
    spdlog::warn(
        "reload: {} changed; it needs a restart (systemctl restart footfalld), the "
        "running value is kept until then",
        key);
  }
  spdlog::info("configuration reloaded: {} setting(s) applied, {} waiting for a restart",
               plan.applied.size(), plan.needs_restart.size());
  notifier_.Ready(StatusLine());
}

bool App::StartMetrics() {
  metrics_.reset();
  if (!config_.metrics_listen) return true;
  const ListenAddress* where = &*config_.metrics_listen;
  // Over TCP, every scrape needs the bearer token (a systemd credential, or
  // a file only footfalld's user can read); a Unix socket is mode 0600.
  std::string token;
  if (where->unix_path.empty()) {
    try {
      std::optional<Secret> secret = ReadSecret(kMetricsTokenCredential, MetricsTokenFile(),
                                                std::getenv("CREDENTIALS_DIRECTORY"));
      if (!secret) {
        spdlog::error(
            "metrics endpoint: {} needs a bearer token: the systemd credential {} "
            "(LoadCredential=) or [metrics] token_file; or listen on a Unix socket "
            "(\"unix:/run/footfall/metrics.sock\")",
            where->ToString(), kMetricsTokenCredential);
        return false;
      }
      token = std::move(secret->value);
      spdlog::info("metrics endpoint: bearer token from {}", secret->source);
    } catch (const std::exception& e) {
      spdlog::error("metrics endpoint: bearer token: {}", e.what());
      return false;
    }
  }
  try {
    metrics_ = std::make_unique<MetricsServer>(
        io_, *where, [this] { return RenderPrometheus(Metrics()); }, std::move(token));
  } catch (const std::exception& e) {
    spdlog::error("metrics endpoint: cannot listen on {}: {}", where->ToString(), e.what());
    return false;
  }
  if (where->unix_path.empty()) {
    spdlog::info("metrics endpoint: http://{}/metrics", where->ToString());
  } else {
    spdlog::info("metrics endpoint: GET /metrics on the Unix socket {} (mode 0600)",
                 where->unix_path);
  }
  return true;
}

MetricsSnapshot App::Metrics() const {
  MetricsSnapshot m;
  m.version = FOOTFALL_VERSION;
  m.counters = counters_;
  const capture::SourceStats stats = source_->stats();
  m.pcap_dropped = stats.kernel_dropped + stats.iface_dropped;
  if (published_) {  // as published: a hidden figure is left out
    m.devices = published_->devices;
    m.estimated_devices = published_->estimated;
    m.visitors = published_->visitors;
  }
  m.mqtt_connected = publisher_->connected();
  m.mqtt_buffered = publisher_->pending();
  m.mqtt_dropped = publisher_->dropped();
  if (pseudonymizer_ && source_time_) {
    m.key_age_seconds =
        std::chrono::duration<double>(*source_time_ - pseudonymizer_->epoch_start()).count();
  }
  return m;
}

}  // namespace footfall::daemon
