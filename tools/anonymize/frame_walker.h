// Purpose: the walk over one captured 802.11 frame that finds every field of
// footfall-anonymize's concern — addresses, SSIDs and names, UUIDs — and hands
// each to a visitor (which collects or rewrites it in place), and where the
// FCS is. Layouts (IEEE 802.11-2020 clause 9):
//  - management: addr1-3 at 4/10/16, then (HT Control if Order) the fixed
//    fields of the subtype (a reassociation request's current AP address
//    among them) and the elements: SSID, SSID List, Mesh ID, Neighbor Report
//    BSSID, Multiple BSSID profiles (recursively), Cisco's AP name (133), and
//    the vendor elements of WPS (UUID-E/R, device name, manufacturer, model
//    name and number, serial number, MAC address, SSID) and Wi-Fi P2P (device
//    addresses, device and client names, group ID). Action frames: the elements of spectrum
//    management and radio measurement frames (SSIDs, neighbor reports); WPS and P2P vendor elements
//    wherever they sit;
//  - control: RA at 4 and TA at 10 (but CTS and ACK: RA only);
//  - data: addr1-3, addr4 with ToDS+FromDS, then if not protected: mesh
//    control extended addresses, A-MSDU subframe DA/SA, ARP hardware
//    addresses after LLC/SNAP;
//  - extension: the address at 4.
// Protected bodies are left as they are (ciphertext).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace footfall::anonymize {

enum class TextKind { kSsid, kName };

class FieldVisitor {
 public:
  virtual ~FieldVisitor() = default;
  virtual void Address(std::uint8_t* p) = 0;                             // 6 bytes
  virtual void Text(TextKind kind, std::uint8_t* p, std::size_t n) = 0;  // same-length replacement
  virtual void Uuid(std::uint8_t* p) = 0;                                // 16 bytes
};

struct WalkResult {
  std::string problem;          // non-empty: the frame cannot be parsed whole (why; no MAC in it)
  bool fcs_present = false;     // a complete FCS follows the frame
  std::size_t frame_off = 0;    // offset of the 802.11 frame in the record
  std::size_t fcs_covered = 0;  // bytes of the frame before its FCS
};

// Walks a record of `link_type` (caplen captured bytes of wirelen on the air).
// On a problem, the fields visited before it have been visited.
WalkResult WalkFrame(int link_type, std::uint8_t* data, std::size_t caplen, std::size_t wirelen,
                     FieldVisitor* visitor);

}  // namespace footfall::anonymize
