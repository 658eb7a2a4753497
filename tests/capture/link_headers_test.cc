// Purpose: tests of the capture headers other than radiotap — PPI (192),
// Prism (119, with AVS inside too) and AVS (163) — on frames built byte by
// byte here (no public capture holds probe requests with these headers):
// where the 802.11 frame starts, signal, frequency and band, TSFT, FCS flags,
// and every malformed-header case. The frame builders are checked against an
// independent reading: tshark dissects the same frames written to pcap files.
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "capture/frame_parser.h"
#include "capture/test_frames.h"
#include "support/test_support.h"

namespace footfall::capture {
namespace {

void ExpectProbeAt(const ParseResult& r, const Buffer& b, std::size_t frame_offset) {
  ASSERT_EQ(r.frame_class, FrameClass::kProbeRequest) << (r.reason ? r.reason : "");
  EXPECT_TRUE(SameAsTa(r.probe.transmitter.data()));
  EXPECT_TRUE(AllZero(b.data() + frame_offset + kTaOffset, 6)) << "transmitter not wiped";
  EXPECT_EQ(r.probe.sequence, 0xABC);
  EXPECT_EQ(r.probe.ies, b.data() + frame_offset + 24);
  EXPECT_EQ(r.probe.ies_len, DefaultIes().size());
}

void ExpectMalformedAs(Buffer b, int link_type, const std::string& reason) {
  ParseResult r = Parse(b, link_type);
  EXPECT_EQ(r.frame_class, FrameClass::kMalformed);
  ASSERT_NE(r.reason, nullptr);
  EXPECT_EQ(std::string(r.reason), reason);
}

// ---- PPI ----------------------------------------------------------------------

TEST(PpiTest, CommonFieldGivesSignalFrequencyTsftAndFcs) {
  PpiCommon c;
  c.tsf = 0x0102030405060708ull;
  c.flags = 0x1;  // FCS at end
  c.frequency = 5180;
  c.signal = -63;
  const Buffer hdr = PpiHeader({CommonField(c)});
  ASSERT_EQ(hdr.size(), 8u + 4 + 20);
  Buffer b = Concat(hdr, WithFcs(Probe()));
  ParseResult r = Parse(b, kLinkTypePpi);
  ExpectProbeAt(r, b, hdr.size());
  EXPECT_EQ(r.probe.radio.signal_dbm, -63);
  EXPECT_EQ(r.probe.radio.frequency_mhz, 5180);
  EXPECT_EQ(r.probe.radio.band, Band::k5GHz);
  EXPECT_EQ(r.probe.radio.tsft_us, 0x0102030405060708ull);
  EXPECT_TRUE(r.probe.radio.has_fcs);
  EXPECT_EQ(r.fcs, FcsCheck::kGood);
}

TEST(PpiTest, NoFieldsIsAPlainFrame) {
  const Buffer hdr = PpiHeader({});
  Buffer b = Concat(hdr, Probe());
  ParseResult r = Parse(b, kLinkTypePpi);
  ExpectProbeAt(r, b, 8);
  EXPECT_FALSE(r.probe.radio.signal_dbm.has_value());
  EXPECT_FALSE(r.probe.radio.frequency_mhz.has_value());
  EXPECT_FALSE(r.probe.radio.has_fcs);
}

TEST(PpiTest, OtherFieldsAreSkippedAlignedOrNot) {
  PpiCommon c;
  c.frequency = 2462;
  c.signal = -71;
  // An odd-sized field (type 30002, aggregation; 5 bytes) before the common one.
  for (bool aligned : {false, true}) {
    const Buffer hdr =
        PpiHeader({{30002, Buffer(5, 0xAB)}, CommonField(c), {4, Buffer(3, 0)}}, aligned);
    ASSERT_EQ(hdr.size(), aligned ? 8u + 12 + 24 + 8 : 8u + 9 + 24 + 7);
    Buffer b = Concat(hdr, Probe());
    ParseResult r = Parse(b, kLinkTypePpi);
    ExpectProbeAt(r, b, hdr.size());
    EXPECT_EQ(r.probe.radio.signal_dbm, -71) << "aligned " << aligned;
    EXPECT_EQ(r.probe.radio.frequency_mhz, 2462) << "aligned " << aligned;
    EXPECT_EQ(r.probe.radio.band, Band::k2_4GHz);
  }
}

TEST(PpiTest, AlignmentFlagDecidesWhereTheNextFieldIs) {
  // Built aligned (3 zero pad bytes after the 5-byte field) but flagged
  // unaligned: the next field header is read at offset 17, inside the padding,
  // where it claims 512 bytes (0x0200: a pad byte and the common field's type).
  PpiCommon c;
  c.signal = -71;
  Buffer hdr = PpiHeader({{30002, Buffer(5, 0xAB)}, CommonField(c)}, true);
  hdr[1] = 0;  // clear the alignment flag
  ExpectMalformedAs(Concat(hdr, Probe()), kLinkTypePpi, "PPI field overruns header");
}

TEST(PpiTest, TsfInMillisecondsIsConverted) {
  PpiCommon c;
  c.tsf = 1234;
  c.flags = 0x2;
  Buffer b = Concat(PpiHeader({CommonField(c)}), Probe());
  EXPECT_EQ(Parse(b, kLinkTypePpi).probe.radio.tsft_us, 1234000u);
}

TEST(PpiTest, SignalMinus128MeansNoneAndOutOfRangeIsFlagged) {
  PpiCommon c;  // signal -128
  Buffer a = Concat(PpiHeader({CommonField(c)}), Probe());
  ParseResult ra = Parse(a, kLinkTypePpi);
  EXPECT_FALSE(ra.probe.radio.signal_dbm.has_value());
  EXPECT_FALSE(ra.probe.radio.signal_out_of_range);
  c.signal = 26;
  Buffer b = Concat(PpiHeader({CommonField(c)}), Probe());
  ParseResult rb = Parse(b, kLinkTypePpi);
  EXPECT_FALSE(rb.probe.radio.signal_dbm.has_value());
  EXPECT_TRUE(rb.probe.radio.signal_out_of_range);
}

TEST(PpiTest, FcsFlaggedInvalidAndFcsMismatch) {
  PpiCommon c;
  c.flags = 0x1 | 0x4;  // FCS at end, flagged invalid
  Buffer a = Concat(PpiHeader({CommonField(c)}), WithFcs(Probe()));
  ParseResult ra = Parse(a, kLinkTypePpi);
  EXPECT_EQ(ra.frame_class, FrameClass::kBadFcs);
  EXPECT_EQ(ra.fcs, FcsCheck::kFlaggedBad);
  EXPECT_TRUE(AllZero(a.data() + 32 + kTaOffset, 6)) << "transmitter not wiped";
  c.flags = 0x1;
  Buffer frame = WithFcs(Probe());
  frame[frame.size() - 2] ^= 0x10;
  Buffer b = Concat(PpiHeader({CommonField(c)}), frame);
  ParseResult rb = Parse(b, kLinkTypePpi);
  EXPECT_EQ(rb.frame_class, FrameClass::kBadFcs);
  EXPECT_EQ(rb.fcs, FcsCheck::kMismatch);
}

TEST(PpiTest, MalformedHeaders) {
  PpiCommon c;
  const Buffer good = Concat(PpiHeader({CommonField(c)}), Probe());
  for (std::size_t n = 0; n < 8; ++n) {
    ExpectMalformedAs(Buffer(good.begin(), good.begin() + n), kLinkTypePpi, "PPI header truncated");
  }
  Buffer version = good;
  version[0] = 1;
  ExpectMalformedAs(version, kLinkTypePpi, "PPI version not 0");
  Buffer short_len = good;
  short_len[2] = 7;
  short_len[3] = 0;
  ExpectMalformedAs(short_len, kLinkTypePpi, "PPI length shorter than its fixed header");
  Buffer long_len = good;
  long_len[2] = 0xFF;
  long_len[3] = 0x0F;
  ExpectMalformedAs(long_len, kLinkTypePpi, "PPI header longer than frame");
  ExpectMalformedAs(Concat(PpiHeader({}, false, 127), Probe()), kLinkTypePpi,
                    "PPI payload is not 802.11 (link type 105)");
  ExpectMalformedAs(Concat(PpiHeader({}, false, 1), Probe()), kLinkTypePpi,
                    "PPI payload is not 802.11 (link type 105)");
  // A field claiming more bytes than the header has.
  Buffer overrun = PpiHeader({{7, Buffer(8, 0)}});
  overrun[10] = 9;  // field length 9, 8 present
  ExpectMalformedAs(Concat(overrun, Probe()), kLinkTypePpi, "PPI field overruns header");
  // A common field too short to hold its 20 bytes.
  ExpectMalformedAs(Concat(PpiHeader({{2, Buffer(19, 0)}}), Probe()), kLinkTypePpi,
                    "PPI 802.11-common field too short");
  // Header fine, frame shorter than frame control.
  ExpectMalformedAs(PpiHeader({CommonField(c)}), kLinkTypePpi, "frame shorter than frame control");
}

TEST(PpiTest, FewerThanFourTrailingBytesAreIgnored) {
  // Two stray bytes at the end of the PPI header (after the last field).
  Buffer hdr = PpiHeader({});
  hdr.push_back(0x99);
  hdr.push_back(0x99);
  hdr[2] = static_cast<std::uint8_t>(hdr.size());
  Buffer b = Concat(hdr, Probe());
  ExpectProbeAt(Parse(b, kLinkTypePpi), b, hdr.size());
}

// ---- Prism --------------------------------------------------------------------

TEST(PrismTest, SignalAndChannelInEitherByteOrder) {
  for (bool big_endian : {false, true}) {
    const Buffer hdr = StandardPrism(-58, 11, big_endian);
    ASSERT_EQ(hdr.size(), 144u);
    Buffer b = Concat(hdr, Probe());
    ParseResult r = Parse(b, kLinkTypePrism);
    ExpectProbeAt(r, b, 144);
    EXPECT_EQ(r.probe.radio.signal_dbm, -58) << "big endian " << big_endian;
    EXPECT_EQ(r.probe.radio.frequency_mhz, 2462);
    EXPECT_EQ(r.probe.radio.band, Band::k2_4GHz);
    EXPECT_FALSE(r.probe.radio.has_fcs);
  }
}

TEST(PrismTest, OlderDidFamilyAndItemsWithoutValue) {
  // msgcode 0x41 with DIDs 0xN041; the signal item says "no value".
  std::vector<PrismItem> items = {{0x3041, 0, 36}, {0x6041, 1, 0xFFFFFFB0u}};
  Buffer b = Concat(PrismHeader(items, false, 0x41), Probe());
  ParseResult r = Parse(b, kLinkTypePrism);
  ExpectProbeAt(r, b, 24 + 24);
  EXPECT_EQ(r.probe.radio.frequency_mhz, 5180);
  EXPECT_FALSE(r.probe.radio.signal_dbm.has_value());
  EXPECT_FALSE(r.probe.radio.signal_out_of_range);
  items[1].status = 0;  // now -80 dBm
  Buffer c = Concat(PrismHeader(items, false, 0x41), Probe());
  EXPECT_EQ(Parse(c, kLinkTypePrism).probe.radio.signal_dbm, -80);
}

TEST(PrismTest, RssiUnitsInTheSignalItemAreOutOfRange) {
  // Some drivers put a positive RSSI, not dBm, in "signal".
  Buffer b = Concat(StandardPrism(45, 1), Probe());
  ParseResult r = Parse(b, kLinkTypePrism);
  ASSERT_EQ(r.frame_class, FrameClass::kProbeRequest);
  EXPECT_FALSE(r.probe.radio.signal_dbm.has_value());
  EXPECT_TRUE(r.probe.radio.signal_out_of_range);
  EXPECT_EQ(r.probe.radio.frequency_mhz, 2412);
}

TEST(PrismTest, ChannelNumbersOutsideKnownBandsGiveNoFrequency) {
  for (std::uint32_t channel : {0u, 15u, 31u, 178u, 1000u}) {
    Buffer b = Concat(StandardPrism(-50, channel), Probe());
    ParseResult r = Parse(b, kLinkTypePrism);
    ASSERT_EQ(r.frame_class, FrameClass::kProbeRequest);
    EXPECT_FALSE(r.probe.radio.frequency_mhz.has_value()) << channel;
  }
  Buffer c = Concat(StandardPrism(-50, 14), Probe());
  EXPECT_EQ(Parse(c, kLinkTypePrism).probe.radio.frequency_mhz, 2484);
  Buffer d = Concat(StandardPrism(-50, 165), Probe());
  EXPECT_EQ(Parse(d, kLinkTypePrism).probe.radio.frequency_mhz, 5825);
}

TEST(PrismTest, AvsHeaderUnderPrismLinkType) {
  Buffer b = Concat(AvsHeader(6, kAvsSsiDbm, -66), Probe());
  ParseResult r = Parse(b, kLinkTypePrism);
  ExpectProbeAt(r, b, 64);
  EXPECT_EQ(r.probe.radio.signal_dbm, -66);
  EXPECT_EQ(r.probe.radio.frequency_mhz, 2437);
}

TEST(PrismTest, MalformedHeaders) {
  const Buffer good = Concat(StandardPrism(-50, 1), Probe());
  for (std::size_t n = 0; n < 8; ++n) {
    ExpectMalformedAs(Buffer(good.begin(), good.begin() + n), kLinkTypePrism,
                      "Prism header truncated");
  }
  Buffer code = good;
  code[0] = 0x45;
  ExpectMalformedAs(code, kLinkTypePrism, "Prism message code unknown");
  Buffer short_len = good;
  short_len[4] = 23;
  short_len[5] = 0;
  ExpectMalformedAs(short_len, kLinkTypePrism, "Prism length shorter than its fixed header");
  Buffer long_len = good;
  long_len[5] = 0x10;  // 144 + 4096
  ExpectMalformedAs(long_len, kLinkTypePrism, "Prism header longer than frame");
  // A header whose length ends inside an item reads only whole items.
  Buffer partial = good;
  partial[4] = 24 + 12 * 5 + 6;  // five whole items (signal is the sixth), half of one
  Buffer partial_frame =
      Concat(Buffer(partial.begin(), partial.begin() + 24 + 12 * 5 + 6), Probe());
  ParseResult r = Parse(partial_frame, kLinkTypePrism);
  ExpectProbeAt(r, partial_frame, 24 + 12 * 5 + 6);
  EXPECT_FALSE(r.probe.radio.signal_dbm.has_value());
  EXPECT_EQ(r.probe.radio.frequency_mhz, 2412);
}

// ---- AVS ----------------------------------------------------------------------

TEST(AvsTest, SignalAndFrequencyOfVersionsOneAndTwo) {
  for (std::uint32_t version : {1u, 2u}) {
    const Buffer hdr = AvsHeader(5745, kAvsSsiDbm, -77, version);
    Buffer b = Concat(hdr, Probe());
    ParseResult r = Parse(b, kLinkTypeAvs);
    ExpectProbeAt(r, b, hdr.size());
    EXPECT_EQ(r.probe.radio.signal_dbm, -77) << "version " << version;
    EXPECT_EQ(r.probe.radio.frequency_mhz, 5745);
    EXPECT_EQ(r.probe.radio.band, Band::k5GHz);
    EXPECT_FALSE(r.probe.radio.has_fcs);
  }
}

TEST(AvsTest, ChannelFieldAsChannelMegahertzOrKilohertz) {
  for (auto [field, mhz] :
       {std::pair<std::uint32_t, int>{1, 2412}, {149, 5745}, {2437, 2437}, {6115000, 6115}}) {
    Buffer b = Concat(AvsHeader(field, kAvsSsiDbm, -50), Probe());
    ParseResult r = Parse(b, kLinkTypeAvs);
    ASSERT_EQ(r.frame_class, FrameClass::kProbeRequest);
    EXPECT_EQ(r.probe.radio.frequency_mhz, mhz) << field;
  }
}

TEST(AvsTest, SignalOnlyWhenItIsInDbm) {
  for (std::uint32_t type : {0u, 1u, 3u}) {  // none, normalized RSSI, raw RSSI
    Buffer b = Concat(AvsHeader(1, type, -50), Probe());
    ParseResult r = Parse(b, kLinkTypeAvs);
    EXPECT_FALSE(r.probe.radio.signal_dbm.has_value()) << type;
    EXPECT_FALSE(r.probe.radio.signal_out_of_range) << type;
  }
  Buffer odd = Concat(AvsHeader(1, kAvsSsiDbm, 10), Probe());
  EXPECT_TRUE(Parse(odd, kLinkTypeAvs).probe.radio.signal_out_of_range);
}

TEST(AvsTest, MalformedHeaders) {
  const Buffer good = Concat(AvsHeader(1, kAvsSsiDbm, -50), Probe());
  for (std::size_t n = 0; n < 8; ++n) {
    ExpectMalformedAs(Buffer(good.begin(), good.begin() + n), kLinkTypeAvs, "AVS header truncated");
  }
  for (std::uint8_t last : {0x00, 0x03, 0x0F}) {
    Buffer version = good;
    version[3] = last;
    ExpectMalformedAs(version, kLinkTypeAvs, "AVS header version unknown");
  }
  Buffer magic = good;
  magic[0] = 0x81;
  ExpectMalformedAs(magic, kLinkTypeAvs, "AVS header version unknown");
  Buffer short_len = good;
  short_len[7] = 63;
  ExpectMalformedAs(short_len, kLinkTypeAvs, "AVS length shorter than its fields");
  Buffer long_len = good;
  long_len[6] = 0x10;
  ExpectMalformedAs(long_len, kLinkTypeAvs, "AVS header longer than frame");
}

// ---- The builders, read by tshark -------------------------------------------------

// One frame of each kind written to a pcap of its link type and dissected by
// tshark 4.0: if our reading of these formats (in the builders and so in the
// parser) differed from Wireshark's, the figures would not match. (Wireshark
// derives its generic signal for Prism from the "rssi" item, so Prism is
// compared on its own "signal" and channel items.)
TEST(LinkHeadersTest, TsharkReadsTheBuiltFramesAsTheParserDoes) {
  struct Case {
    int link_type;
    Buffer bytes;
    std::vector<std::string> fields;  // tshark fields after type/subtype and seq
    std::function<std::string(const ParseResult&)> expected;
  };
  const auto signal_and_mhz = [](const ParseResult& r) {
    return std::to_string(r.probe.radio.signal_dbm.value_or(999)) + "," +
           std::to_string(r.probe.radio.frequency_mhz.value_or(0));
  };
  PpiCommon c;
  c.frequency = 2437;
  c.signal = -61;
  PpiCommon c5 = c;
  c5.frequency = 5500;
  c5.signal = -29;
  std::vector<Case> cases = {
      // Unaligned, after an unknown odd-sized field.
      {kLinkTypePpi,
       Concat(PpiHeader({{100, Buffer(5, 0)}, CommonField(c)}), Probe()),
       {"wlan_radio.signal_dbm", "wlan_radio.frequency"},
       signal_and_mhz},
      // Aligned, after an unknown field of 8 bytes (Wireshark 4.0 mishandles
      // the padding of odd-sized fields, so none here).
      {kLinkTypePpi,
       Concat(PpiHeader({{100, Buffer(8, 0)}, CommonField(c5)}, true), Probe()),
       {"wlan_radio.signal_dbm", "wlan_radio.frequency"},
       signal_and_mhz},
      {kLinkTypePrism,
       Concat(StandardPrism(-62, 11), Probe()),
       {"prism.did.signal", "wlan_radio.channel"},
       [](const ParseResult& r) {
         return std::to_string(r.probe.radio.signal_dbm.value_or(999)) + "," +
                (r.probe.radio.frequency_mhz == 2462 ? "11" : "?");
       }},
      {kLinkTypeAvs,
       Concat(AvsHeader(5180, kAvsSsiDbm, -63), Probe()),
       {"wlan_radio.signal_dbm", "wlan_radio.frequency"},
       signal_and_mhz},
  };
  footfall::testing::TempDir dir;
  int n = 0;
  for (Case& k : cases) {
    SCOPED_TRACE("case " + std::to_string(n) + ", link type " + std::to_string(k.link_type));
    footfall::testing::PcapRecord record;
    record.ts_us = 1700000000000000;
    record.bytes = k.bytes;
    const std::string path = dir.File(std::to_string(n++) + ".pcap");
    footfall::testing::WritePcap(path, k.link_type, {record});
    std::vector<std::string> argv = {
        "tshark", "-n",      "-r",          path, "-T",
        "fields", "-E",      "separator=,", "-e", "wlan.fc.type_subtype",
        "-e",     "wlan.seq"};
    for (const std::string& f : k.fields) {
      argv.push_back("-e");
      argv.push_back(f);
    }
    std::string out;
    ASSERT_EQ(footfall::testing::RunCommand(argv, &out), 0) << out;
    ParseResult r = Parse(k.bytes, k.link_type);
    ASSERT_EQ(r.frame_class, FrameClass::kProbeRequest) << (r.reason ? r.reason : "");
    const std::string expected = "0x0004," + std::to_string(r.probe.sequence) + "," + k.expected(r);
    // tshark may print notices on lines of their own.
    EXPECT_NE(out.find(expected + "\n"), std::string::npos)
        << "tshark: " << out << " parser: " << expected;
  }
}

}  // namespace
}  // namespace footfall::capture
