// Purpose: the PPI, Prism and AVS capture headers (see link_headers.h), and
// the signal and frequency rules shared with the radiotap parser. Layouts:
//  - PPI (CACE Per-Packet Information, DLT 192): version(1) flags(1) len(2 LE)
//    dlt(4 LE), then fields {type u16 LE, len u16 LE, data}; flags bit 0 pads
//    each field to 32 bits. Field type 2, "802.11-common": tsf u64, flags u16
//    (0x1 FCS at end, 0x2 TSF in ms, 0x4 FCS invalid), rate u16, frequency u16,
//    channel flags u16, FHSS 2 x u8, dBm signal s8, dBm noise s8 (20 bytes).
//  - Prism (wlan-ng, DLT 119): msgcode u32, msglen u32, devname[16], then
//    items {did u32, status u16 (0 = has a value), len u16, data u32}, all in
//    the capturing host's byte order; "signal" is DID 0x00060044 (msgcode 0x44)
//    or 0x00006041 (msgcode 0x41), "channel" 0x00030044 or 0x00003041.
//  - AVS (wlan-ng "capturefrm", DLT 163, big-endian): magic 0x8021100v,
//    length u32, mactime u64, hosttime u64, phytype u32, channel u32 (< 256 a
//    channel number, < 10000 MHz, else kHz), datarate, antenna, priority u32,
//    ssi_type u32 (2 = dBm), ssi_signal s32, ... (64 bytes in version 1).
// No allocation, no exceptions; every read is bounds-checked.
#include "capture/link_headers.h"

#include "base/byte_order.h"

namespace footfall::capture {

void SignalPicker::Combined(int dbm) {
  if (!InRange(dbm)) {
    out_of_range_ = true;
  } else if (!combined_) {
    combined_ = dbm;
  }
}

void SignalPicker::Chain(int dbm) {
  if (!InRange(dbm)) {
    out_of_range_ = true;
  } else if (!best_chain_ || dbm > *best_chain_) {
    best_chain_ = dbm;
  }
}

void SignalPicker::Finish(RadioInfo* radio) const {
  radio->signal_dbm = combined_ ? combined_ : best_chain_;
  radio->signal_out_of_range = out_of_range_;
}

void SetFrequency(RadioInfo* radio, std::uint32_t mhz) {
  if (mhz == 0 || mhz > 0xFFFF || radio->frequency_mhz) return;
  radio->frequency_mhz = static_cast<std::uint16_t>(mhz);
  radio->band = BandOf(static_cast<std::uint16_t>(mhz));
}

std::uint32_t ChannelToMhz(std::uint32_t channel) {
  if (channel >= 1 && channel <= 13) return 2407 + 5 * channel;
  if (channel == 14) return 2484;
  if (channel >= 32 && channel <= 177) return 5000 + 5 * channel;
  return 0;
}

// ---- PPI ---------------------------------------------------------------------

namespace {

constexpr std::size_t kPpiHeaderLen = 8;
constexpr std::uint8_t kPpiFlagAligned = 0x01;
constexpr std::uint16_t kPpiField80211Common = 2;
constexpr std::size_t kPpiCommonLen = 20;
constexpr std::uint16_t kPpiCommonFcsAtEnd = 0x0001;
constexpr std::uint16_t kPpiCommonTsfInMs = 0x0002;
constexpr std::uint16_t kPpiCommonFcsInvalid = 0x0004;
constexpr int kPpiNoSignal = -128;  // what PPI writers put when they have none

void ReadPpiCommon(const std::uint8_t* f, RadioInfo* radio, SignalPicker* signal) {
  const std::uint16_t flags = LoadLe16(f + 8);
  const std::uint64_t tsf = LoadLe64(f);
  radio->tsft_us = (flags & kPpiCommonTsfInMs) != 0 ? tsf * 1000 : tsf;
  radio->has_fcs = (flags & kPpiCommonFcsAtEnd) != 0;
  radio->bad_fcs_flag = (flags & kPpiCommonFcsInvalid) != 0;
  SetFrequency(radio, LoadLe16(f + 12));
  const int dbm = static_cast<std::int8_t>(f[18]);
  if (dbm != kPpiNoSignal) signal->Combined(dbm);
}

}  // namespace

const char* ParsePpiHeader(const std::uint8_t* d, std::size_t caplen, RadioInfo* radio,
                           std::size_t* header_len) {
  if (caplen < kPpiHeaderLen) return "PPI header truncated";
  if (d[0] != 0) return "PPI version not 0";
  const bool aligned = (d[1] & kPpiFlagAligned) != 0;
  const std::size_t len = LoadLe16(d + 2);
  if (len < kPpiHeaderLen) return "PPI length shorter than its fixed header";
  if (len > caplen) return "PPI header longer than frame";
  if (LoadLe32(d + 4) != static_cast<std::uint32_t>(kLinkTypeIeee80211)) {
    return "PPI payload is not 802.11 (link type 105)";
  }
  SignalPicker signal;
  bool have_common = false;
  std::size_t off = kPpiHeaderLen;
  while (off + 4 <= len) {
    const std::uint16_t type = LoadLe16(d + off);
    const std::size_t field_len = LoadLe16(d + off + 2);
    const std::size_t data = off + 4;
    if (data + field_len > len) return "PPI field overruns header";
    if (type == kPpiField80211Common && !have_common) {
      if (field_len < kPpiCommonLen) return "PPI 802.11-common field too short";
      ReadPpiCommon(d + data, radio, &signal);
      have_common = true;
    }
    off = data + field_len;
    if (aligned) off = (off + 3) & ~std::size_t{3};
  }
  signal.Finish(radio);
  *header_len = len;
  return nullptr;
}

// ---- Prism -------------------------------------------------------------------

namespace {

constexpr std::size_t kPrismFixedLen = 24;  // msgcode, msglen, devname[16]
constexpr std::size_t kPrismItemLen = 12;
constexpr std::uint32_t kPrismMsgcode1 = 0x00000044;
constexpr std::uint32_t kPrismMsgcode2 = 0x00000041;
constexpr std::uint32_t kPrismDidSignal1 = 0x00060044;
constexpr std::uint32_t kPrismDidSignal2 = 0x00006041;
constexpr std::uint32_t kPrismDidChannel1 = 0x00030044;
constexpr std::uint32_t kPrismDidChannel2 = 0x00003041;
constexpr std::uint16_t kPrismStatusHasValue = 0;

constexpr std::uint32_t kAvsMagicMask = 0xFFFFFFF0u;
constexpr std::uint32_t kAvsMagic = 0x80211000u;

bool IsPrismMsgcode(std::uint32_t code) { return code == kPrismMsgcode1 || code == kPrismMsgcode2; }

}  // namespace

const char* ParsePrismHeader(const std::uint8_t* d, std::size_t caplen, RadioInfo* radio,
                             std::size_t* header_len) {
  if (caplen < 8) return "Prism header truncated";
  // Linux drivers of link type 119 may put an AVS header there instead, as
  // libpcap and Wireshark know; its magic tells.
  if ((LoadBe32(d) & kAvsMagicMask) == kAvsMagic) {
    return ParseAvsHeader(d, caplen, radio, header_len);
  }
  bool big_endian = false;
  if (!IsPrismMsgcode(LoadLe32(d))) {
    if (!IsPrismMsgcode(LoadBe32(d))) return "Prism message code unknown";
    big_endian = true;
  }
  const auto u32 = [&](const std::uint8_t* p) { return Load32(p, big_endian); };
  const auto u16 = [&](const std::uint8_t* p) { return Load16(p, big_endian); };
  const std::size_t len = u32(d + 4);
  if (len < kPrismFixedLen) return "Prism length shorter than its fixed header";
  if (len > caplen) return "Prism header longer than frame";
  SignalPicker signal;
  for (std::size_t off = kPrismFixedLen; off + kPrismItemLen <= len; off += kPrismItemLen) {
    const std::uint32_t did = u32(d + off);
    if (u16(d + off + 4) != kPrismStatusHasValue) continue;
    const std::uint32_t value = u32(d + off + 8);
    if (did == kPrismDidSignal1 || did == kPrismDidSignal2) {
      signal.Combined(static_cast<std::int32_t>(value));
    } else if (did == kPrismDidChannel1 || did == kPrismDidChannel2) {
      SetFrequency(radio, ChannelToMhz(value));
    }
  }
  signal.Finish(radio);
  *header_len = len;
  return nullptr;
}

// ---- AVS ---------------------------------------------------------------------

namespace {

constexpr std::size_t kAvsV1Len = 64;
constexpr std::size_t kAvsChannelOffset = 28;
constexpr std::size_t kAvsSsiTypeOffset = 44;
constexpr std::size_t kAvsSsiSignalOffset = 48;
constexpr std::uint32_t kAvsSsiDbm = 2;

}  // namespace

const char* ParseAvsHeader(const std::uint8_t* d, std::size_t caplen, RadioInfo* radio,
                           std::size_t* header_len) {
  if (caplen < 8) return "AVS header truncated";
  const std::uint32_t magic = LoadBe32(d);
  const std::uint32_t version = magic & ~kAvsMagicMask;
  if ((magic & kAvsMagicMask) != kAvsMagic || version < 1 || version > 2) {
    return "AVS header version unknown";
  }
  const std::size_t len = LoadBe32(d + 4);
  if (len < kAvsV1Len) return "AVS length shorter than its fields";
  if (len > caplen) return "AVS header longer than frame";
  const std::uint32_t channel = LoadBe32(d + kAvsChannelOffset);
  if (channel < 256) {
    SetFrequency(radio, ChannelToMhz(channel));
  } else if (channel < 10000) {
    SetFrequency(radio, channel);
  } else {
    SetFrequency(radio, channel / 1000);
  }
  SignalPicker signal;
  if (LoadBe32(d + kAvsSsiTypeOffset) == kAvsSsiDbm) {
    signal.Combined(static_cast<std::int32_t>(LoadBe32(d + kAvsSsiSignalOffset)));
  }
  signal.Finish(radio);
  *header_len = len;
  return nullptr;
}

}  // namespace footfall::capture
