// Purpose: unit tests of the radiotap/802.11 parser on frames built byte by
// byte in the tests: radiotap field alignment, extended and vendor-namespace
// bitmaps, every malformed-header case, FCS handling (good, bad, flagged,
// snap-length truncated), frame classification, the wiping of the transmitter
// address from the caller's buffer, and a randomized robustness loop
// (meant to run under ASan/UBSan) over random and mutated buffers. All MAC
// addresses here are made up; failure messages never print them anyway.
#include "capture/frame_parser.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "capture/mac_address.h"
#include "capture/test_frames.h"

namespace footfall::capture {

// Readable frame classes in failure messages (found by GoogleTest through ADL).
static void PrintTo(FrameClass c, std::ostream* os) {
  switch (c) {
    case FrameClass::kProbeRequest:
      *os << "kProbeRequest";
      return;
    case FrameClass::kOther:
      *os << "kOther";
      return;
    case FrameClass::kMalformed:
      *os << "kMalformed";
      return;
    case FrameClass::kBadFcs:
      *os << "kBadFcs";
      return;
  }
  *os << "FrameClass(" << static_cast<int>(c) << ")";
}

namespace {

// Checks a successfully parsed probe built by Probe(): transmitter copied out
// and wiped at `frame_offset + 10` in the buffer, IEs as built.
void ExpectProbe(const ParseResult& r, const Buffer& b, std::size_t frame_offset,
                 std::size_t ies_len = DefaultIes().size()) {
  ASSERT_EQ(r.frame_class, FrameClass::kProbeRequest) << (r.reason ? r.reason : "");
  EXPECT_EQ(r.reason, nullptr);
  EXPECT_TRUE(SameAsTa(r.probe.transmitter.data())) << "transmitter not copied correctly";
  EXPECT_TRUE(AllZero(b.data() + frame_offset + kTaOffset, 6)) << "transmitter not wiped";
  EXPECT_EQ(r.probe.sequence, 0xABC);
  EXPECT_EQ(r.probe.ies, b.data() + frame_offset + 24);
  EXPECT_EQ(r.probe.ies_len, ies_len);
}

// ---- Link types -------------------------------------------------------------

TEST(FrameParserTest, SupportedLinkTypes) {
  EXPECT_TRUE(IsSupportedLinkType(127));
  EXPECT_TRUE(IsSupportedLinkType(105));
  EXPECT_TRUE(IsSupportedLinkType(192));  // PPI
  EXPECT_TRUE(IsSupportedLinkType(119));  // Prism
  EXPECT_TRUE(IsSupportedLinkType(163));  // AVS
  EXPECT_FALSE(IsSupportedLinkType(1));
  EXPECT_FALSE(IsSupportedLinkType(0));
  EXPECT_FALSE(IsSupportedLinkType(-1));
  const std::string text = SupportedLinkTypesText();
  for (const char* number : {"127", "105", "192", "119", "163"}) {
    EXPECT_NE(text.find(number), std::string::npos) << number;
  }
}

TEST(FrameParserTest, UnsupportedLinkTypeIsMalformed) {
  Buffer b = Probe();
  ParseResult r = Parse(b, 1);
  EXPECT_EQ(r.frame_class, FrameClass::kMalformed);
  ASSERT_NE(r.reason, nullptr);
}

TEST(FrameParserTest, NullDataIsMalformed) {
  EXPECT_EQ(ParseFrame(kLinkTypeRadiotap, nullptr, 0, 0).frame_class, FrameClass::kMalformed);
  EXPECT_EQ(ParseFrame(kLinkTypeIeee80211, nullptr, 0, 0).frame_class, FrameClass::kMalformed);
}

// ---- Minimal frames ----------------------------------------------------------

TEST(FrameParserTest, MinimalRadiotapProbe) {
  const Buffer rt = MinimalRadiotap();
  ASSERT_EQ(rt.size(), 8u);
  Buffer b = Concat(rt, Probe());
  ParseResult r = Parse(b);
  ExpectProbe(r, b, 8);
  EXPECT_FALSE(r.probe.radio.signal_dbm.has_value());
  EXPECT_FALSE(r.probe.radio.frequency_mhz.has_value());
  EXPECT_FALSE(r.probe.radio.tsft_us.has_value());
  EXPECT_FALSE(r.probe.radio.has_fcs);
  EXPECT_FALSE(r.probe.radio.bad_fcs_flag);
  EXPECT_TRUE(r.probe.transmitter.locally_administered());
  EXPECT_FALSE(r.probe.transmitter.group());
}

TEST(FrameParserTest, BareIeee80211Probe) {
  Buffer b = Probe();
  ParseResult r = Parse(b, kLinkTypeIeee80211);
  ExpectProbe(r, b, 0);
  EXPECT_FALSE(r.probe.radio.has_fcs);  // link type 105 says nothing about an FCS
  EXPECT_FALSE(r.probe.radio.signal_dbm.has_value());
}

TEST(FrameParserTest, ProbeWithoutInformationElements) {
  Buffer b = Concat(MinimalRadiotap(), Probe({}));
  ParseResult r = Parse(b);
  ExpectProbe(r, b, 8, 0);
}

// ---- Radiotap field alignment -----------------------------------------------

TEST(FrameParserTest, TsftFlagsRateChannelSignal) {
  // Present: TSFT(0) Flags(1) Rate(2) Channel(3) dBm antsignal(5).
  Bytes rt = StartRadiotap({Bit(0) | Bit(1) | Bit(2) | Bit(3) | Bit(5)});
  rt.U64(0x0102030405060708ull);          // at 8
  rt.U8(0x00);                            // flags at 16
  rt.U8(0x0C);                            // rate at 17
  rt.U16(2437).U16(0x00A0);               // channel at 18
  rt.U8(static_cast<std::uint8_t>(-57));  // signal at 22
  const Buffer hdr = FinishRadiotap(rt);
  ASSERT_EQ(hdr.size(), 23u);
  Buffer b = Concat(hdr, Probe());
  ParseResult r = Parse(b);
  ExpectProbe(r, b, hdr.size());
  EXPECT_EQ(r.probe.radio.tsft_us, 0x0102030405060708ull);
  EXPECT_EQ(r.probe.radio.frequency_mhz, 2437);
  EXPECT_EQ(r.probe.radio.signal_dbm, -57);
}

TEST(FrameParserTest, PaddingBeforeChannel) {
  // Flags(1) at 8, one pad byte, Channel(3) at 10, signal(5) at 14.
  Bytes rt = StartRadiotap({Bit(1) | Bit(3) | Bit(5)});
  rt.U8(0x00).Align(2).U16(5180).U16(0x0140).U8(static_cast<std::uint8_t>(-71));
  const Buffer hdr = FinishRadiotap(rt);
  ASSERT_EQ(hdr.size(), 15u);
  Buffer b = Concat(hdr, Probe());
  ParseResult r = Parse(b);
  ExpectProbe(r, b, hdr.size());
  EXPECT_EQ(r.probe.radio.frequency_mhz, 5180);
  EXPECT_EQ(r.probe.radio.signal_dbm, -71);
}

TEST(FrameParserTest, PaddingBeforeTsftAfterTwoPresentWords) {
  // Two present words end at 12, so TSFT (aligned to 8) starts at 16.
  Bytes rt = StartRadiotap({Bit(0) | Bit(5) | kRadiotapNs | kExt, Bit(5)});
  ASSERT_EQ(rt.size(), 12u);
  rt.Align(8).U64(123456789).U8(static_cast<std::uint8_t>(-40)).U8(static_cast<std::uint8_t>(-99));
  const Buffer hdr = FinishRadiotap(rt);
  ASSERT_EQ(hdr.size(), 26u);
  Buffer b = Concat(hdr, Probe());
  ParseResult r = Parse(b);
  ExpectProbe(r, b, hdr.size());
  EXPECT_EQ(r.probe.radio.tsft_us, 123456789u);
  EXPECT_EQ(r.probe.radio.signal_dbm, -40);
}

TEST(FrameParserTest, FhssIsAlignedToTwo) {
  // Flags(1) at 8, FHSS(4) aligned to 2 at 10, signal(5) at 12. Linux, the
  // BSDs and Wireshark all align FHSS to 2.
  Bytes rt = StartRadiotap({Bit(1) | Bit(4) | Bit(5)});
  rt.U8(0).Align(2).U8(1).U8(2).U8(static_cast<std::uint8_t>(-33));
  const Buffer hdr = FinishRadiotap(rt);
  ASSERT_EQ(hdr.size(), 13u);
  Buffer b = Concat(hdr, Probe());
  ParseResult r = Parse(b);
  ExpectProbe(r, b, hdr.size());
  EXPECT_EQ(r.probe.radio.signal_dbm, -33);
}

TEST(FrameParserTest, SignalInRangeKeptOutOfRangeAbsentAndFlagged) {
  for (int dbm : {-120, -119, -90, -1, 0}) {
    Bytes rt = StartRadiotap({Bit(5)});
    rt.U8(static_cast<std::uint8_t>(static_cast<std::int8_t>(dbm)));
    Buffer b = Concat(FinishRadiotap(rt), Probe());
    ParseResult r = Parse(b);
    ASSERT_EQ(r.frame_class, FrameClass::kProbeRequest);
    EXPECT_EQ(r.probe.radio.signal_dbm, dbm);
    EXPECT_FALSE(r.probe.radio.signal_out_of_range) << dbm;
  }
  // +26 dBm is in real captures; -121 and below is below any receiver's floor.
  for (int dbm : {-128, -121, 1, 26, 127}) {
    Bytes rt = StartRadiotap({Bit(5)});
    rt.U8(static_cast<std::uint8_t>(static_cast<std::int8_t>(dbm)));
    Buffer b = Concat(FinishRadiotap(rt), Probe());
    ParseResult r = Parse(b);
    ASSERT_EQ(r.frame_class, FrameClass::kProbeRequest) << "the frame itself is fine";
    EXPECT_FALSE(r.probe.radio.signal_dbm.has_value()) << dbm;
    EXPECT_TRUE(r.probe.radio.signal_out_of_range) << dbm;
  }
  // No signal field at all: absent, not out of range.
  Buffer c = Concat(MinimalRadiotap(), Probe());
  EXPECT_FALSE(Parse(c).probe.radio.signal_out_of_range);
}

// Alignment and size of every radiotap-namespace field, written out here
// independently of the parser (radiotap.org, "Defined fields").
struct Spec {
  unsigned bit;
  std::size_t align;
  std::size_t size;
};
constexpr Spec kSpecs[] = {
    {0, 8, 8},   {1, 1, 1},   {2, 1, 1},   {3, 2, 4},   {4, 2, 2},  {5, 1, 1},  {6, 1, 1},
    {7, 2, 2},   {8, 2, 2},   {9, 2, 2},   {10, 1, 1},  {11, 1, 1}, {12, 1, 1}, {13, 1, 1},
    {14, 2, 2},  {15, 2, 2},  {16, 1, 1},  {17, 1, 1},  {18, 4, 8}, {19, 1, 3}, {20, 4, 8},
    {21, 2, 12}, {22, 8, 12}, {23, 2, 12}, {24, 2, 12}, {25, 2, 6}, {26, 1, 1}, {27, 2, 4},
};

TEST(FrameParserTest, EveryFieldSkippedWithItsAlignment) {
  // Word 0 carries each field except the ones we read (so its sizes must all be
  // right), with a namespace reset; word 1 then carries TSFT, Channel and the
  // signal, which are only found if everything before was skipped correctly.
  // Tried with each field alone and with all of them, and with the start
  // shifted by an odd-sized field so that each alignment matters.
  std::vector<std::vector<unsigned>> sets;
  std::vector<unsigned> all;
  for (const Spec& s : kSpecs) {
    if (s.bit == 0 || s.bit == 1 || s.bit == 3 || s.bit == 5 || s.bit == 18) continue;
    sets.push_back({s.bit});
    sets.push_back({2, s.bit});  // Rate first: odd offset
    all.push_back(s.bit);
  }
  sets.push_back(all);
  for (const auto& set : sets) {
    std::uint32_t word0 = kRadiotapNs | kExt;
    for (unsigned bit : set) word0 |= Bit(bit);
    Bytes rt = StartRadiotap({word0, Bit(0) | Bit(3) | Bit(5)});
    for (const Spec& s : kSpecs) {
      if ((word0 & Bit(s.bit)) == 0) continue;
      rt.Align(s.align).Fill(s.size, 0x5A);
    }
    rt.Align(8).U64(777).U16(2462).U16(0).U8(static_cast<std::uint8_t>(-61));
    const Buffer hdr = FinishRadiotap(rt);
    Buffer b = Concat(hdr, Probe());
    ParseResult r = Parse(b);
    const std::string which = "fields in word 0: " + std::to_string(set.size()) + ", first bit " +
                              std::to_string(set.front()) + ", last bit " +
                              std::to_string(set.back());
    ASSERT_EQ(r.frame_class, FrameClass::kProbeRequest) << which;
    EXPECT_EQ(r.probe.radio.tsft_us, 777u) << which;
    EXPECT_EQ(r.probe.radio.frequency_mhz, 2462) << which;
    EXPECT_EQ(r.probe.radio.signal_dbm, -61) << which;
  }
}

TEST(FrameParserTest, XChannelGivesFrequencyWhenNoChannel) {
  // Signal(5) at 8, then XChannel(18) aligned to 4 at 12: flags u32, freq u16.
  Bytes rt = StartRadiotap({Bit(5) | Bit(18)});
  rt.U8(static_cast<std::uint8_t>(-50)).Align(4).U32(0x140).U16(5745).U8(149).U8(30);
  Buffer b = Concat(FinishRadiotap(rt), Probe());
  ParseResult r = Parse(b);
  ASSERT_EQ(r.frame_class, FrameClass::kProbeRequest);
  EXPECT_EQ(r.probe.radio.frequency_mhz, 5745);
  EXPECT_EQ(r.probe.radio.signal_dbm, -50);
}

// ---- Extended bitmaps and namespaces ----------------------------------------

TEST(FrameParserTest, TwoPresentWordsUseFirstSignal) {
  // Typical per-antenna layout: word 0 has the combined signal, word 1 (after a
  // radiotap namespace reset) antenna 0's signal and antenna number.
  Bytes rt = StartRadiotap(
      {Bit(0) | Bit(1) | Bit(2) | Bit(3) | Bit(5) | kRadiotapNs | kExt, Bit(5) | Bit(11)});
  rt.Align(8).U64(42).U8(0).U8(2).U16(2412).U16(0xA0).U8(static_cast<std::uint8_t>(-48));
  rt.U8(static_cast<std::uint8_t>(-52)).U8(0);
  Buffer b = Concat(FinishRadiotap(rt), Probe());
  ParseResult r = Parse(b);
  ExpectProbe(r, b, b.size() - Probe().size());
  EXPECT_EQ(r.probe.radio.signal_dbm, -48);
  EXPECT_EQ(r.probe.radio.frequency_mhz, 2412);
  EXPECT_EQ(r.probe.radio.tsft_us, 42u);
}

TEST(FrameParserTest, ThreePresentWordsUseFirstSignal) {
  Bytes rt = StartRadiotap({Bit(1) | Bit(3) | Bit(5) | kRadiotapNs | kExt,
                            Bit(5) | Bit(11) | kRadiotapNs | kExt, Bit(5) | Bit(11)});
  rt.U8(0x10).Align(2).U16(5200).U16(0x140).U8(static_cast<std::uint8_t>(-60));
  rt.U8(static_cast<std::uint8_t>(-62)).U8(0).U8(static_cast<std::uint8_t>(-64)).U8(1);
  Buffer b = Concat(FinishRadiotap(rt), WithFcs(Probe()));
  ParseResult r = Parse(b);
  ExpectProbe(r, b, b.size() - Probe().size() - 4);
  EXPECT_EQ(r.probe.radio.signal_dbm, -60);
  EXPECT_EQ(r.probe.radio.frequency_mhz, 5200);
  EXPECT_TRUE(r.probe.radio.has_fcs);
}

TEST(FrameParserTest, SignalOnlyInSecondWord) {
  Bytes rt = StartRadiotap({Bit(1) | kRadiotapNs | kExt, Bit(5)});
  rt.U8(0).U8(static_cast<std::uint8_t>(-77));
  Buffer b = Concat(FinishRadiotap(rt), Probe());
  ParseResult r = Parse(b);
  ASSERT_EQ(r.frame_class, FrameClass::kProbeRequest);
  EXPECT_EQ(r.probe.radio.signal_dbm, -77);
}

// Per-antenna layout without a combined value: word 0 has Flags and a
// radiotap namespace reset, words 1 and 2 one chain each (signal, antenna).
Buffer ChainsOnly(int chain0, int chain1) {
  Bytes rt = StartRadiotap(
      {Bit(1) | kRadiotapNs | kExt, Bit(5) | Bit(11) | kRadiotapNs | kExt, Bit(5) | Bit(11)});
  rt.U8(0).U8(static_cast<std::uint8_t>(chain0)).U8(0);
  rt.U8(static_cast<std::uint8_t>(chain1)).U8(1);
  return Concat(FinishRadiotap(rt), Probe());
}

// The same with a combined signal in word 0.
Buffer CombinedAndChains(int combined, int chain0, int chain1) {
  Bytes rt = StartRadiotap({Bit(1) | Bit(5) | kRadiotapNs | kExt,
                            Bit(5) | Bit(11) | kRadiotapNs | kExt, Bit(5) | Bit(11)});
  rt.U8(0).U8(static_cast<std::uint8_t>(combined));
  rt.U8(static_cast<std::uint8_t>(chain0)).U8(0);
  rt.U8(static_cast<std::uint8_t>(chain1)).U8(1);
  return Concat(FinishRadiotap(rt), Probe());
}

TEST(FrameParserTest, StrongestChainWithoutCombinedSignal) {
  for (auto [a, b, want] : {std::array<int, 3>{-70, -55, -55}, std::array<int, 3>{-40, -90, -40},
                            std::array<int, 3>{-61, -61, -61}}) {
    Buffer buf = ChainsOnly(a, b);
    ParseResult r = Parse(buf);
    ExpectProbe(r, buf, buf.size() - Probe().size());
    EXPECT_EQ(r.probe.radio.signal_dbm, want) << a << " " << b;
    EXPECT_FALSE(r.probe.radio.signal_out_of_range);
  }
}

TEST(FrameParserTest, CombinedSignalWinsOverAStrongerChain) {
  Buffer b = CombinedAndChains(-70, -40, -80);
  ParseResult r = Parse(b);
  ASSERT_EQ(r.frame_class, FrameClass::kProbeRequest);
  EXPECT_EQ(r.probe.radio.signal_dbm, -70);
}

TEST(FrameParserTest, OutOfRangeSignalsAreSkippedForTheNextCandidate) {
  // Combined +26: the strongest chain in range is used instead.
  Buffer a = CombinedAndChains(26, -60, -58);
  ParseResult ra = Parse(a);
  EXPECT_EQ(ra.probe.radio.signal_dbm, -58);
  EXPECT_TRUE(ra.probe.radio.signal_out_of_range);
  // A chain out of range is skipped, even though it is the "strongest".
  Buffer b = ChainsOnly(20, -66);
  ParseResult rb = Parse(b);
  EXPECT_EQ(rb.probe.radio.signal_dbm, -66);
  EXPECT_TRUE(rb.probe.radio.signal_out_of_range);
  // A good combined value with a broken chain: the combined one, flagged.
  Buffer c = CombinedAndChains(-50, -128, -52);
  ParseResult rc = Parse(c);
  EXPECT_EQ(rc.probe.radio.signal_dbm, -50);
  EXPECT_TRUE(rc.probe.radio.signal_out_of_range);
  // Nothing usable at all.
  Buffer d = CombinedAndChains(30, 127, -121);
  ParseResult rd = Parse(d);
  ASSERT_EQ(rd.frame_class, FrameClass::kProbeRequest);
  EXPECT_FALSE(rd.probe.radio.signal_dbm.has_value());
  EXPECT_TRUE(rd.probe.radio.signal_out_of_range);
}

TEST(FrameParserTest, SignalAfterVendorNamespaceIsAChain) {
  // Word 0: vendor namespace; word 1 (vendor) returns to radiotap; word 2 has
  // the signal: a later radiotap namespace, so a chain, used for lack of a
  // combined value.
  Bytes rt = StartRadiotap({kVendorNs | kExt, kRadiotapNs | kExt, Bit(5)});
  rt.U8(0x00).U8(0x11).U8(0x22).U8(0).U16(2).Fill(2, 0x99);
  rt.U8(static_cast<std::uint8_t>(-47));
  Buffer b = Concat(FinishRadiotap(rt), Probe());
  ParseResult r = Parse(b);
  ASSERT_EQ(r.frame_class, FrameClass::kProbeRequest) << (r.reason ? r.reason : "");
  EXPECT_EQ(r.probe.radio.signal_dbm, -47);
}

// ---- Frequency and band ---------------------------------------------------------

TEST(FrameParserTest, BandOfFrequency) {
  EXPECT_EQ(BandOf(2412), Band::k2_4GHz);
  EXPECT_EQ(BandOf(2484), Band::k2_4GHz);  // channel 14
  EXPECT_EQ(BandOf(4920), Band::k5GHz);    // 4.9 GHz public safety
  EXPECT_EQ(BandOf(5180), Band::k5GHz);
  EXPECT_EQ(BandOf(5885), Band::k5GHz);  // channel 177, the last 5 GHz one
  EXPECT_EQ(BandOf(5935), Band::k6GHz);  // 6 GHz channel 2
  EXPECT_EQ(BandOf(5955), Band::k6GHz);  // 6 GHz channel 1
  EXPECT_EQ(BandOf(7115), Band::k6GHz);  // 6 GHz channel 233
  EXPECT_EQ(BandOf(0), Band::kUnknown);
  EXPECT_EQ(BandOf(2399), Band::kUnknown);
  EXPECT_EQ(BandOf(902), Band::kUnknown);    // 802.11ah
  EXPECT_EQ(BandOf(58320), Band::kUnknown);  // 60 GHz
  EXPECT_STREQ(BandName(Band::k2_4GHz), "2.4 GHz");
  EXPECT_STREQ(BandName(Band::k5GHz), "5 GHz");
  EXPECT_STREQ(BandName(Band::k6GHz), "6 GHz");
  EXPECT_STREQ(BandName(Band::kUnknown), "unknown");
}

TEST(FrameParserTest, RadiotapChannelGivesBand) {
  for (auto [mhz, band] : {std::pair<std::uint16_t, Band>{2437, Band::k2_4GHz},
                           {5500, Band::k5GHz},
                           {6115, Band::k6GHz}}) {
    Bytes rt = StartRadiotap({Bit(3)});
    rt.U16(mhz).U16(0);
    Buffer b = Concat(FinishRadiotap(rt), Probe());
    ParseResult r = Parse(b);
    ASSERT_EQ(r.frame_class, FrameClass::kProbeRequest);
    EXPECT_EQ(r.probe.radio.frequency_mhz, mhz);
    EXPECT_EQ(r.probe.radio.band, band) << mhz;
  }
  // XChannel alone, 6 GHz.
  Bytes x = StartRadiotap({Bit(18)});
  x.U32(0).U16(6415).U8(93).U8(0);
  Buffer bx = Concat(FinishRadiotap(x), Probe());
  EXPECT_EQ(Parse(bx).probe.radio.band, Band::k6GHz);
  // No channel: unknown.
  Buffer none = Concat(MinimalRadiotap(), Probe());
  EXPECT_EQ(Parse(none).probe.radio.band, Band::kUnknown);
  // Frequency 0 means "unknown", not a frequency.
  Bytes z = StartRadiotap({Bit(3)});
  z.U16(0).U16(0);
  Buffer bz = Concat(FinishRadiotap(z), Probe());
  EXPECT_FALSE(Parse(bz).probe.radio.frequency_mhz.has_value());
}

TEST(FrameParserTest, VendorNamespaceSkipped) {
  // Word 0: Flags, vendor namespace. Word 1 (vendor): two vendor fields, back
  // to radiotap. Word 2: TSFT and signal.
  Bytes rt = StartRadiotap(
      {Bit(1) | kVendorNs | kExt, Bit(0) | Bit(1) | kRadiotapNs | kExt, Bit(0) | Bit(5)});
  ASSERT_EQ(rt.size(), 16u);
  rt.U8(0x10);                                                // flags at 16: FCS at end
  rt.Align(2).U8(0x00).U8(0x11).U8(0x22).U8(0);               // vendor namespace at 18: OUI, subns
  rt.U16(5);                                                  // skip_length
  rt.Fill(5, 0x99);                                           // vendor data at 24..28
  rt.Align(8).U64(99999).U8(static_cast<std::uint8_t>(-45));  // TSFT at 32, signal at 40
  const Buffer hdr = FinishRadiotap(rt);
  ASSERT_EQ(hdr.size(), 41u);
  Buffer b = Concat(hdr, WithFcs(Probe()));
  ParseResult r = Parse(b);
  ExpectProbe(r, b, hdr.size());
  EXPECT_TRUE(r.probe.radio.has_fcs);
  EXPECT_EQ(r.probe.radio.tsft_us, 99999u);
  EXPECT_EQ(r.probe.radio.signal_dbm, -45);
}

TEST(FrameParserTest, VendorNamespaceWithoutReturnKeepsEarlierFields) {
  // The signal comes before the vendor namespace; nothing follows it.
  Bytes rt = StartRadiotap({Bit(5) | kVendorNs | kExt, Bit(3) | Bit(7)});
  rt.U8(static_cast<std::uint8_t>(-66)).Align(2).U8(1).U8(2).U8(3).U8(4).U16(4).Fill(4, 0);
  Buffer b = Concat(FinishRadiotap(rt), Probe());
  ParseResult r = Parse(b);
  ASSERT_EQ(r.frame_class, FrameClass::kProbeRequest);
  EXPECT_EQ(r.probe.radio.signal_dbm, -66);
  // Bit 3 of a vendor word is the vendor's, not Channel.
  EXPECT_FALSE(r.probe.radio.frequency_mhz.has_value());
}

TEST(FrameParserTest, VendorNamespaceOverrunningHeaderIsMalformed) {
  Bytes rt = StartRadiotap({kVendorNs});
  rt.U8(0).U8(0x11).U8(0x22).U8(0).U16(100).Fill(4, 0);  // claims 100 bytes, has 4
  Buffer b = Concat(FinishRadiotap(rt), Probe());
  EXPECT_EQ(Parse(b).frame_class, FrameClass::kMalformed);

  Bytes cut = StartRadiotap({kVendorNs});
  cut.U8(0).U8(0x11);  // vendor namespace header itself cut short
  Buffer c = Concat(FinishRadiotap(cut), Probe());
  EXPECT_EQ(Parse(c).frame_class, FrameClass::kMalformed);
}

TEST(FrameParserTest, UnknownBitStopsFieldsButFrameIsUsable) {
  // No namespace reset before word 1, so its bit 0 would be radiotap bit 32,
  // which is not defined: fields read before it are kept, the frame is found
  // through it_len.
  Bytes rt = StartRadiotap({Bit(5) | kExt, Bit(0)});
  rt.U8(static_cast<std::uint8_t>(-58)).Fill(7, 0xAB);  // 7 bytes of an unknown field
  const Buffer hdr = FinishRadiotap(rt);
  Buffer b = Concat(hdr, Probe());
  ParseResult r = Parse(b);
  ExpectProbe(r, b, hdr.size());
  EXPECT_EQ(r.probe.radio.signal_dbm, -58);
}

TEST(FrameParserTest, TlvBitStopsFieldsButFrameIsUsable) {
  Bytes rt = StartRadiotap({Bit(1) | Bit(5) | Bit(28)});
  rt.U8(0x00).U8(static_cast<std::uint8_t>(-44));
  rt.Align(4).U16(1).U16(4).U32(0x01020304);  // one TLV: type, length, data
  const Buffer hdr = FinishRadiotap(rt);
  Buffer b = Concat(hdr, Probe());
  ParseResult r = Parse(b);
  ExpectProbe(r, b, hdr.size());
  EXPECT_EQ(r.probe.radio.signal_dbm, -44);
}

// ---- Malformed radiotap headers ---------------------------------------------

void ExpectMalformed(Buffer b, int link_type = kLinkTypeRadiotap, std::size_t wirelen = 0) {
  ParseResult r = Parse(b, link_type, wirelen);
  EXPECT_EQ(r.frame_class, FrameClass::kMalformed);
  ASSERT_NE(r.reason, nullptr);
  EXPECT_GT(std::strlen(r.reason), 0u);
}

TEST(FrameParserTest, BitmapsRunningOffTheEndAreMalformed) {
  // The only present word says another follows, but it_len is 8.
  ExpectMalformed(Concat(FinishRadiotap(StartRadiotap({kExt})), Probe()));
  // Two words both with bit 31, it_len 12.
  ExpectMalformed(Concat(FinishRadiotap(StartRadiotap({kExt | Bit(5), kExt})), Probe()));
  // The capture ends inside the bitmaps (it_len beyond caplen).
  Buffer b = FinishRadiotap(StartRadiotap({kExt, kExt, kExt}));
  b.resize(10);
  ExpectMalformed(b);
}

TEST(FrameParserTest, RadiotapLengthBeyondCaptureIsMalformed) {
  Buffer b = Concat(MinimalRadiotap(), Probe());
  b[2] = static_cast<std::uint8_t>(b.size() + 1);  // it_len one past the end
  ExpectMalformed(b);
  Buffer c = MinimalRadiotap();
  c[2] = 0xFF;
  c[3] = 0xFF;
  ExpectMalformed(c);
}

TEST(FrameParserTest, RadiotapLengthBelowEightIsMalformed) {
  for (std::uint8_t len : {0, 1, 4, 7}) {
    Buffer b = Concat(MinimalRadiotap(), Probe());
    b[2] = len;
    ExpectMalformed(b);
  }
}

TEST(FrameParserTest, RadiotapVersionNotZeroIsMalformed) {
  Buffer b = Concat(MinimalRadiotap(), Probe());
  b[0] = 1;
  ExpectMalformed(b);
}

TEST(FrameParserTest, CaptureShorterThanRadiotapHeaderIsMalformed) {
  for (std::size_t n = 0; n < 8; ++n) {
    Buffer b = MinimalRadiotap();
    b.resize(n);
    ExpectMalformed(b);
  }
}

TEST(FrameParserTest, FieldOverrunningRadiotapHeaderIsMalformed) {
  Bytes rt = StartRadiotap({Bit(0)});  // TSFT needs 8 bytes at 8
  rt.Fill(4, 0);
  ExpectMalformed(Concat(FinishRadiotap(rt), Probe()));
  Bytes pad = StartRadiotap({Bit(1) | Bit(3)});  // flags, pad, channel: 13 bytes needed
  pad.U8(0).U8(0).U16(2412);
  ExpectMalformed(Concat(FinishRadiotap(pad), Probe()));
}

TEST(FrameParserTest, RadiotapHeaderWithNoFrameIsMalformed) {
  ExpectMalformed(MinimalRadiotap());
  Buffer b = MinimalRadiotap();
  b.push_back(0x40);  // one byte of frame control
  ExpectMalformed(b);
}

// ---- 802.11 header ------------------------------------------------------------

TEST(FrameParserTest, TruncatedProbeHeaderIsMalformed) {
  for (std::size_t keep : {2, 10, 16, 20, 23}) {
    Buffer frame = Probe();
    frame.resize(keep);
    ExpectMalformed(Concat(MinimalRadiotap(), frame));
    ExpectMalformed(frame, kLinkTypeIeee80211);
  }
  // With an FCS, 24 bytes are not enough: only 20 are header.
  Buffer frame = Probe();
  frame.resize(20);
  ExpectMalformed(Concat(RadiotapWithFlags(0x10), WithFcs(frame)));
  // An FCS flag on a frame shorter than an FCS.
  ExpectMalformed(Concat(RadiotapWithFlags(0x10), Buffer{0x40, 0x00, 0x00}));
}

TEST(FrameParserTest, ProtocolVersionNotZeroIsMalformed) {
  for (std::uint8_t version : {1, 2, 3}) {
    Buffer b = Concat(MinimalRadiotap(), MgmtFrame(0x40 | version, kTa, 1, DefaultIes()));
    ExpectMalformed(b);
  }
}

TEST(FrameParserTest, ProtocolVersionNotZeroWithWrongFcsIsBadFcs) {
  // Noise received with bit errors: the FCS tells it apart from a broken frame.
  Buffer frame = WithFcs(MgmtFrame(0xF2, kTa, 1, Buffer(20, 0x5C)));
  frame[frame.size() - 1] ^= 0x80;
  Buffer b = Concat(RadiotapWithFlags(0x10), frame);
  ParseResult r = Parse(b);
  EXPECT_EQ(r.frame_class, FrameClass::kBadFcs);
  ASSERT_NE(r.reason, nullptr);
  EXPECT_STREQ(r.reason, "FCS mismatch");
  // With a matching FCS it is malformed.
  Buffer c = Concat(RadiotapWithFlags(0x10), WithFcs(MgmtFrame(0xF2, kTa, 1, Buffer(20, 0x5C))));
  EXPECT_EQ(Parse(c).frame_class, FrameClass::kMalformed);
  // So it is when cut by the snap length: the FCS cannot be checked.
  Buffer d(b.begin(), b.end() - 8);
  EXPECT_EQ(Parse(d, kLinkTypeRadiotap, b.size()).frame_class, FrameClass::kMalformed);
}

TEST(FrameParserTest, GroupTransmitterIsMalformed) {
  std::array<std::uint8_t, 6> group = kTa;
  group[0] |= 0x01;
  Buffer b = Concat(MinimalRadiotap(), MgmtFrame(0x40, group, 1, DefaultIes()));
  ParseResult r = Parse(b);
  EXPECT_EQ(r.frame_class, FrameClass::kMalformed);
  ASSERT_NE(r.reason, nullptr);
  EXPECT_STREQ(r.reason, "group transmitter address");
  EXPECT_TRUE(AllZero(b.data() + 8 + kTaOffset, 6)) << "transmitter not wiped";
}

TEST(FrameParserTest, SequenceNumberIgnoresFragmentBits) {
  Buffer b = Concat(MinimalRadiotap(), Probe(DefaultIes(), 0xFFF));
  ParseResult r = Parse(b);
  ASSERT_EQ(r.frame_class, FrameClass::kProbeRequest);
  EXPECT_EQ(r.probe.sequence, 0xFFF);
}

TEST(FrameParserTest, OverrunningLastElementIsLeftOut) {
  // SSID (6 bytes), then "rates" claiming 10 bytes with 3 present: the probe is
  // kept, with only the complete SSID element exposed.
  Buffer ies = {0, 4, 'c', 'a', 'f', 'e', 1, 10, 0x82, 0x84, 0x8B};
  Buffer b = Concat(MinimalRadiotap(), Probe(ies));
  ParseResult r = Parse(b);
  ExpectProbe(r, b, 8, 6);
  // A lone element header byte is incomplete too.
  Buffer c = Concat(MinimalRadiotap(), Probe({0, 0, 221}));
  ExpectProbe(Parse(c), c, 8, 2);
  // And the same with a correct FCS: the FCS is never taken for elements.
  Buffer d = Concat(RadiotapWithFlags(0x10), WithFcs(Probe(ies)));
  ExpectProbe(Parse(d), d, 9, 6);
}

TEST(FrameParserTest, ElementsAreViewedInPlace) {
  Buffer b = Concat(MinimalRadiotap(), Probe());
  ParseResult r = Parse(b);
  ASSERT_EQ(r.frame_class, FrameClass::kProbeRequest);
  const Buffer ies = DefaultIes();
  ASSERT_EQ(r.probe.ies_len, ies.size());
  EXPECT_EQ(std::memcmp(r.probe.ies, ies.data(), ies.size()), 0);
}

// ---- Classification -------------------------------------------------------------

void ExpectOther(Buffer b, int link_type = kLinkTypeRadiotap) {
  const Buffer before = b;
  ParseResult r = Parse(b, link_type);
  EXPECT_EQ(r.frame_class, FrameClass::kOther);
  EXPECT_EQ(r.reason, nullptr);
  EXPECT_TRUE(b == before) << "a frame that is not ours was modified";
}

TEST(FrameParserTest, OtherFramesAreOther) {
  const Buffer rt = MinimalRadiotap();
  ExpectOther(Concat(rt, MgmtFrame(0x80, kTa, 1, Buffer(12, 0))));      // beacon
  ExpectOther(Concat(rt, MgmtFrame(0x50, kTa, 1, Buffer(12, 0))));      // probe response
  ExpectOther(Concat(rt, MgmtFrame(0x00, kTa, 1, Buffer(4, 0))));       // association request
  ExpectOther(Concat(rt, MgmtFrame(0xC0, kTa, 1, Buffer(2, 0))));       // deauthentication
  ExpectOther(Concat(rt, MgmtFrame(0x08, kTa, 1, Buffer(40, 0))));      // data
  ExpectOther(Concat(rt, MgmtFrame(0x88, kTa, 1, Buffer(40, 0))));      // QoS data
  ExpectOther(Concat(rt, Buffer{0xD4, 0x00, 0, 0, 1, 2, 3, 4, 5, 6}));  // ACK
  ExpectOther(Concat(rt, Buffer{0xC4, 0x00}));                          // CTS, cut short
  ExpectOther(MgmtFrame(0x80, kTa, 1, Buffer(12, 0)), kLinkTypeIeee80211);
  ExpectOther(MgmtFrame(0x08, kTa, 1, Buffer(12, 0)), kLinkTypeIeee80211);
  ExpectOther(Buffer{0x48, 0x01}, kLinkTypeIeee80211);  // null data, 2 bytes
}

TEST(FrameParserTest, FrameShorterThanFrameControlIsMalformed) {
  ExpectMalformed(Buffer{}, kLinkTypeIeee80211);
  ExpectMalformed(Buffer{0x80}, kLinkTypeIeee80211);
  ExpectMalformed(Concat(MinimalRadiotap(), Buffer{0x80}));
}

// ---- FCS ------------------------------------------------------------------------

TEST(FrameParserTest, CorrectFcs) {
  Buffer b = Concat(RadiotapWithFlags(0x10), WithFcs(Probe()));
  ParseResult r = Parse(b);
  ExpectProbe(r, b, 9);  // the FCS is not taken as elements
  EXPECT_TRUE(r.probe.radio.has_fcs);
  EXPECT_FALSE(r.probe.radio.bad_fcs_flag);
  EXPECT_EQ(r.fcs, FcsCheck::kGood);
  // Without an FCS nothing is checked.
  Buffer c = Concat(MinimalRadiotap(), Probe());
  EXPECT_EQ(Parse(c).fcs, FcsCheck::kNotChecked);
}

TEST(FrameParserTest, FlaggedAndMismatchedAreToldApart) {
  // Not flagged, CRC wrong: a mismatch the driver did not notice.
  Buffer bad = WithFcs(Probe());
  bad[bad.size() - 1] ^= 0x01;
  Buffer a = Concat(RadiotapWithFlags(0x10), bad);
  ParseResult ra = Parse(a);
  EXPECT_EQ(ra.frame_class, FrameClass::kBadFcs);
  EXPECT_EQ(ra.fcs, FcsCheck::kMismatch);
  // Flagged, CRC right: the driver's word is taken.
  Buffer b = Concat(RadiotapWithFlags(0x50), WithFcs(Probe()));
  ParseResult rb = Parse(b);
  EXPECT_EQ(rb.frame_class, FrameClass::kBadFcs);
  EXPECT_EQ(rb.fcs, FcsCheck::kFlaggedBad);
  // Flagged and wrong: counted once, as flagged.
  Buffer c = Concat(RadiotapWithFlags(0x50), bad);
  ParseResult rc = Parse(c);
  EXPECT_EQ(rc.frame_class, FrameClass::kBadFcs);
  EXPECT_EQ(rc.fcs, FcsCheck::kFlaggedBad);
}

TEST(FrameParserTest, FcsOfOtherFramesIsNotJudged) {
  // A beacon flagged bad, and a data frame whose CRC does not match: neither
  // would be used, so neither is counted as a bad FCS.
  ExpectOther(Concat(RadiotapWithFlags(0x50), WithFcs(MgmtFrame(0x80, kTa, 1, Buffer(12, 0)))));
  Buffer data = WithFcs(MgmtFrame(0x08, kTa, 1, Buffer(40, 0)));
  data[30] ^= 0x40;
  ExpectOther(Concat(RadiotapWithFlags(0x10), data));
}

TEST(FrameParserTest, WrongFcsNotFlaggedIsBadFcs) {
  for (std::size_t corrupt : {std::size_t{1}, std::size_t{10}, std::size_t{30}, std::size_t{38}}) {
    Buffer frame = WithFcs(Probe());
    // Frame control flags, the transmitter's group bit, an element, the FCS.
    frame[corrupt] ^= 0x01;
    Buffer b = Concat(RadiotapWithFlags(0x10), frame);
    ParseResult r = Parse(b);
    EXPECT_EQ(r.frame_class, FrameClass::kBadFcs) << "byte " << corrupt;
    ASSERT_NE(r.reason, nullptr);
    EXPECT_STREQ(r.reason, "FCS mismatch");
    EXPECT_TRUE(AllZero(b.data() + 9 + kTaOffset, 6)) << "transmitter not wiped";
  }
}

TEST(FrameParserTest, FcsFlaggedBadIsBadFcs) {
  // Driver flag 0x40 with a correct CRC: the driver's word is taken.
  Buffer b = Concat(RadiotapWithFlags(0x50), WithFcs(Probe()));
  ParseResult r = Parse(b);
  EXPECT_EQ(r.frame_class, FrameClass::kBadFcs);
  EXPECT_NE(r.reason, nullptr);
  EXPECT_TRUE(r.probe.radio.bad_fcs_flag);
  EXPECT_TRUE(AllZero(b.data() + 9 + kTaOffset, 6)) << "transmitter not wiped";
  // Flagged bad without an FCS in the frame.
  Buffer c = Concat(RadiotapWithFlags(0x40), Probe());
  EXPECT_EQ(Parse(c).frame_class, FrameClass::kBadFcs);
  // Radio information is still reported for a rejected frame.
  Bytes rt = StartRadiotap({Bit(1) | Bit(5)});
  rt.U8(0x50).U8(static_cast<std::uint8_t>(-80));
  Buffer d = Concat(FinishRadiotap(rt), WithFcs(Probe()));
  ParseResult rd = Parse(d);
  EXPECT_EQ(rd.frame_class, FrameClass::kBadFcs);
  EXPECT_EQ(rd.probe.radio.signal_dbm, -80);
}

TEST(FrameParserTest, FcsNotCheckedWithoutFlag) {
  // Without the Flags field saying so, trailing bytes are elements, not an FCS.
  Buffer b = Concat(MinimalRadiotap(), Probe({0, 2, 'h', 'i', 221, 2, 0xBE, 0xEF}));
  ExpectProbe(Parse(b), b, 8, 8);
}

TEST(FrameParserTest, SnaplenTruncatedFrameWithFcsIsNotRejected) {
  const Buffer full = Concat(RadiotapWithFlags(0x10), WithFcs(Probe()));
  // Cut inside the rates element: FCS gone, CRC cannot be checked.
  Buffer cut(full.begin(), full.end() - 6);
  ParseResult r = Parse(cut, kLinkTypeRadiotap, full.size());
  ExpectProbe(r, cut, 9, 6);  // only the complete SSID element
  // Cut inside the FCS: the two FCS bytes captured are not elements.
  Buffer cut2(full.begin(), full.end() - 2);
  ParseResult r2 = Parse(cut2, kLinkTypeRadiotap, full.size());
  ExpectProbe(r2, cut2, 9);
  // Even with a wrong FCS in what was captured, a cut frame is not checked.
  Buffer cut3(full.begin(), full.end() - 1);
  cut3[cut3.size() - 1] ^= 0xFF;
  EXPECT_EQ(Parse(cut3, kLinkTypeRadiotap, full.size()).frame_class, FrameClass::kProbeRequest);
  // Cut inside the header: malformed, not a bad FCS.
  Buffer cut4(full.begin(), full.begin() + 9 + 20);
  EXPECT_EQ(Parse(cut4, kLinkTypeRadiotap, full.size()).frame_class, FrameClass::kMalformed);
}

TEST(FrameParserTest, WirelenBelowCaplenIsTreatedAsComplete) {
  Buffer b = Concat(RadiotapWithFlags(0x10), WithFcs(Probe()));
  ParseResult r = ParseFrame(kLinkTypeRadiotap, b.data(), b.size(), 3);
  ExpectProbe(r, b, 9);
}

// ---- Robustness -------------------------------------------------------------------

// Sanity of any result: a reason exactly when rejected; a probe's elements lie
// inside the buffer and its transmitter is gone from it.
void CheckSane(const ParseResult& r, const Buffer& b) {
  switch (r.frame_class) {
    case FrameClass::kProbeRequest: {
      ASSERT_EQ(r.reason, nullptr);
      ASSERT_NE(r.probe.ies, nullptr);
      const std::uint8_t* begin = b.data();
      const std::uint8_t* end = b.data() + b.size();
      ASSERT_GE(r.probe.ies, begin + 24);
      ASSERT_LE(r.probe.ies + r.probe.ies_len, end);
      ASSERT_TRUE(AllZero(r.probe.ies - 24 + kTaOffset, 6)) << "transmitter not wiped";
      ASSERT_FALSE(r.probe.transmitter.group());
      // Elements are complete: walking them ends exactly at ies_len.
      std::size_t off = 0;
      while (off < r.probe.ies_len) {
        ASSERT_LE(off + 2, r.probe.ies_len);
        off += 2 + r.probe.ies[off + 1];
      }
      ASSERT_EQ(off, r.probe.ies_len);
      break;
    }
    case FrameClass::kOther:
      ASSERT_EQ(r.reason, nullptr);
      break;
    case FrameClass::kMalformed:
    case FrameClass::kBadFcs:
      ASSERT_NE(r.reason, nullptr);
      ASSERT_GT(std::strlen(r.reason), 0u);
      break;
    default:
      FAIL() << "unknown frame class";
  }
}

struct Seed {
  int link_type;
  Buffer bytes;
};

std::vector<Seed> Seeds() {
  std::vector<Seed> seeds;
  const auto radiotap = [&](Buffer b) { seeds.push_back({kLinkTypeRadiotap, std::move(b)}); };
  radiotap(Concat(MinimalRadiotap(), Probe()));
  radiotap(Concat(RadiotapWithFlags(0x10), WithFcs(Probe())));
  Bytes rt = StartRadiotap({Bit(0) | Bit(1) | Bit(2) | Bit(3) | Bit(5) | kRadiotapNs | kExt,
                            Bit(5) | Bit(11) | kVendorNs | kExt, Bit(0) | kRadiotapNs | kExt,
                            Bit(5) | Bit(18) | Bit(21) | Bit(22)});
  rt.Align(8).U64(1).U8(0x10).U8(2).U16(2412).U16(0).U8(0xC0).U8(0xC1).U8(0);
  rt.Align(2).U8(0).U8(0x11).U8(0x22).U8(1).U16(3).Fill(3, 7);
  rt.U8(0xC2).Align(4).Fill(8, 1).Align(2).Fill(12, 2).Align(8).Fill(12, 3);
  radiotap(Concat(FinishRadiotap(rt), WithFcs(Probe())));
  seeds.push_back({kLinkTypeIeee80211, Probe()});
  radiotap(Concat(MinimalRadiotap(), MgmtFrame(0x80, kTa, 1, Buffer(30, 0))));
  PpiCommon common;
  common.flags = 0x1;
  common.frequency = 2437;
  common.signal = -50;
  seeds.push_back({kLinkTypePpi, Concat(PpiHeader({{7, Buffer(5, 1)}, CommonField(common)}, true),
                                        WithFcs(Probe()))});
  seeds.push_back({kLinkTypePrism, Concat(StandardPrism(-60, 6), Probe())});
  seeds.push_back({kLinkTypeAvs, Concat(AvsHeader(2412, kAvsSsiDbm, -70), Probe())});
  return seeds;
}

TEST(FrameParserTest, RandomAndMutatedBuffersNeverMisbehave) {
  std::mt19937_64 rng(20240208);
  const std::vector<Seed> seeds = Seeds();
  // Sanity of the seeds themselves.
  for (Seed s : seeds) {
    ParseResult r = Parse(s.bytes, s.link_type);
    EXPECT_NE(r.frame_class, FrameClass::kMalformed) << (r.reason ? r.reason : "");
  }
  constexpr int kLinkTypes[] = {kLinkTypeRadiotap, kLinkTypeIeee80211, kLinkTypePpi, kLinkTypePrism,
                                kLinkTypeAvs};
  constexpr int kIterations = 300000;
  int counts[4] = {};
  for (int i = 0; i < kIterations; ++i) {
    Buffer buf;
    int link_type = kLinkTypeRadiotap;
    if (i % 8 == 0) {
      // Random bytes, occasionally starting like a radiotap header.
      buf.resize(rng() % 96);
      for (auto& byte : buf) byte = static_cast<std::uint8_t>(rng());
      if (buf.size() >= 4 && (rng() & 1)) {
        buf[0] = 0;
        buf[2] = static_cast<std::uint8_t>(rng() % (buf.size() + 4));
        buf[3] = 0;
      }
      link_type = kLinkTypes[rng() % std::size(kLinkTypes)];
    } else {
      const Seed& seed = seeds[rng() % seeds.size()];
      buf = seed.bytes;
      // Mostly the seed's own link type; sometimes another one.
      link_type = rng() % 8 == 0 ? kLinkTypes[rng() % std::size(kLinkTypes)] : seed.link_type;
      const int mutations = 1 + static_cast<int>(rng() % 4);
      for (int m = 0; m < mutations && !buf.empty(); ++m) {
        switch (rng() % 5) {
          case 0:  // flip a bit
            buf[rng() % buf.size()] ^= static_cast<std::uint8_t>(1u << (rng() % 8));
            break;
          case 1:  // random byte
            buf[rng() % buf.size()] = static_cast<std::uint8_t>(rng());
            break;
          case 2:  // truncate
            buf.resize(rng() % buf.size());
            break;
          case 3:  // random byte in a header's length, present words or fields
            buf[rng() % std::min<std::size_t>(buf.size(), 48)] = static_cast<std::uint8_t>(rng());
            break;
          case 4:  // grow with junk
            buf.resize(buf.size() + rng() % 16, static_cast<std::uint8_t>(rng()));
            break;
        }
      }
    }
    // An exact-size heap copy, so that ASan sees any read past the end.
    Buffer exact(buf.begin(), buf.end());
    const std::size_t wirelen = exact.size() + ((rng() % 4 == 0) ? rng() % 64 : 0);
    ParseResult r = ParseFrame(link_type, exact.data(), exact.size(), wirelen);
    CheckSane(r, exact);
    if (::testing::Test::HasFatalFailure()) {
      FAIL() << "iteration " << i;
    }
    ++counts[static_cast<int>(r.frame_class)];
  }
  // The mutations must reach every outcome, or the loop tests little.
  for (int c = 0; c < 4; ++c) EXPECT_GT(counts[c], 100) << "class " << c;
}

}  // namespace
}  // namespace footfall::capture
