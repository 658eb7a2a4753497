// Purpose: the 802.11 walk of footfall-anonymize (see frame_walker.h). The
// capture header is read by capture/'s parser (ParseCaptureHeader); every
// read here is bounds-checked, and a field cut by the end of the captured
// bytes is handed over as far as it goes.
#include "tools/anonymize/frame_walker.h"

#include <algorithm>

#include "base/byte_order.h"
#include "base/crc32.h"
#include "capture/frame_parser.h"

namespace footfall::anonymize {
namespace {

constexpr std::size_t kFcsLen = 4;

class Walker final {
 public:
  explicit Walker(FieldVisitor* v) : v_(v) {}

  void Addr(std::uint8_t* p, std::size_t off, std::size_t len) {
    if (off + 6 <= len) v_->Address(p + off);
  }

  // WPS attributes: type(2, BE) length(2, BE) value.
  void Wps(std::uint8_t* p, std::size_t n) {
    std::size_t off = 0;
    while (off + 4 <= n) {
      const std::uint16_t type = LoadBe16(p + off);
      const std::size_t len = std::min<std::size_t>(LoadBe16(p + off + 2), n - off - 4);
      std::uint8_t* val = p + off + 4;
      switch (type) {
        case 0x1047:  // UUID-E
        case 0x1048:  // UUID-R
          if (len == 16) v_->Uuid(val);
          break;
        case 0x1011:  // device name
        case 0x1021:  // manufacturer
        case 0x1023:  // model name
        case 0x1024:  // model number
        case 0x1042:  // serial number
          v_->Text(TextKind::kName, val, len);
          break;
        case 0x1045:  // SSID
          v_->Text(TextKind::kSsid, val, len);
          break;
        case 0x1020:  // MAC address
          if (len == 6) v_->Address(val);
          break;
        default:
          break;
      }
      off += 4 + len;
    }
  }

  // A WPS-format device name attribute inside P2P: type(2) len(2) name.
  void P2pName(std::uint8_t* p, std::size_t n) {
    if (n < 4) return;
    v_->Text(TextKind::kName, p + 4, std::min<std::size_t>(LoadBe16(p + 2), n - 4));
  }

  // P2P attributes: id(1) length(2, LE) value.
  void P2p(std::uint8_t* p, std::size_t n) {
    std::size_t off = 0;
    while (off + 3 <= n) {
      const std::uint8_t id = p[off];
      const std::size_t len = std::min<std::size_t>(LoadLe16(p + off + 1), n - off - 3);
      std::uint8_t* val = p + off + 3;
      switch (id) {
        case 3:  // P2P Device ID
        case 9:  // Intended P2P Interface Address
          Addr(val, 0, len);
          break;
        case 13:  // P2P Device Info: address(6) config(2) type(8) n(1) n*8, name
          Addr(val, 0, len);
          if (len >= 17) {
            const std::size_t name = 17 + 8 * std::size_t{val[16]};
            if (name < len) P2pName(val + name, len - name);
          }
          break;
        case 14:  // P2P Group Info: client descriptors
          for (std::size_t c = 0; c < len;) {
            const std::size_t clen = std::min<std::size_t>(val[c], len - c - 1);
            std::uint8_t* d = val + c + 1;
            Addr(d, 0, clen);
            Addr(d, 6, clen);
            if (clen >= 24) {
              const std::size_t name = 24 + 8 * std::size_t{d[23]};
              if (name < clen) P2pName(d + name, clen - name);
            }
            c += 1 + clen;
          }
          break;
        case 15:  // P2P Group ID: device address(6) SSID
          Addr(val, 0, len);
          if (len > 6) v_->Text(TextKind::kSsid, val + 6, len - 6);
          break;
        default:
          break;
      }
      off += 3 + len;
    }
  }

  // Vendor element body (after id and length).
  void Vendor(std::uint8_t* p, std::size_t n) {
    if (n < 4) return;
    if (p[0] == 0x00 && p[1] == 0x50 && p[2] == 0xF2 && p[3] == 0x04) {
      Wps(p + 4, n - 4);
    } else if (p[0] == 0x50 && p[1] == 0x6F && p[2] == 0x9A && p[3] == 0x09) {
      P2p(p + 4, n - 4);
    }
  }

  // Information elements: id(1) length(1) body. The last one may be cut.
  void Elements(std::uint8_t* p, std::size_t n, int depth) {
    std::size_t off = 0;
    while (off + 2 <= n) {
      const std::uint8_t id = p[off];
      const std::size_t len = std::min<std::size_t>(p[off + 1], n - off - 2);
      std::uint8_t* b = p + off + 2;
      switch (id) {
        case 0:    // SSID
        case 114:  // Mesh ID
          v_->Text(TextKind::kSsid, b, len);
          break;
        case 84:  // SSID List: SSID elements
          if (depth < 3) Elements(b, len, depth + 1);
          break;
        case 52:  // Neighbor Report: BSSID first
          Addr(b, 0, len);
          break;
        case 71:  // Multiple BSSID: max indicator, then subelements
          for (std::size_t s = 1; s + 2 <= len && depth < 3;) {
            const std::size_t slen = std::min<std::size_t>(b[s + 1], len - s - 2);
            if (b[s] == 0) Elements(b + s + 2, slen, depth + 1);  // nontransmitted profile
            s += 2 + slen;
          }
          break;
        case 133:  // Cisco CCX1 CKIP + device name: the AP name, 16 bytes at 10
          if (len >= 26) v_->Text(TextKind::kName, b + 10, 16);
          break;
        case 221:
          Vendor(b, len);
          break;
        default:
          break;
      }
      off += 2 + len;
    }
  }

  // Action frames: no element list at a fixed place; WPS and P2P vendor
  // elements are found by their headers.
  void FindVendorElements(std::uint8_t* p, std::size_t n) {
    for (std::size_t i = 0; i + 6 <= n; ++i) {
      if (p[i] != 221) continue;
      const std::size_t len = std::min<std::size_t>(p[i + 1], n - i - 2);
      const std::uint8_t* o = p + i + 2;
      if (len >= 4 && ((o[0] == 0x00 && o[1] == 0x50 && o[2] == 0xF2 && o[3] == 0x04) ||
                       (o[0] == 0x50 && o[1] == 0x6F && o[2] == 0x9A && o[3] == 0x09))) {
        Vendor(p + i + 2, len);
        i += 1 + len;
      }
    }
  }

  // Where the elements of an action frame start (0: not an action whose
  // layout is known): spectrum management (token), radio measurement
  // requests and reports, link measurement and neighbor report frames.
  static std::size_t ActionElements(const std::uint8_t* b, std::size_t n) {
    if (n < 3) return 0;
    switch (b[0]) {
      case 0:  // spectrum management: category, action, dialog token
        return 3;
      case 5:  // radio measurement
        switch (b[1]) {
          case 0:  // measurement request: token, repetitions
            return 5;
          case 1:  // measurement report
          case 4:  // neighbor report request
          case 5:  // neighbor report response
            return 3;
          default:
            return 0;
        }
      default:
        return 0;
    }
  }

  // Returns nullptr or the problem.
  const char* Management(std::uint8_t* f, std::size_t len) {
    if (len < 24) return "management header truncated";
    Addr(f, 4, len);
    Addr(f, 10, len);
    Addr(f, 16, len);
    std::size_t hdr = 24;
    if ((f[1] & 0x80) != 0) hdr += 4;  // +HTC
    if (len < hdr) return "management header truncated";
    if ((f[1] & 0x40) != 0) return nullptr;  // protected: ciphertext
    std::uint8_t* body = f + hdr;
    const std::size_t blen = len - hdr;
    const unsigned subtype = f[0] >> 4;
    std::size_t fixed = 0;
    switch (subtype) {
      case 0:  // association request: capability, listen interval
        fixed = 4;
        break;
      case 1:  // association response: capability, status, AID
      case 3:  // reassociation response
        fixed = 6;
        break;
      case 2:  // reassociation request: capability, listen interval, current AP
        fixed = 10;
        Addr(body, 4, blen);
        break;
      case 4:  // probe request
        fixed = 0;
        break;
      case 5:  // probe response: timestamp, beacon interval, capability
      case 8:  // beacon
        fixed = 12;
        break;
      case 6:  // timing advertisement: timestamp, capability
        fixed = 10;
        break;
      case 10:  // disassociation: reason
      case 12:  // deauthentication: reason
        fixed = 2;
        break;
      case 11: {  // authentication: algorithm, sequence, status; SAE has no elements
        fixed = 6;
        if (blen >= 2) {
          const std::uint16_t alg = LoadLe16(body);
          if (alg == 3 || alg > 6) {
            FindVendorElements(body, blen);
            return nullptr;
          }
        }
        break;
      }
      case 13:  // action
      case 14:  // action no ack
        if (const std::size_t at = ActionElements(body, blen); at != 0 && at <= blen) {
          Elements(body + at, blen - at, 0);
        } else {
          FindVendorElements(body, blen);
        }
        return nullptr;
      default:  // ATIM (empty), reserved
        FindVendorElements(body, blen);
        return nullptr;
    }
    if (blen < fixed) {
      // Some drivers and test tools send such frames (a deauthentication with
      // no reason code); nothing of ours is lost by keeping them.
      return nullptr;
    }
    Elements(body + fixed, blen - fixed, 0);
    return nullptr;
  }

  const char* Control(std::uint8_t* f, std::size_t len) {
    if (len < 10) return "control frame header truncated";
    const unsigned subtype = f[0] >> 4;
    Addr(f, 4, len);
    switch (subtype) {
      case 12:  // CTS
      case 13:  // ACK
        return nullptr;
      case 7:  // control wrapper: carried frame control, HT control, then the carried fields
        Addr(f, 16, len);
        return nullptr;
      case 0:
      case 1:  // reserved
        return nullptr;
      case 6:  // control frame extension: most carry a TA
        Addr(f, 10, len);
        return nullptr;
      default:  // RA + TA (BAR, BA, PS-Poll, RTS, CF-End, trigger, NDPA, ...)
        if (len < 16) return "control frame header truncated";
        Addr(f, 10, len);
        return nullptr;
    }
  }

  void Payload(std::uint8_t* p, std::size_t n) {
    // LLC/SNAP, then ARP over Ethernet-sized addresses.
    if (n >= 8 && p[0] == 0xAA && p[1] == 0xAA && p[2] == 0x03 && LoadBe16(p + 6) == 0x0806) {
      std::uint8_t* arp = p + 8;
      const std::size_t alen = n - 8;
      if (alen >= 28 && arp[4] == 6) {
        Addr(arp, 8, alen);
        Addr(arp, 18, alen);
      }
    }
  }

  const char* Data(std::uint8_t* f, std::size_t len) {
    if (len < 24) return "data frame header truncated";
    Addr(f, 4, len);
    Addr(f, 10, len);
    Addr(f, 16, len);
    std::size_t hdr = 24;
    if ((f[1] & 0x03) == 0x03) {
      if (len < 30) return "data frame header truncated";
      Addr(f, 24, len);
      hdr = 30;
    }
    const unsigned subtype = f[0] >> 4;
    const bool qos = (subtype & 0x8) != 0;
    std::uint16_t qos_ctl = 0;
    if (qos) {
      if (len < hdr + 2) return "data frame header truncated";
      qos_ctl = LoadLe16(f + hdr);
      hdr += 2;
      if ((f[1] & 0x80) != 0) hdr += 4;  // +HTC
      if (len < hdr) return "data frame header truncated";
    }
    if ((f[1] & 0x40) != 0 || (subtype & 0x4) != 0) return nullptr;  // protected, or no body
    std::uint8_t* body = f + hdr;
    std::size_t blen = len - hdr;
    if (qos && (qos_ctl & 0x0100) != 0 && blen >= 6) {  // mesh control present
      const unsigned ae = body[0] & 0x03;
      const std::size_t mlen = 6 + (ae == 1 ? 6 : ae == 2 ? 12 : 0);
      Addr(body, 6, std::min(blen, mlen));
      Addr(body, 12, std::min(blen, mlen));
      if (blen < mlen) return nullptr;
      body += mlen;
      blen -= mlen;
    }
    if (qos && (qos_ctl & 0x0080) != 0) {  // A-MSDU: DA(6) SA(6) length(2, BE) payload, padded
      std::size_t off = 0;
      while (off + 14 <= blen) {
        Addr(body, off, blen);
        Addr(body, off + 6, blen);
        const std::size_t slen = std::min<std::size_t>(LoadBe16(body + off + 12), blen - off - 14);
        Payload(body + off + 14, slen);
        off += (14 + slen + 3) & ~std::size_t{3};
      }
      return nullptr;
    }
    Payload(body, blen);
    return nullptr;
  }

 private:
  FieldVisitor* v_;
};

}  // namespace

WalkResult WalkFrame(int link_type, std::uint8_t* data, std::size_t caplen, std::size_t wirelen,
                     FieldVisitor* visitor) {
  WalkResult r;
  capture::RadioInfo radio;
  std::size_t hlen = 0;
  if (const char* why = capture::ParseCaptureHeader(link_type, data, caplen, &radio, &hlen)) {
    r.problem = why;
    return r;
  }
  wirelen = std::max(wirelen, caplen);
  std::uint8_t* frame = data + hlen;
  const std::size_t captured = caplen - hlen;
  const bool complete = caplen == wirelen;
  std::size_t len = captured;
  r.frame_off = hlen;
  if (radio.has_fcs) {
    const std::size_t on_air = wirelen - hlen;
    if (on_air < kFcsLen) {
      r.problem = "frame shorter than its FCS";
      return r;
    }
    len = std::min(captured, on_air - kFcsLen);
    r.fcs_present = complete;
  } else if (link_type != capture::kLinkTypeRadiotap && link_type != capture::kLinkTypePpi &&
             complete && captured >= 10 + kFcsLen &&
             Crc32(frame, captured - kFcsLen) == LoadLe32(frame + captured - kFcsLen)) {
    // No header says whether there is an FCS (802.11, Prism, AVS): there is
    // one if the last 4 bytes are the CRC of the rest.
    len = captured - kFcsLen;
    r.fcs_present = true;
  }
  r.fcs_covered = len;
  if (len < 2) {
    r.problem = "frame shorter than its frame control";
    return r;
  }
  Walker w(visitor);
  const char* why = nullptr;
  switch ((frame[0] >> 2) & 0x03) {
    case 0:
      why = w.Management(frame, len);
      break;
    case 1:
      why = w.Control(frame, len);
      break;
    case 2:
      why = w.Data(frame, len);
      break;
    default:  // extension (DMG, S1G beacons): an address at 4
      if (len < 10) {
        why = "extension frame header truncated";
      } else {
        w.Addr(frame, 4, len);
      }
      break;
  }
  if (why != nullptr) r.problem = why;
  return r;
}

}  // namespace footfall::anonymize
