// Purpose: the pieces of the frame parser shared across capture headers
// (private to capture/): the parsers of the headers other than radiotap that
// may precede an 802.11 frame — PPI (192), Prism (119, which may hold an AVS
// header instead) and AVS (163) — and the rules every header follows for
// signal values and frequencies.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "capture/frame_parser.h"

namespace footfall::capture {

// Collects the dBm signal values of one header and settles which one counts:
// the first combined value in range, else the strongest per-chain value in
// range. Values out of range are ignored and flagged.
class SignalPicker final {
 public:
  void Combined(int dbm);
  void Chain(int dbm);
  void Finish(RadioInfo* radio) const;

 private:
  static bool InRange(int dbm) { return dbm >= kMinSignalDbm && dbm <= kMaxSignalDbm; }

  std::optional<int> combined_;
  std::optional<int> best_chain_;
  bool out_of_range_ = false;
};

// Sets frequency and band, unless `mhz` is 0 (unknown) or one was set already.
void SetFrequency(RadioInfo* radio, std::uint32_t mhz);

// 802.11 channel number -> centre frequency, for headers that give only the
// channel (Prism, AVS): 1-13 and 14 are 2.4 GHz, 32-177 are 5 GHz (these
// drivers predate 6 GHz). 0 if the number means nothing.
std::uint32_t ChannelToMhz(std::uint32_t channel);

// Each parses the header at `d` (`caplen` captured bytes). On success it
// returns nullptr, sets *header_len to the offset of the 802.11 frame and
// fills `radio`; otherwise it returns a static, MAC-free reason.
const char* ParsePpiHeader(const std::uint8_t* d, std::size_t caplen, RadioInfo* radio,
                           std::size_t* header_len);
const char* ParsePrismHeader(const std::uint8_t* d, std::size_t caplen, RadioInfo* radio,
                             std::size_t* header_len);
const char* ParseAvsHeader(const std::uint8_t* d, std::size_t caplen, RadioInfo* radio,
                           std::size_t* header_len);

}  // namespace footfall::capture
