// Purpose: turns the bytes of one captured frame (a radiotap, PPI, Prism or
// AVS header + 802.11, or bare 802.11) into a classified result. Every read is bounds-checked: any
// input, however broken, yields kMalformed with a static reason, never a crash. The transmitter
// address is copied into a MacAddress and then zeroed in the caller's buffer, so after parsing the
// frame bytes no longer hold it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "capture/mac_address.h"

namespace footfall::capture {

// pcap link-layer header types (DLT_*) the parser understands.
inline constexpr int kLinkTypeIeee80211 = 105;  // DLT_IEEE802_11
inline constexpr int kLinkTypeRadiotap = 127;   // DLT_IEEE802_11_RADIO
inline constexpr int kLinkTypePpi = 192;        // DLT_PPI (carrying 802.11)
inline constexpr int kLinkTypePrism = 119;      // DLT_PRISM_HEADER (or AVS inside)
inline constexpr int kLinkTypeAvs = 163;        // DLT_IEEE802_11_RADIO_AVS

bool IsSupportedLinkType(int link_type);
// "127 (radiotap), 105 (802.11), 192 (PPI), 119 (Prism), 163 (AVS)", for errors.
const char* SupportedLinkTypesText();

// Signal values outside this range (dBm) are not plausible receptions (real
// captures hold +26 dBm): they are treated as absent, and flagged.
inline constexpr int kMinSignalDbm = -120;
inline constexpr int kMaxSignalDbm = 0;

enum class FrameClass {
  kProbeRequest,  // a valid probe request: use it
  kOther,         // a well-formed frame of another type/subtype: ignore it
  kMalformed,     // truncated or inconsistent headers: count and skip
  kBadFcs,        // a probe request flagged bad by the driver, or whose CRC-32
                  // does not match (see FcsCheck): count and skip
};

enum class Band : std::uint8_t { kUnknown, k2_4GHz, k5GHz, k6GHz };

// The band of a channel centre frequency: 2400-2499 MHz 2.4 GHz, 4900-5924
// MHz 5 GHz (4.9 GHz public-safety channels included), 5925-7125 MHz 6 GHz.
Band BandOf(std::uint16_t frequency_mhz);
const char* BandName(Band band);  // "2.4 GHz", "5 GHz", "6 GHz", "unknown"

// What the capture header (radiotap, PPI, Prism, AVS; none for bare 802.11)
// said about the frame.
struct RadioInfo {
  std::optional<std::uint64_t> tsft_us;
  std::optional<std::uint16_t> frequency_mhz;
  Band band = Band::kUnknown;  // from frequency_mhz
  // dBm, always within kMinSignalDbm..kMaxSignalDbm. Radiotap: the combined
  // dBm antenna signal (the one in the first radiotap namespace); without a
  // usable one, the strongest per-antenna (chain) signal of the later radiotap
  // namespaces. PPI: the 802.11-common signal. Prism: the "signal" item. AVS:
  // ssi_signal when ssi_type says dBm.
  std::optional<int> signal_dbm;
  // A dBm signal value outside the range was reported and ignored.
  bool signal_out_of_range = false;
  bool has_fcs = false;       // the 802.11 frame ends with a 4-byte FCS
  bool bad_fcs_flag = false;  // the driver flagged the FCS as bad
};

struct ProbeRequest {
  MacAddress transmitter;      // hand to the pseudonymizer, which wipes it
  std::uint16_t sequence = 0;  // 12-bit sequence number
  RadioInfo radio;
  // Information elements (tagged parameters), a view into the caller's buffer,
  // without FCS. Only complete elements are included.
  const std::uint8_t* ies = nullptr;
  std::size_t ies_len = 0;
};

// What became of the FCS check of a frame that claims to be a probe request.
// Other frames are never checked (their FCS costs a CRC and is of no use).
enum class FcsCheck : std::uint8_t {
  kNotChecked,  // no FCS, cut by the snap length, or not a probe request
  kGood,        // the CRC-32 matches
  kFlaggedBad,  // the driver flagged it (kBadFcs, CRC not consulted)
  kMismatch,    // not flagged, but the CRC-32 does not match (kBadFcs)
};

struct ParseResult {
  FrameClass frame_class = FrameClass::kMalformed;
  FcsCheck fcs = FcsCheck::kNotChecked;  // for kBadFcs: which of the two cases
  // For kMalformed/kBadFcs: a static, MAC-free description ("radiotap header
  // longer than frame", ...), safe to log. nullptr otherwise.
  const char* reason = nullptr;
  // Meaningful only for kProbeRequest, except probe.radio: it holds whatever
  // the capture header said (as far as it was read) for every class, e.g. the
  // signal of a probe request rejected for its FCS.
  ProbeRequest probe;
};

// Parses the capture header (radiotap, PPI, Prism, AVS; none for bare 802.11)
// in front of the 802.11 frame. On success returns nullptr, sets *header_len
// to the offset of the 802.11 frame and fills `radio`; otherwise returns a
// static, MAC-free reason. ParseFrame starts with it; tools/anonymize uses it
// to find the 802.11 frame of every record.
const char* ParseCaptureHeader(int link_type, const std::uint8_t* data, std::size_t caplen,
                               RadioInfo* radio, std::size_t* header_len);

// Parses `caplen` captured bytes of a frame of the given link type. `wirelen`
// is the length on the air (>= caplen; if larger the frame was cut by the
// snap length and its FCS, if any, cannot be checked — such a frame is not
// rejected for that). Zeroes the transmitter address inside `data`.
ParseResult ParseFrame(int link_type, std::uint8_t* data, std::size_t caplen, std::size_t wirelen);

}  // namespace footfall::capture
