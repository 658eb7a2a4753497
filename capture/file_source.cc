// Purpose: replays a pcap or pcapng file through the Asio loop. At speed 0 it
// reads as fast as possible, in batches so that signals and other handlers
// still run; at speed N it paces frames at N x the capture's own timing and
// reports the replay clock to the sink (OnIdle) at least once a second of
// wall time, so windows close during long gaps. The capture's timestamps are
// the clock: a replay is deterministic.
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cmath>

#include "capture/frame_parser.h"
#include "capture/pcap_util.h"

namespace footfall::capture {
namespace {

constexpr int kBatch = 4096;  // records per loop turn at speed 0

class FileSource final : public Source {
 public:
  FileSource(std::string path, pcap_t* pcap, double speed, boost::asio::io_context& io)
      : name_("file:" + path), pcap_(pcap), speed_(speed), io_(io), timer_(io) {}
  ~FileSource() override {
    Stop();
    pcap_close(pcap_);
  }

  void Start(FrameSink& sink) override {
    sink_ = &sink;
    link_type_ = pcap_datalink(pcap_);
    boost::asio::post(io_, [this, alive = alive_] {
      if (*alive) Step();
    });
  }

  void Stop() override {
    *alive_ = false;
    timer_.cancel();
  }

  bool finite() const override { return true; }
  const std::string& name() const override { return name_; }
  SourceStats stats() const override { return stats_; }

 private:
  // Reads the next record into hdr_/data_. Returns false at the end (or error).
  bool ReadNext() {
    int rc = pcap_next_ex(pcap_, &hdr_, &data_);
    if (rc == 1) {
      ++stats_.records;
      return true;
    }
    if (rc == PCAP_ERROR) {
      // A file cut off mid-record: everything before it was used; say so.
      spdlog::warn("{}: stopped reading after {} records: {}", name_, stats_.records,
                   pcap_geterr(pcap_));
    }
    return false;
  }

  void Deliver() {
    RawFrame frame;
    frame.time = ToTimePoint(hdr_->ts);
    frame.link_type = link_type_;
    // libpcap's record buffer is its own writable memory; the parser zeroes
    // the transmitter address in it.
    frame.data = const_cast<std::uint8_t*>(data_);
    frame.caplen = hdr_->caplen;
    frame.wirelen = hdr_->len;
    have_record_ = false;
    sink_->OnFrame(frame);
  }

  void Finish() {
    *alive_ = false;
    spdlog::info("{}: end of capture, {} records", name_, stats_.records);
    sink_->OnEnd();
  }

  void Step() {
    if (speed_ <= 0) {
      for (int i = 0; i < kBatch; ++i) {
        if (!ReadNext()) return Finish();
        Deliver();
        if (!*alive_) return;
      }
      boost::asio::post(io_, [this, alive = alive_] {
        if (*alive) Step();
      });
      return;
    }
    Paced();
  }

  // Replay clock: capture time that corresponds to the wall clock now.
  TimePoint ReplayNow() const {
    auto wall = std::chrono::steady_clock::now() - wall_start_;
    auto scaled = std::chrono::duration_cast<TimePoint::duration>(
        std::chrono::duration<double>(wall) * speed_);
    return capture_start_ + scaled;
  }

  void Paced() {
    while (true) {
      if (!have_record_) {
        if (!ReadNext()) return Finish();
        have_record_ = true;
      }
      TimePoint ts = ToTimePoint(hdr_->ts);
      if (!clock_started_) {
        clock_started_ = true;
        capture_start_ = ts;
        wall_start_ = std::chrono::steady_clock::now();
      }
      TimePoint now = ReplayNow();
      if (ts <= now) {
        Deliver();
        if (!*alive_) return;
        continue;
      }
      // Wait for the frame, but wake at least once a wall second to let
      // windows close during gaps in the capture.
      auto wait = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
          std::chrono::duration<double>(ts - now) / speed_);
      const bool long_gap = wait > std::chrono::seconds(1);
      if (long_gap) wait = std::chrono::seconds(1);
      timer_.expires_after(wait);
      timer_.async_wait([this, alive = alive_, long_gap](const boost::system::error_code& ec) {
        if (ec || !*alive) return;
        if (long_gap) {
          TimePoint idle = std::min(ReplayNow(), ToTimePoint(hdr_->ts));
          sink_->OnIdle(idle);
          if (!*alive) return;
        }
        Paced();
      });
      return;
    }
  }

  std::string name_;
  pcap_t* pcap_;
  double speed_;
  boost::asio::io_context& io_;
  boost::asio::steady_timer timer_;
  FrameSink* sink_ = nullptr;
  int link_type_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  pcap_pkthdr* hdr_ = nullptr;
  const u_char* data_ = nullptr;
  bool have_record_ = false;
  bool clock_started_ = false;
  TimePoint capture_start_{};
  std::chrono::steady_clock::time_point wall_start_{};
  SourceStats stats_;
};

}  // namespace

std::unique_ptr<Source> OpenFileSource(const std::string& path, const SourceOptions& options,
                                       boost::asio::io_context& io) {
  if (!(options.speed >= 0) || !std::isfinite(options.speed)) {
    throw SourceError("file:" + path + ": speed must be a finite number >= 0");
  }
  char err[PCAP_ERRBUF_SIZE] = {};
  pcap_t* p =
      pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_MICRO, err);
  if (p == nullptr) throw SourceError("file:" + path + ": cannot open capture: " + err);
  int dlt = pcap_datalink(p);
  if (!IsSupportedLinkType(dlt)) {
    pcap_close(p);
    throw SourceError("file:" + path + ": link type " + DescribeLinkType(dlt) +
                      " is not 802.11; footfall reads " + SupportedLinkTypesText());
  }
  return std::make_unique<FileSource>(path, p, options.speed, io);
}

}  // namespace footfall::capture
