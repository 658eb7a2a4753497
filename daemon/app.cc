// Purpose: the wiring of footfalld's pipeline (see app.h).
#include "daemon/app.h"

#include <spdlog/spdlog.h>

#include <csignal>

#include "capture/frame_parser.h"

namespace footfall::daemon {
namespace {

std::unique_ptr<hashing::RotationSchedule> MakeSchedule(const Config& c) {
  if (c.rotate_every.count() > 0) return hashing::MakePeriodicSchedule(c.rotate_every);
  int hour = std::stoi(c.rotate_at.substr(0, 2));
  int minute = std::stoi(c.rotate_at.substr(3, 2));
  return hashing::MakeDailySchedule(hour, minute);
}

hashing::Algorithm ParseAlgorithm(const std::string& name) {
  return name == "blake2b" ? hashing::Algorithm::kBlake2b : hashing::Algorithm::kSipHash24;
}

capture::SourceOptions SourceOptionsFrom(const Config& c) {
  capture::SourceOptions o;
  o.speed = c.speed;
  o.snaplen = c.snaplen;
  o.buffer_size = c.buffer_size_kib * 1024;
  o.immediate = c.immediate;
  return o;
}

constexpr int kExitUnavailable = 69;  // EX_UNAVAILABLE: messages left undelivered
constexpr int kExitSoftware = 70;     // EX_SOFTWARE: capture failed at run time

}  // namespace

App::App(Config config, boost::asio::io_context& io,
         std::unique_ptr<transport::Publisher> publisher)
    : config_(std::move(config)),
      io_(io),
      publisher_(std::move(publisher)),
      windows_(config_.window_length,
               [this](const analytics::WindowReport& r) { EmitWindow(r); }),
      seq_(config_.state_dir + "/seq"),
      identity_{config_.site, config_.sensor_id},
      signals_(io, SIGINT, SIGTERM, SIGHUP),
      tick_(io),
      started_(std::chrono::steady_clock::now()) {
  source_ = capture::OpenSource(config_.source, SourceOptionsFrom(config_), io_);
  // A live sensor's clock is the wall clock from the start; a replay's clock
  // is the capture's, so its keys are made at the first frame's time.
  if (!source_->finite()) Keys(std::chrono::system_clock::now());
}

App::~App() = default;

hashing::Pseudonymizer& App::Keys(capture::TimePoint now) {
  if (!pseudonymizer_) {
    pseudonymizer_ = std::make_unique<hashing::Pseudonymizer>(
        ParseAlgorithm(config_.algorithm), MakeSchedule(config_), hashing::MakeRandomKeySource(),
        now);
    spdlog::info("pseudonym key created in locked memory; rotation {}",
                 MakeSchedule(config_)->Describe());
  } else if (pseudonymizer_->AdvanceTo(now)) {
    spdlog::info("pseudonym key rotated and the old key wiped (epoch {})",
                 pseudonymizer_->epoch());
  }
  return *pseudonymizer_;
}

int App::Run() {
  signals_.async_wait([this](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    if (sig == SIGHUP) {
      spdlog::warn("SIGHUP: configuration reload is not supported yet; restart footfalld");
      // Re-arm for further signals.
      signals_.async_wait([this](const boost::system::error_code& e2, int s2) {
        if (!e2) Stop(s2 == SIGINT ? "SIGINT" : "SIGTERM", 0);
      });
      return;
    }
    Stop(sig == SIGINT ? "SIGINT" : "SIGTERM", 0);
  });
  started_ = std::chrono::steady_clock::now();
  source_->Start(*this);
  notifier_.Ready(StatusLine());
  spdlog::info("footfalld started: {} -> {} (window {} s)", source_->name(),
               config_.topic_base(), config_.window_length.count());
  Tick();
  io_.run();
  return exit_code_;
}

void App::Advance(capture::TimePoint now) {
  if (!clock_ || now > *clock_) clock_ = now;
  windows_.AdvanceTo(now);
}

void App::OnFrame(capture::RawFrame& frame) {
  ++counters_.frames;
  const capture::TimePoint t = frame.time;
  Advance(t);
  capture::ParseResult r =
      capture::ParseFrame(frame.link_type, frame.data, frame.caplen, frame.wirelen);
  switch (r.frame_class) {
    case capture::FrameClass::kProbeRequest: {
      ++counters_.probe_requests;
      hashing::Pseudonym who = Keys(t).Pseudonymize(r.probe.transmitter);
      // The most verbose level shows what was used, never who sent it.
      if (spdlog::should_log(spdlog::level::trace)) {
        spdlog::trace("probe request: {} MAC, signal {} dBm, {} MHz",
                      who.randomized ? "randomized" : "global",
                      r.probe.radio.signal_dbm ? std::to_string(*r.probe.radio.signal_dbm) : "-",
                      r.probe.radio.frequency_mhz ? std::to_string(*r.probe.radio.frequency_mhz)
                                                  : "-");
      }
      windows_.OnProbe(t, who, r.probe.radio.signal_dbm);
      break;
    }
    case capture::FrameClass::kOther:
      ++counters_.other;
      break;
    case capture::FrameClass::kMalformed:
      ++counters_.malformed;
      windows_.OnMalformed(t);
      spdlog::debug("malformed frame skipped: {}", r.reason != nullptr ? r.reason : "?");
      break;
    case capture::FrameClass::kBadFcs:
      ++counters_.bad_fcs;
      windows_.OnBadFcs(t);
      break;
  }
}

void App::OnIdle(capture::TimePoint now) {
  Advance(now);
  if (pseudonymizer_) Keys(now);
}

void App::OnEnd() { Stop("end of capture", 0); }

void App::OnSourceError(const std::string& message) {
  spdlog::error("{}", message);
  Stop("capture failed", kExitSoftware);
}

void App::EmitWindow(const analytics::WindowReport& report) {
  ++counters_.windows;
  const std::uint64_t seq = seq_.Next();
  if (std::string err = seq_.TakeError(); !err.empty()) {
    // The number is still unique within this run; a restart may repeat it.
    spdlog::error("{}", err);
  }
  publisher_->Publish("counts", transport::EncodeCounts(identity_, seq, report));
  spdlog::info("window {} {}: {} probe requests, {} devices ({} randomized), {} malformed, {} "
               "bad FCS (seq {})",
               transport::FormatUtc(report.start), report.partial ? "(partial)" : "",
               report.probe_requests, report.devices, report.randomized_mac, report.malformed,
               report.bad_fcs, seq);
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
  // The window in progress is published as partial, up to the source's clock.
  capture::TimePoint end = clock_.value_or(std::chrono::system_clock::now());
  if (!source_->finite()) end = std::chrono::system_clock::now();
  windows_.Flush(end);
  seq_.Sync();
  if (!publisher_->Shutdown(config_.drain_timeout)) {
    spdlog::error("{} messages (the final status included) were not acknowledged by the broker "
                  "within {} s; they are lost",
                  publisher_->pending(), config_.drain_timeout.count());
    if (exit_code_ == 0) exit_code_ = kExitUnavailable;
  }
  spdlog::info("{} frames in {:.3f} s ({:.0f} frames/s): {} probe requests, {} other, {} "
               "malformed, {} bad FCS; {} windows published",
               counters_.frames, elapsed, elapsed > 0 ? counters_.frames / elapsed : 0.0,
               counters_.probe_requests, counters_.other, counters_.malformed, counters_.bad_fcs,
               counters_.windows);
  io_.stop();
}

std::string App::StatusLine() const {
  std::string s = source_->name();
  s += ": " + std::to_string(counters_.frames) + " frames, " +
       std::to_string(windows_.current_devices()) + " devices this window; broker ";
  s += publisher_->connected() ? "connected" : "disconnected";
  s += ", " + std::to_string(publisher_->pending()) + " unacknowledged";
  if (pseudonymizer_ && clock_) {
    auto age = std::chrono::duration_cast<std::chrono::minutes>(*clock_ -
                                                               pseudonymizer_->epoch_start());
    s += "; key age " + std::to_string(age.count()) + " min";
  }
  return s;
}

void App::Tick() {
  if (stopping_) return;
  if (!source_->finite()) OnIdle(std::chrono::system_clock::now());
  notifier_.Status(StatusLine());
  if (notifier_.watchdog_interval()) notifier_.Watchdog();
  auto period = std::chrono::milliseconds(1000);
  if (auto wd = notifier_.watchdog_interval()) {
    period = std::min(period, std::chrono::duration_cast<std::chrono::milliseconds>(*wd));
  }
  tick_.expires_after(period);
  tick_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) Tick();
  });
}

}  // namespace footfall::daemon
