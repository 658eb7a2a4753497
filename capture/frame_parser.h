// Purpose: turns the bytes of one captured frame (radiotap + 802.11, or bare
// 802.11) into a classified result. Every read is bounds-checked: any input,
// however broken, yields kMalformed with a static reason, never a crash.
// The transmitter address is copied into a MacAddress and then zeroed in the
// caller's buffer, so after parsing the frame bytes no longer hold it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "capture/mac_address.h"

namespace footfall::capture {

// pcap link-layer header types (DLT_*) the parser understands.
inline constexpr int kLinkTypeIeee80211 = 105;  // DLT_IEEE802_11
inline constexpr int kLinkTypeRadiotap = 127;   // DLT_IEEE802_11_RADIO

bool IsSupportedLinkType(int link_type);

enum class FrameClass {
  kProbeRequest,  // a valid probe request: use it
  kOther,         // a well-formed frame of another type/subtype: ignore it
  kMalformed,     // truncated or inconsistent headers: count and skip
  kBadFcs,        // flagged bad by the driver, or CRC-32 mismatch: count and skip
};

// What the radiotap header (if any) said about the frame.
struct RadioInfo {
  std::optional<std::uint64_t> tsft_us;
  std::optional<std::uint16_t> frequency_mhz;
  std::optional<int> signal_dbm;  // dBm antenna signal, as the driver reported it
  bool has_fcs = false;           // the 802.11 frame ends with a 4-byte FCS
  bool bad_fcs_flag = false;      // the driver flagged the FCS as bad
};

struct ProbeRequest {
  MacAddress transmitter;  // hand to the pseudonymizer, which wipes it
  std::uint16_t sequence = 0;  // 12-bit sequence number
  RadioInfo radio;
  // Information elements (tagged parameters), a view into the caller's buffer,
  // without FCS. Only complete elements are included.
  const std::uint8_t* ies = nullptr;
  std::size_t ies_len = 0;
};

struct ParseResult {
  FrameClass frame_class = FrameClass::kMalformed;
  // For kMalformed/kBadFcs: a static, MAC-free description ("radiotap header
  // longer than frame", ...), safe to log. nullptr otherwise.
  const char* reason = nullptr;
  // Meaningful only for kProbeRequest, except probe.radio: it holds whatever
  // the radiotap header said (as far as it was read) for every class, e.g. the
  // signal of a probe request rejected for its FCS.
  ProbeRequest probe;
};

// Parses `caplen` captured bytes of a frame of the given link type. `wirelen`
// is the length on the air (>= caplen; if larger the frame was cut by the
// snap length and its FCS, if any, cannot be checked — such a frame is not
// rejected for that). Zeroes the transmitter address inside `data`.
ParseResult ParseFrame(int link_type, std::uint8_t* data, std::size_t caplen,
                       std::size_t wirelen);

// IEEE 802.3 CRC-32 as used by the 802.11 FCS.
std::uint32_t Crc32(const std::uint8_t* data, std::size_t len);

}  // namespace footfall::capture
