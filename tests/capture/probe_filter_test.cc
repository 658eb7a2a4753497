// Purpose: tests of the kernel filters for probe requests, one per supported
// link type, run by libpcap's own BPF interpreter (pcap_offline_filter, the
// same program the kernel would run) over frames built here: probe requests
// pass, other frames and other payloads do not. PPI's filter is hand-written
// because libpcap 1.10 cannot compile one; the others are libpcap's.
#include "capture/probe_filter.h"

#include <gtest/gtest.h>
#include <pcap/pcap.h>

#include <string>
#include <vector>

#include "capture/test_frames.h"

namespace footfall::capture {
namespace {

// Runs the probe filter of `link_type` over `frame`: true if it passes.
class Filter {
 public:
  explicit Filter(int link_type) : pcap_(pcap_open_dead(link_type, 65535)) {
    error_ = MakeProbeFilter(pcap_, &program_).error();
  }
  ~Filter() {
    pcap_freecode(&program_);
    pcap_close(pcap_);
  }
  Filter(const Filter&) = delete;
  Filter& operator=(const Filter&) = delete;

  const std::string& error() const { return error_; }
  bool Passes(const Buffer& frame) const {
    pcap_pkthdr hdr{};
    hdr.caplen = static_cast<bpf_u_int32>(frame.size());
    hdr.len = hdr.caplen;
    return pcap_offline_filter(&program_, &hdr, frame.data()) != 0;
  }

 private:
  pcap_t* pcap_;
  bpf_program program_{};
  std::string error_;
};

// A header of each link type, in front of any 802.11 frame.
Buffer WithHeader(int link_type, const Buffer& frame) {
  switch (link_type) {
    case kLinkTypeRadiotap: {
      Bytes rt = StartRadiotap({Bit(1) | Bit(3) | Bit(5)});  // padding before Channel
      rt.U8(0).Align(2).U16(2412).U16(0).U8(static_cast<std::uint8_t>(-50));
      return Concat(FinishRadiotap(rt), frame);
    }
    case kLinkTypePpi: {
      PpiCommon c;
      c.signal = -50;
      return Concat(PpiHeader({{100, Buffer(5, 0)}, CommonField(c)}), frame);
    }
    case kLinkTypePrism:
      return Concat(StandardPrism(-50, 1), frame);
    case kLinkTypeAvs:
      return Concat(AvsHeader(1, kAvsSsiDbm, -50), frame);
    default:
      return frame;
  }
}

class ProbeFilterTest : public ::testing::TestWithParam<int> {};

TEST_P(ProbeFilterTest, PassesProbeRequestsOnly) {
  const int link_type = GetParam();
  Filter filter(link_type);
  ASSERT_EQ(filter.error(), "");
  EXPECT_TRUE(filter.Passes(WithHeader(link_type, Probe())));
  EXPECT_TRUE(filter.Passes(WithHeader(link_type, WithFcs(Probe()))));
  EXPECT_TRUE(filter.Passes(WithHeader(link_type, Probe({}))));
  for (std::uint8_t fc : {0x80, 0x50, 0x00, 0xC0, 0x08, 0x88, 0xD4, 0x44, 0x48}) {
    EXPECT_FALSE(filter.Passes(WithHeader(link_type, MgmtFrame(fc, kTa, 1, Buffer(12, 0)))))
        << "frame control 0x" << std::hex << int{fc};
  }
}

INSTANTIATE_TEST_SUITE_P(LinkTypes, ProbeFilterTest,
                         ::testing::Values(kLinkTypeRadiotap, kLinkTypeIeee80211, kLinkTypePpi,
                                           kLinkTypePrism, kLinkTypeAvs));

TEST(ProbeFilterPpiTest, HeaderLengthIsFollowedAndPayloadMustBe80211) {
  Filter filter(kLinkTypePpi);
  ASSERT_EQ(filter.error(), "");
  // PPI headers of several lengths (aligned or not, 8 to 300+ bytes).
  PpiCommon c;
  for (std::size_t extra : {0, 1, 3, 4, 7, 256}) {
    const Buffer hdr = PpiHeader({{100, Buffer(extra, 0x40)}, CommonField(c)}, extra % 2 == 0);
    EXPECT_TRUE(filter.Passes(Concat(hdr, Probe()))) << extra;
    EXPECT_FALSE(filter.Passes(Concat(hdr, MgmtFrame(0x80, kTa, 1, Buffer(12, 0))))) << extra;
  }
  EXPECT_TRUE(filter.Passes(Concat(PpiHeader({}), Probe())));
  // A probe request carried as another link type, or no frame at all.
  EXPECT_FALSE(filter.Passes(
      Concat(PpiHeader({}, false, kLinkTypeRadiotap), Concat(MinimalRadiotap(), Probe()))));
  EXPECT_FALSE(filter.Passes(Concat(PpiHeader({}, false, 1), Probe())));
  EXPECT_FALSE(filter.Passes(PpiHeader({})));
  EXPECT_FALSE(filter.Passes(Buffer{0, 0, 8}));
  // The length's high byte counts: 0x0108 = 264 bytes of header.
  Buffer big = PpiHeader({{100, Buffer(252, 0)}});
  ASSERT_EQ(big.size(), 264u);
  ASSERT_EQ(big[3], 1);
  EXPECT_TRUE(filter.Passes(Concat(big, Probe())));
}

TEST(ProbeFilterTest, OtherLinkTypesHaveNoFilter) {
  Filter filter(1);  // Ethernet
  EXPECT_NE(filter.error().find("type mgt subtype probe-req"), std::string::npos) << filter.error();
}

}  // namespace
}  // namespace footfall::capture
