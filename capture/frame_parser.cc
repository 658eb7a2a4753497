// Purpose: the radiotap and 802.11 parser (see frame_parser.h). It walks the
// radiotap present bitmaps (extended words, radiotap-namespace resets, vendor
// namespaces skipped by their skip_length) with a bit -> {alignment, size}
// table so that every field lands where the standard puts it, keeps the few
// values footfall needs (TSFT, flags, frequency, the combined or else the
// strongest per-chain dBm antenna signal); PPI, Prism and AVS headers are read
// by link_headers.cc. Then it classifies the 802.11 frame, checks the FCS of
// probe requests, copies the transmitter address out and wipes it from the
// caller's buffer. No allocation, no logging, no exceptions; every read is
// bounds-checked.
#include "capture/frame_parser.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "base/byte_order.h"
#include "base/crc32.h"
#include "capture/link_headers.h"

namespace footfall::capture {
namespace {

// ---- Radiotap ----------------------------------------------------------------

constexpr std::size_t kRadiotapFixedLen = 8;  // version, pad, it_len, first present word

// Bits valid in every present word.
constexpr unsigned kBitTlv = 28;             // the rest of the header is TLVs
constexpr unsigned kBitRadiotapNs = 29;      // next word: radiotap namespace, from bit 0
constexpr unsigned kBitVendorNs = 30;        // next word: a vendor namespace
constexpr std::uint32_t kBitExt = 1u << 31;  // another present word follows
constexpr std::uint32_t kFieldBits = (1u << kBitRadiotapNs) - 1;  // bits 0..28

// Fields of the radiotap namespace we read.
constexpr unsigned kFieldTsft = 0;
constexpr unsigned kFieldFlags = 1;
constexpr unsigned kFieldChannel = 3;
constexpr unsigned kFieldDbmAntSignal = 5;
constexpr unsigned kFieldXChannel = 18;

constexpr std::uint8_t kFlagFcsAtEnd = 0x10;
constexpr std::uint8_t kFlagBadFcs = 0x40;

struct FieldSpec {
  std::uint8_t align;
  std::uint8_t size;
};

// Alignment and size of each field defined in the radiotap namespace
// (radiotap.org "Defined fields"; the same values as Linux's
// net/wireless/radiotap.c and Wireshark's radiotap iterator). Bit 28 (TLV)
// and anything above are handled separately.
constexpr FieldSpec kRadiotapFields[kBitTlv] = {
    {8, 8},   // 0 TSFT: u64 microseconds
    {1, 1},   // 1 Flags
    {1, 1},   // 2 Rate
    {2, 4},   // 3 Channel: u16 frequency, u16 flags
    {2, 2},   // 4 FHSS: u8 hop set, u8 hop pattern (aligned to 2 as in Linux)
    {1, 1},   // 5 dBm antenna signal: s8
    {1, 1},   // 6 dBm antenna noise
    {2, 2},   // 7 lock quality
    {2, 2},   // 8 TX attenuation
    {2, 2},   // 9 dB TX attenuation
    {1, 1},   // 10 dBm TX power
    {1, 1},   // 11 antenna
    {1, 1},   // 12 dB antenna signal
    {1, 1},   // 13 dB antenna noise
    {2, 2},   // 14 RX flags
    {2, 2},   // 15 TX flags
    {1, 1},   // 16 RTS retries
    {1, 1},   // 17 data retries
    {4, 8},   // 18 XChannel: u32 flags, u16 frequency, u8 channel, u8 max power
    {1, 3},   // 19 MCS
    {4, 8},   // 20 A-MPDU status
    {2, 12},  // 21 VHT
    {8, 12},  // 22 timestamp
    {2, 12},  // 23 HE
    {2, 12},  // 24 HE-MU
    {2, 6},   // 25 HE-MU-other-user
    {1, 1},   // 26 zero-length PSDU
    {2, 4},   // 27 L-SIG
};

inline std::size_t AlignUp(std::size_t off, std::size_t align) {
  return (off + align - 1) & ~(align - 1);
}

// The walk over the present words and fields behind ParseRadiotap.
const char* WalkRadiotap(const std::uint8_t* d, std::size_t caplen, RadioInfo* radio,
                         SignalPicker* signal, std::size_t* header_len) {
  if (caplen < kRadiotapFixedLen) return "radiotap header truncated";
  if (d[0] != 0) return "radiotap version not 0";
  const std::size_t it_len = LoadLe16(d + 2);
  if (it_len < kRadiotapFixedLen) return "radiotap length shorter than its fixed header";
  if (it_len > caplen) return "radiotap header longer than frame";

  // The present words form a chain (bit 31); the fields start after the last.
  std::size_t words_end = 4;
  for (;;) {
    if (words_end + 4 > it_len) return "radiotap present bitmaps overrun header";
    const std::uint32_t word = LoadLe32(d + words_end);
    words_end += 4;
    if ((word & kBitExt) == 0) break;
  }
  *header_len = it_len;

  std::size_t off = words_end;  // next field; alignment counts from d
  bool radiotap_ns = true;      // namespace of the current word
  bool first_ns = true;         // ... and it is the first namespace of the header
  unsigned base = 0;            // radiotap bit number of the current word's bit 0
  bool have_flags = false;
  for (std::size_t word_off = 4; word_off < words_end; word_off += 4) {
    const std::uint32_t word = LoadLe32(d + word_off);
    if (radiotap_ns) {
      std::uint32_t fields = word & kFieldBits;
      while (fields != 0) {
        const unsigned idx = base + static_cast<unsigned>(__builtin_ctz(fields));
        fields &= fields - 1;
        // TLVs (bit 28), or a bit the standard does not define (bits 32+ of a
        // namespace that was not reset): nothing later can be located. Keep
        // what was read; the 802.11 frame is still found through it_len.
        if (idx >= kBitTlv) return nullptr;
        const FieldSpec spec = kRadiotapFields[idx];
        const std::size_t pos = AlignUp(off, spec.align);
        if (pos + spec.size > it_len) return "radiotap field overruns header";
        const std::uint8_t* f = d + pos;
        switch (idx) {
          case kFieldTsft:
            if (!radio->tsft_us) radio->tsft_us = LoadLe64(f);
            break;
          case kFieldFlags:
            if (!have_flags) {
              have_flags = true;
              radio->has_fcs = (f[0] & kFlagFcsAtEnd) != 0;
              radio->bad_fcs_flag = (f[0] & kFlagBadFcs) != 0;
            }
            break;
          case kFieldChannel:
            SetFrequency(radio, LoadLe16(f));
            break;
          case kFieldXChannel:
            // Only if no Channel field came first (Channel, bit 3, precedes it).
            SetFrequency(radio, LoadLe16(f + 4));
            break;
          case kFieldDbmAntSignal:
            if (first_ns) {
              signal->Combined(static_cast<std::int8_t>(f[0]));
            } else {
              signal->Chain(static_cast<std::int8_t>(f[0]));
            }
            break;
          default:
            break;
        }
        off = pos + spec.size;
      }
    }
    // Fields of a vendor namespace are not interpreted: its header's
    // skip_length already moved `off` past them.
    bool reset = false;
    if ((word & (1u << kBitRadiotapNs)) != 0) {
      radiotap_ns = true;
      reset = true;
    }
    if ((word & (1u << kBitVendorNs)) != 0) {
      // OUI(3), sub-namespace(1), skip_length(2, LE), aligned to 2; then
      // skip_length bytes of vendor data.
      const std::size_t pos = AlignUp(off, 2);
      if (pos + 6 > it_len) return "radiotap vendor namespace overruns header";
      off = pos + 6 + LoadLe16(d + pos + 4);
      if (off > it_len) return "radiotap vendor namespace overruns header";
      radiotap_ns = false;
      reset = true;
    }
    if ((word & kBitExt) == 0) break;
    if (reset) first_ns = false;
    base = reset ? 0 : base + 32;
  }
  return nullptr;
}

// Parses the radiotap header at `d` (caplen bytes). On success returns nullptr
// and sets *header_len to it_len; otherwise returns a static reason. `radio`
// receives the first occurrence of each field read. The dBm antenna signal of
// the first radiotap namespace is the combined one; drivers with several
// antennas (chains) repeat the field per antenna in later radiotap
// namespaces, after a namespace reset (bit 29).
const char* ParseRadiotap(const std::uint8_t* d, std::size_t caplen, RadioInfo* radio,
                          std::size_t* header_len) {
  SignalPicker signal;
  const char* why = WalkRadiotap(d, caplen, radio, &signal, header_len);
  signal.Finish(radio);
  return why;
}

// ---- 802.11 ------------------------------------------------------------------

constexpr std::size_t kFcsLen = 4;
constexpr std::size_t kFrameControlLen = 2;
constexpr std::size_t kMgmtHeaderLen = 24;
constexpr std::size_t kTransmitterOffset = 10;  // addr2
constexpr std::size_t kSeqCtlOffset = 22;
constexpr std::uint8_t kProbeRequestFc = 0x40;  // type 0 (management), subtype 4

inline void SetClass(ParseResult* r, FrameClass frame_class, const char* reason) {
  r->frame_class = frame_class;
  r->reason = reason;
}

}  // namespace

bool IsSupportedLinkType(int link_type) {
  switch (link_type) {
    case kLinkTypeRadiotap:
    case kLinkTypeIeee80211:
    case kLinkTypePpi:
    case kLinkTypePrism:
    case kLinkTypeAvs:
      return true;
    default:
      return false;
  }
}

const char* SupportedLinkTypesText() {
  return "127 (IEEE802_11_RADIO, radiotap), 105 (IEEE802_11), 192 (PPI), 119 (PRISM_HEADER) "
         "and 163 (IEEE802_11_RADIO_AVS)";
}

Band BandOf(std::uint16_t frequency_mhz) {
  if (frequency_mhz >= 2400 && frequency_mhz < 2500) return Band::k2_4GHz;
  if (frequency_mhz >= 4900 && frequency_mhz < 5925) return Band::k5GHz;
  if (frequency_mhz >= 5925 && frequency_mhz <= 7125) return Band::k6GHz;
  return Band::kUnknown;
}

const char* BandName(Band band) {
  switch (band) {
    case Band::k2_4GHz:
      return "2.4 GHz";
    case Band::k5GHz:
      return "5 GHz";
    case Band::k6GHz:
      return "6 GHz";
    case Band::kUnknown:
      break;
  }
  return "unknown";
}

const char* ParseCaptureHeader(int link_type, const std::uint8_t* data, std::size_t caplen,
                               RadioInfo* radio, std::size_t* header_len) {
  *header_len = 0;
  switch (link_type) {
    case kLinkTypeRadiotap:
      return ParseRadiotap(data, caplen, radio, header_len);
    case kLinkTypeIeee80211:
      // Bare 802.11 carries no flags: like tshark's default, assume no FCS.
      return nullptr;
    case kLinkTypePpi:
      return ParsePpiHeader(data, caplen, radio, header_len);
    case kLinkTypePrism:
      // Prism has no FCS flag either; neither has AVS.
      return ParsePrismHeader(data, caplen, radio, header_len);
    case kLinkTypeAvs:
      return ParseAvsHeader(data, caplen, radio, header_len);
    default:
      return "unsupported link type";
  }
}

ParseResult ParseFrame(int link_type, std::uint8_t* data, std::size_t caplen, std::size_t wirelen) {
  ParseResult r;
  RadioInfo& radio = r.probe.radio;
  if (data == nullptr) caplen = 0;
  if (wirelen < caplen) wirelen = caplen;  // inconsistent record: trust what we have
  const bool truncated = caplen < wirelen;

  std::size_t header_len = 0;
  const char* header_error = ParseCaptureHeader(link_type, data, caplen, &radio, &header_len);
  if (header_error != nullptr) {
    SetClass(&r, FrameClass::kMalformed, header_error);
    return r;
  }

  std::uint8_t* const frame = data + header_len;
  const std::size_t captured = caplen - header_len;
  // `len`: the captured bytes of the 802.11 frame, without any FCS. A frame cut
  // by the snap length may have lost its FCS (and some of its body) entirely.
  std::size_t len = captured;
  if (radio.has_fcs) {
    const std::size_t on_air = wirelen - header_len;
    if (on_air < kFcsLen) {
      SetClass(&r, FrameClass::kMalformed, "frame shorter than its FCS");
      return r;
    }
    len = std::min(captured, on_air - kFcsLen);
  }
  if (len < kFrameControlLen) {
    SetClass(&r, FrameClass::kMalformed, "frame shorter than frame control");
    return r;
  }

  const std::uint8_t fc = frame[0];
  const bool probe_like = (fc & 0xFC) == kProbeRequestFc;  // whatever the version bits
  // The FCS can be checked only if the frame has one and it was captured.
  const bool fcs_checkable = radio.has_fcs && !truncated;
  const auto fcs_matches = [&] { return Crc32(frame, len) == LoadLe32(frame + len); };
  const auto flagged = [&] {
    r.frame_class = FrameClass::kBadFcs;
    r.fcs = FcsCheck::kFlaggedBad;
    r.reason = "FCS flagged bad by the driver";
  };
  const auto mismatch = [&] {
    r.frame_class = FrameClass::kBadFcs;
    r.fcs = FcsCheck::kMismatch;
    r.reason = "FCS mismatch";
  };
  // The FCS verdicts (driver flag, CRC) are given to the frames that claim to
  // be probe requests: the ones we would use, and the only ones a live
  // capture's kernel filter lets through. Any other type/subtype is kOther
  // whatever its FCS: a CRC over every data frame would buy nothing.
  if ((fc & 0x03) != 0) {
    // No 802.11 frame has another version: this is a frame received with bit
    // errors (real captures hold such noise, with an FCS that does not match)
    // or a broken one. Say which when the FCS tells; this path is rare, so the
    // CRC costs nothing overall.
    if (radio.bad_fcs_flag) {
      flagged();
    } else if (fcs_checkable && !fcs_matches()) {
      mismatch();
    } else {
      r.frame_class = FrameClass::kMalformed;
      r.reason = "802.11 protocol version not 0";
    }
  } else if (!probe_like) {
    r.frame_class = FrameClass::kOther;
    return r;
  } else if (radio.bad_fcs_flag) {
    flagged();
  } else if (len < kMgmtHeaderLen) {
    r.frame_class = FrameClass::kMalformed;
    r.reason = "probe request header truncated";
  } else if (fcs_checkable && !fcs_matches()) {
    // Checked before the address checks: a flipped bit anywhere (the group bit
    // of the transmitter too) is a bad FCS, not a malformed frame.
    mismatch();
  } else if ((frame[kTransmitterOffset] & 0x01) != 0) {
    r.frame_class = FrameClass::kMalformed;
    r.reason = "group transmitter address";
  } else {
    r.frame_class = FrameClass::kProbeRequest;
    r.fcs = fcs_checkable ? FcsCheck::kGood : FcsCheck::kNotChecked;
    r.reason = nullptr;
    ProbeRequest& probe = r.probe;
    probe.transmitter = MacAddress(frame + kTransmitterOffset);
    probe.sequence = static_cast<std::uint16_t>(LoadLe16(frame + kSeqCtlOffset) >> 4);
    // Information elements: id(1) len(1) data(len). Only complete elements are
    // exposed. A last element that overruns the frame (or one cut by the snap
    // length) does not make the probe malformed: tshark still counts such a
    // frame as a probe request and the transmitter is intact, so we keep the
    // frame, and ies/ies_len stop before the incomplete element.
    const std::uint8_t* const ies = frame + kMgmtHeaderLen;
    const std::size_t avail = len - kMgmtHeaderLen;
    std::size_t ie_off = 0;
    while (ie_off + 2 <= avail) {
      const std::size_t next = ie_off + 2 + ies[ie_off + 1];
      if (next > avail) break;
      ie_off = next;
    }
    probe.ies = ies;
    probe.ies_len = ie_off;
  }
  // Whatever became of a probe request, its transmitter leaves the buffer.
  if (probe_like && captured >= kTransmitterOffset + MacAddress::kSize) {
    SecureWipe(frame + kTransmitterOffset, MacAddress::kSize);
  }
  return r;
}

}  // namespace footfall::capture
