// Purpose: live capture from a monitor-mode interface. The handle is opened
// with pcap_create -> options -> pcap_activate (errors and warnings told
// apart; a missing or down interface is a retryable error), filtered in the
// kernel to probe requests, put in non-blocking mode, and its selectable fd is
// watched by the Asio loop: frames are read only when the kernel says there
// are some, never by polling. An interface that disappears or goes down
// fails the source (OnSourceError); the RetryingSource around it re-attaches.
#include <net/if.h>
#include <spdlog/spdlog.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <cstring>

#include "capture/frame_parser.h"
#include "capture/pcap_util.h"
#include "capture/probe_filter.h"

namespace footfall::capture {
namespace {

constexpr int kDispatchBatch = 1024;

std::string MonitorHint(const std::string& iface) {
  return "create a monitor interface first, e.g. `iw phy phy0 interface add " + iface +
         " type monitor && ip link set " + iface + " up`";
}

class LiveSource final : public Source {
 public:
  LiveSource(std::string iface, pcap_t* pcap, boost::asio::io_context& io, int fd)
      : iface_(std::move(iface)), name_("pcap:" + iface_), pcap_(pcap), stream_(io, fd) {}
  ~LiveSource() override {
    Stop();
    pcap_close(pcap_);
  }

  void Start(FrameSink& sink) override {
    sink_ = &sink;
    link_type_ = pcap_datalink(pcap_);
    Arm();
  }

  void Stop() override {
    *alive_ = false;
    boost::system::error_code ignored;
    stream_.cancel(ignored);
  }

  bool finite() const override { return false; }
  const std::string& name() const override { return name_; }
  SourceStats stats() const override {
    SourceStats s = stats_;
    pcap_stat ps{};
    if (pcap_stats(pcap_, &ps) == 0) {
      s.received = ps.ps_recv;
      s.kernel_dropped = ps.ps_drop;
      s.iface_dropped = ps.ps_ifdrop;
    }
    return s;
  }

 private:
  void Arm() {
    stream_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                       [this, alive = alive_](const boost::system::error_code& ec) {
                         if (!*alive || ec == boost::asio::error::operation_aborted) return;
                         if (ec) return Fail("wait failed: " + ec.message());
                         Read();
                       });
  }

  void Read() {
    int n = pcap_dispatch(pcap_, kDispatchBatch, &LiveSource::OnPacket,
                          reinterpret_cast<u_char*>(this));
    if (!*alive_) return;
    if (n == PCAP_ERROR) return Fail(pcap_geterr(pcap_));
    // Woken with nothing to read: libpcap swallows the ENETDOWN of an
    // interface taken down (it would resume if it came back up); find out.
    if (n == 0 && !InterfaceUp()) return Fail("the interface went down");
    Arm();
  }

  bool InterfaceUp() const {
    ifreq ifr{};
    std::strncpy(ifr.ifr_name, iface_.c_str(), IFNAMSIZ - 1);
    // Any socket will do for SIOCGIFFLAGS; the capture's own is at hand.
    if (ioctl(pcap_fileno(pcap_), SIOCGIFFLAGS, &ifr) != 0) return false;  // gone
    return (ifr.ifr_flags & IFF_UP) != 0;
  }

  static void OnPacket(u_char* user, const pcap_pkthdr* hdr, const u_char* data) {
    auto* self = reinterpret_cast<LiveSource*>(user);
    if (!*self->alive_) return;
    ++self->stats_.records;
    RawFrame frame;
    frame.time = ToTimePoint(hdr->ts);
    frame.link_type = self->link_type_;
    // The packet buffer (or mmap ring slot) is writable process memory; the
    // parser zeroes the transmitter address in it.
    frame.data = const_cast<std::uint8_t*>(data);
    frame.caplen = hdr->caplen;
    frame.wirelen = hdr->len;
    self->sink_->OnFrame(frame);
  }

  void Fail(const std::string& why) {
    *alive_ = false;
    sink_->OnSourceError(name_ + ": capture failed: " + why);
  }

  std::string iface_;
  std::string name_;
  pcap_t* pcap_;
  boost::asio::posix::stream_descriptor stream_;
  FrameSink* sink_ = nullptr;
  int link_type_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  SourceStats stats_;
};

}  // namespace

std::unique_ptr<Source> OpenLiveSource(const std::string& iface, const SourceOptions& options,
                                       boost::asio::io_context& io) {
  const std::string name = "pcap:" + iface;
  char err[PCAP_ERRBUF_SIZE] = {};
  pcap_t* p = pcap_create(iface.c_str(), err);
  if (p == nullptr) throw SourceError(name + ": " + err);
  auto fail = [&](const std::string& why, bool retryable = false) -> SourceError {
    pcap_close(p);
    return SourceError(name + ": " + why, retryable);
  };
  pcap_set_snaplen(p, options.snaplen);
  pcap_set_buffer_size(p, options.buffer_size);
  pcap_set_immediate_mode(p, options.immediate ? 1 : 0);
  pcap_set_timeout(p, 100);
  int rc = pcap_activate(p);
  if (rc < 0) {
    std::string detail = pcap_geterr(p);
    switch (rc) {
      case PCAP_ERROR_NO_SUCH_DEVICE:
        throw fail("no such interface (" + detail + "); " + MonitorHint(iface), true);
      case PCAP_ERROR_PERM_DENIED:
        throw fail("permission denied (" + detail +
                   "); footfalld needs CAP_NET_RAW (run it from the shipped systemd unit or as "
                   "root)");
      case PCAP_ERROR_IFACE_NOT_UP:
        throw fail("interface is down; bring it up with `ip link set " + iface + " up`", true);
      default:
        throw fail(std::string("cannot start capture: ") + pcap_statustostr(rc) + " (" + detail +
                   ")");
    }
  }
  if (rc > 0) spdlog::warn("{}: {} ({})", name, pcap_statustostr(rc), pcap_geterr(p));
  int dlt = pcap_datalink(p);
  if (!IsSupportedLinkType(dlt)) {
    throw fail("link type " + DescribeLinkType(dlt) + " is not one of footfall's 802.11 link " +
               "types (" + SupportedLinkTypesText() + "): this is not a monitor-mode interface; " +
               MonitorHint(iface));
  }
  bpf_program prog{};
  if (const Status filter = MakeProbeFilter(p, &prog); !filter) throw fail(filter.error());
  int set_rc = pcap_setfilter(p, &prog);
  pcap_freecode(&prog);
  if (set_rc != 0) throw fail(std::string("cannot set filter: ") + pcap_geterr(p));
  if (pcap_setnonblock(p, 1, err) != 0) throw fail(std::string("non-blocking mode: ") + err);
  int fd = pcap_get_selectable_fd(p);
  if (fd < 0) throw fail("no selectable file descriptor");
  int owned = dup(fd);  // the stream_descriptor closes its own copy
  if (owned < 0) throw fail("dup failed");
  spdlog::info("{}: capturing, link type {}", name, DescribeLinkType(dlt));
  return std::make_unique<LiveSource>(iface, p, io, owned);
}

}  // namespace footfall::capture
