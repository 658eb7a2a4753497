// Purpose: the model signature of a probe request's information elements (see
// ie_signature.h). One pass over the elements, no allocation.
#include "capture/ie_signature.h"

#include <algorithm>
#include <cstring>

namespace footfall::capture {
namespace {

// Element IDs (IEEE 802.11-2020 table 9-92).
constexpr std::uint8_t kSupportedRates = 1;
constexpr std::uint8_t kHtCapabilities = 45;
constexpr std::uint8_t kExtendedRates = 50;
constexpr std::uint8_t kRmEnabledCapabilities = 70;
constexpr std::uint8_t kExtendedCapabilities = 127;
constexpr std::uint8_t kVhtCapabilities = 191;
constexpr std::uint8_t kVendorSpecific = 221;
constexpr std::uint8_t kExtension = 255;
// Element ID extensions.
constexpr std::uint8_t kHeCapabilities = 35;

// How many bytes of an element's body belong to the signature. Capability
// elements: all of it (bounded); vendor elements: OUI and type only (a WPS
// element carries a per-device UUID after that); everything else (SSID,
// channel, request lists, ...): nothing but the element ID.
std::size_t BodyBytes(std::uint8_t id, const std::uint8_t* body, std::size_t len) {
  constexpr std::size_t kCap = 32;
  switch (id) {
    case kSupportedRates:
    case kExtendedRates:
    case kHtCapabilities:
    case kRmEnabledCapabilities:
    case kExtendedCapabilities:
    case kVhtCapabilities:
      return std::min(len, kCap);
    case kVendorSpecific:
      return std::min<std::size_t>(len, 4);
    case kExtension:
      return len >= 1 && body[0] == kHeCapabilities ? std::min(len, kCap)
                                                    : std::min<std::size_t>(len, 1);
    default:
      return 0;
  }
}

// Capability bits a phone sets by its state rather than by its model, cleared
// in the signature: HT "Forty MHz Intolerant" (capability information bit 14)
// and extended capability bit 26. iPhones set both, or clear both, from one
// scan to the next: in the ESP32 lab's eight days, each of eight signatures
// with an iPhone's extended capabilities (six with its HE capabilities too)
// comes in both variants, 1 to 3,780 MACs each, and three MACs were heard
// with both; a real iPhone (Argo's F_test_1) sends one variant with 153 MACs
// and the other with 11. No two models of the other data sets differ only
// there (docs/accuracy.md).
void ClearStateBits(std::uint8_t id, std::uint8_t* body, std::size_t len) {
  constexpr std::uint8_t kFortyMhzIntolerant = 0x40;  // bit 14: octet 1, bit 6
  constexpr std::uint8_t kExtCapBit26 = 0x04;         // octet 3, bit 2
  if (id == kHtCapabilities && len >= 2) body[1] &= static_cast<std::uint8_t>(~kFortyMhzIntolerant);
  if (id == kExtendedCapabilities && len >= 4) body[3] &= static_cast<std::uint8_t>(~kExtCapBit26);
}

}  // namespace

std::size_t IeSignature(const std::uint8_t* ies, std::size_t len, std::uint8_t* out) {
  std::size_t n = 0;
  std::size_t i = 0;
  while (i + 2 <= len) {
    const std::uint8_t id = ies[i];
    const std::size_t body_len = ies[i + 1];
    if (i + 2 + body_len > len) break;
    const std::uint8_t* body = ies + i + 2;
    const std::size_t take = BodyBytes(id, body, body_len);
    if (n + 2 + take > kIeSignatureMax) break;
    out[n++] = id;
    out[n++] = static_cast<std::uint8_t>(take);
    std::memcpy(out + n, body, take);
    ClearStateBits(id, out + n, take);
    n += take;
    i += 2 + body_len;
  }
  return n;
}

std::size_t WithoutTrailingVendorElements(const std::uint8_t* sig, std::size_t len) {
  std::size_t base = 0;
  std::size_t i = 0;
  bool trailing = false;
  while (i + 2 <= len) {
    const std::size_t next = i + 2 + sig[i + 1];
    if (next > len) break;
    trailing = sig[i] == kVendorSpecific;
    if (!trailing) base = next;
    i = next;
  }
  return trailing ? base : len;
}

}  // namespace footfall::capture
