// Purpose: reading and locating pcap and pcapng files for footfall-anonymize
// (see capture_file.h). Layouts:
//  - pcap: 24-byte header (magic a1b2c3d4 for microseconds or a1b23c4d for
//    nanoseconds, in the writer's byte order; link type at 20), then records
//    of ts_sec, ts_frac, incl_len, orig_len (u32 each) and incl_len bytes.
//  - pcapng: blocks of type(4) total_length(4) body total_length(4), in the
//    byte order of their section header (0x1A2B3C4D). Kept: section header,
//    interface description (link type, if_tsresol, if_MACaddr, if_EUIaddr),
//    enhanced / simple / obsolete packet blocks and interface statistics.
//    Dropped: name resolution (host names), decryption secrets, custom and
//    unknown blocks — nothing footfall reads, and they may name people.
#include "tools/anonymize/capture_file.h"

#include <fstream>
#include <iterator>
#include <limits>

#include "base/byte_order.h"
#include "capture/frame_parser.h"
#include "capture/pcap_util.h"

namespace footfall::anonymize {
namespace {

constexpr std::size_t kPcapHeaderLen = 24;
constexpr std::size_t kPcapRecordHeaderLen = 16;
// libpcap's MAXIMUM_SNAPLEN: no capture record is longer; a larger length is
// a damaged file (or not a capture at all).
constexpr std::size_t kMaxRecordLen = 262144;

constexpr std::uint32_t kShbType = 0x0A0D0D0A;
constexpr std::uint32_t kIdbType = 1;
constexpr std::uint32_t kPbType = 2;  // obsolete packet block
constexpr std::uint32_t kSpbType = 3;
constexpr std::uint32_t kIsbType = 5;
constexpr std::uint32_t kEpbType = 6;
constexpr std::uint32_t kByteOrderMagic = 0x1A2B3C4D;

std::string Num(std::size_t n) { return std::to_string(n); }

void CheckLinkType(int link_type, const std::string& where) {
  if (!capture::IsSupportedLinkType(link_type)) {
    throw AnonymizeError(where + ": link type " + capture::DescribeLinkType(link_type) +
                         " is not 802.11; footfall-anonymize reads " +
                         capture::SupportedLinkTypesText());
  }
}

void ReadPcap(CaptureFile* f) {
  const auto& b = f->bytes;
  if (b.size() < kPcapHeaderLen) {
    throw AnonymizeError("the file ends inside its pcap header (" + Num(b.size()) +
                         " of 24 bytes)");
  }
  const std::uint32_t magic = Load32(b.data(), false);
  bool big = false;
  std::uint64_t units = 1000000;
  switch (magic) {
    case 0xA1B2C3D4:
      break;
    case 0xD4C3B2A1:
      big = true;
      break;
    case 0xA1B23C4D:
      units = 1000000000;
      break;
    case 0x4D3CB2A1:
      big = true;
      units = 1000000000;
      break;
    default:
      throw AnonymizeError("not a pcap or pcapng file (unknown magic number)");
  }
  const int link_type = static_cast<int>(Load32(b.data() + 20, big) & 0xFFFF);
  CheckLinkType(link_type, "pcap header");
  f->blocks.push_back({0, kPcapHeaderLen, false});
  std::size_t off = kPcapHeaderLen;
  std::size_t number = 0;
  while (off < b.size()) {
    ++number;
    Record r;
    r.number = number;
    r.link_type = link_type;
    r.ts_off = off;
    r.big_endian = big;
    r.units_per_s = units;
    const std::size_t left = b.size() - off;
    if (left < kPcapRecordHeaderLen) {
      r.problem = "the file ends inside its record header (" + Num(left) + " of 16 bytes)";
      r.has_time = false;
      r.data_off = b.size();
      f->blocks.push_back({off, left, false});
      f->records.push_back(std::move(r));
      break;
    }
    const std::size_t incl = Load32(b.data() + off + 8, big);
    const std::size_t orig = Load32(b.data() + off + 12, big);
    if (incl > kMaxRecordLen) {
      throw AnonymizeError("record " + Num(number) + ": captured length " + Num(incl) +
                           " is larger than any capture record (" + Num(kMaxRecordLen) +
                           "): the file is damaged or not a capture");
    }
    r.data_off = off + kPcapRecordHeaderLen;
    r.wirelen = std::max(orig, incl);
    if (incl > left - kPcapRecordHeaderLen) {
      r.caplen = left - kPcapRecordHeaderLen;
      r.problem =
          "the file ends inside its data (" + Num(r.caplen) + " of " + Num(incl) + " bytes)";
      f->blocks.push_back({off, left, false});
      f->records.push_back(std::move(r));
      break;
    }
    r.caplen = incl;
    f->blocks.push_back({off, kPcapRecordHeaderLen + incl, false});
    f->records.push_back(std::move(r));
    off += kPcapRecordHeaderLen + incl;
  }
}

struct Interface {
  int link_type = -1;
  std::size_t snaplen = 0;
  std::uint64_t units_per_s = 1000000;
  bool binary_units = false;
};

// Walks the options of a block from `off` to `end`, calling fn(code, value_off, len).
template <typename Fn>
void WalkOptions(const std::vector<std::uint8_t>& b, std::size_t off, std::size_t end, bool big,
                 const std::string& where, Fn fn) {
  while (off + 4 <= end) {
    const std::uint16_t code = Load16(b.data() + off, big);
    const std::size_t len = Load16(b.data() + off + 2, big);
    if (code == 0) return;  // opt_endofopt
    const std::size_t padded = (len + 3) & ~std::size_t{3};
    if (off + 4 + padded > end) throw AnonymizeError(where + ": an option overruns its block");
    fn(code, off + 4, len);
    off += 4 + padded;
  }
}

void ReadPcapng(CaptureFile* f) {
  const auto& b = f->bytes;
  std::vector<Interface> ifaces;
  bool big = false;
  std::size_t off = 0;
  std::size_t number = 0;
  bool first = true;
  while (off < b.size()) {
    const std::size_t left = b.size() - off;
    const std::string where = "pcapng block at byte " + Num(off);
    if (left < 12) {
      if (left >= 4 && !first) {
        const std::uint32_t type = Load32(b.data() + off, big);
        if (type == kEpbType || type == kSpbType || type == kPbType) {
          Record r;
          r.number = ++number;
          r.problem = "the file ends inside its block header (" + Num(left) + " bytes)";
          r.has_time = false;
          r.data_off = b.size();
          f->blocks.push_back({off, left, false});
          f->records.push_back(std::move(r));
          return;
        }
      }
      throw AnonymizeError(where + ": the file ends inside a block header (" + Num(left) +
                           " bytes)");
    }
    const std::uint32_t raw_type = Load32(b.data() + off, false);
    if (first && raw_type != kShbType) throw AnonymizeError("not a pcap or pcapng file");
    if (raw_type == kShbType) {
      const std::uint32_t bom = Load32(b.data() + off + 8, false);
      if (bom == kByteOrderMagic) {
        big = false;
      } else if (bom == 0x4D3C2B1A) {
        big = true;
      } else {
        throw AnonymizeError(where + ": section header with an unknown byte-order magic");
      }
      ifaces.clear();
    }
    first = false;
    const std::uint32_t type = Load32(b.data() + off, big);
    const std::size_t len = Load32(b.data() + off + 4, big);
    if (len < 12 || len % 4 != 0) {
      throw AnonymizeError(where + ": block length " + Num(len) + " is not a pcapng block length");
    }
    const bool packet = type == kEpbType || type == kSpbType || type == kPbType;
    if (len > left) {
      if (!packet) throw AnonymizeError(where + ": the file ends inside the block");
      // A packet block cut by the end of the file: its data as far as it goes.
      Record r;
      r.number = ++number;
      r.has_time = false;
      const std::size_t data_start = type == kSpbType ? 12 : 28;
      r.data_off = std::min(off + data_start, b.size());
      r.caplen = b.size() - r.data_off;
      r.wirelen = r.caplen;
      if (type != kSpbType && !ifaces.empty()) r.link_type = ifaces[0].link_type;
      r.problem = "the file ends inside its block (" + Num(left) + " of " + Num(len) + " bytes)";
      f->blocks.push_back({off, left, false});
      f->records.push_back(std::move(r));
      return;
    }
    if (Load32(b.data() + off + len - 4, big) != len) {
      throw AnonymizeError(where + ": the block's two lengths differ");
    }
    Block block{off, len, false};
    const std::size_t end = off + len - 4;  // options end before the trailing length
    switch (type) {
      case kShbType:
        if (len < 28) throw AnonymizeError(where + ": section header too short");
        break;
      case kIdbType: {
        if (len < 20) throw AnonymizeError(where + ": interface description too short");
        Interface i;
        i.link_type = Load16(b.data() + off + 8, big);
        i.snaplen = Load32(b.data() + off + 12, big);
        CheckLinkType(i.link_type, "pcapng interface " + Num(ifaces.size()));
        WalkOptions(b, off + 16, end, big, where,
                    [&](std::uint16_t code, std::size_t v, std::size_t n) {
                      if (code == 9 && n >= 1) {  // if_tsresol
                        const std::uint8_t res = b[v];
                        const unsigned exp = res & 0x7F;
                        i.binary_units = (res & 0x80) != 0;
                        if ((i.binary_units && exp > 62) || (!i.binary_units && exp > 18)) {
                          throw AnonymizeError(where + ": unsupported time resolution");
                        }
                        std::uint64_t u = 1;
                        for (unsigned k = 0; k < exp; ++k) u *= i.binary_units ? 2 : 10;
                        i.units_per_s = u;
                      } else if (code == 6 && n == 6) {  // if_MACaddr
                        f->mac_options.push_back(v);
                      } else if (code == 7 && n == 8) {  // if_EUIaddr
                        f->eui_options.push_back(v);
                      }
                    });
        ifaces.push_back(i);
        break;
      }
      case kEpbType:
      case kPbType:
      case kSpbType: {
        Record r;
        r.number = ++number;
        r.big_endian = big;
        r.pcapng = true;
        std::size_t iface = 0;
        std::size_t data_start = 28;
        std::size_t incl = 0;
        if (type == kSpbType) {
          data_start = 12;
          if (len < 16) throw AnonymizeError(where + ": simple packet block too short");
          r.wirelen = Load32(b.data() + off + 8, big);
          incl = std::min(r.wirelen, len - 16);
          r.has_time = false;
        } else {
          if (len < 32) throw AnonymizeError(where + ": packet block too short");
          iface =
              type == kEpbType ? Load32(b.data() + off + 8, big) : Load16(b.data() + off + 8, big);
          r.ts_off = off + 12;
          incl = Load32(b.data() + off + 20, big);
          r.wirelen = std::max<std::size_t>(Load32(b.data() + off + 24, big), incl);
          if (incl > len - 32) {
            throw AnonymizeError("record " + Num(r.number) + ": captured length " + Num(incl) +
                                 " overruns its block (the file is damaged)");
          }
        }
        if (iface >= ifaces.size()) {
          throw AnonymizeError("record " + Num(r.number) + ": refers to interface " + Num(iface) +
                               ", which the file does not describe");
        }
        const Interface& i = ifaces[iface];
        if (type == kSpbType && i.snaplen != 0) incl = std::min(incl, i.snaplen);
        r.link_type = i.link_type;
        r.units_per_s = i.units_per_s;
        r.binary_units = i.binary_units;
        r.data_off = off + data_start;
        r.caplen = incl;
        if (type == kEpbType) {
          const std::size_t opts = r.data_off + ((incl + 3) & ~std::size_t{3});
          WalkOptions(b, opts, end, big, where,
                      [&](std::uint16_t code, std::size_t v, std::size_t n) {
                        if (code == 3) {  // epb_hash: a hash of the original bytes
                          f->hash_options.push_back(v);
                          f->hash_option_lens.push_back(n);
                        }
                      });
        }
        f->records.push_back(std::move(r));
        break;
      }
      case kIsbType: {
        if (len < 24) throw AnonymizeError(where + ": interface statistics too short");
        const std::size_t iface = Load32(b.data() + off + 8, big);
        if (iface >= ifaces.size()) {
          throw AnonymizeError(where + ": statistics of an undescribed interface");
        }
        const Interface& i = ifaces[iface];
        f->other_times.push_back({off + 12, big, i.units_per_s, i.binary_units});
        WalkOptions(b, off + 20, end, big, where,
                    [&](std::uint16_t code, std::size_t v, std::size_t n) {
                      if ((code == 2 || code == 3) && n == 8) {  // isb_starttime, isb_endtime
                        f->other_times.push_back({v, big, i.units_per_s, i.binary_units});
                      }
                    });
        break;
      }
      default:
        block.drop = true;
        ++f->dropped_blocks;
        break;
    }
    f->blocks.push_back(block);
    off += len;
  }
}

// Adds `shift_ns` to a 64-bit count of `units_per_s` units.
std::uint64_t Shift(std::uint64_t value, std::int64_t shift_ns, std::uint64_t units_per_s,
                    const std::string& what) {
  constexpr std::int64_t kNs = 1000000000;
  const std::int64_t sec = shift_ns / kNs;
  const std::int64_t rem = shift_ns % kNs;  // same sign as shift_ns
  const auto units = static_cast<std::int64_t>(units_per_s);
  std::int64_t delta = 0;
  std::int64_t part = 0;
  if (units_per_s > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) ||
      __builtin_mul_overflow(sec, units, &delta)) {
    throw AnonymizeError(what + ": the shifted time is out of range");
  }
  if (units <= kNs) {
    part = rem * units / kNs;
  } else if (units % kNs == 0) {
    part = rem * (units / kNs);
  } else {
    part = static_cast<std::int64_t>(static_cast<long double>(rem) * units / kNs);
  }
  delta += part;
  std::int64_t v = 0;
  if (value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) ||
      __builtin_add_overflow(static_cast<std::int64_t>(value), delta, &v) || v < 0) {
    throw AnonymizeError(what + ": the shifted time is out of range");
  }
  return static_cast<std::uint64_t>(v);
}

}  // namespace

CaptureFile ReadCaptureFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw AnonymizeError("cannot open " + path);
  CaptureFile f;
  f.bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (in.bad()) throw AnonymizeError("cannot read " + path);
  if (f.bytes.size() >= 4 && Load32(f.bytes.data(), false) == kShbType) {
    f.format = Format::kPcapng;
    ReadPcapng(&f);
  } else {
    if (f.bytes.size() < 4) throw AnonymizeError("not a pcap or pcapng file (too short)");
    f.format = Format::kPcap;
    ReadPcap(&f);
  }
  return f;
}

void ShiftTimes(CaptureFile* file, std::int64_t shift_ns) {
  if (shift_ns == 0) return;
  auto& b = file->bytes;
  for (const Record& r : file->records) {
    if (!r.has_time) continue;
    std::uint8_t* p = b.data() + r.ts_off;
    const std::string what = "record " + Num(r.number);
    if (r.pcapng) {
      const std::uint64_t v =
          std::uint64_t{Load32(p, r.big_endian)} << 32 | Load32(p + 4, r.big_endian);
      const std::uint64_t s = Shift(v, shift_ns, r.units_per_s, what);
      Store32(p, static_cast<std::uint32_t>(s >> 32), r.big_endian);
      Store32(p + 4, static_cast<std::uint32_t>(s), r.big_endian);
    } else {
      const std::uint64_t v =
          std::uint64_t{Load32(p, r.big_endian)} * r.units_per_s + Load32(p + 4, r.big_endian);
      const std::uint64_t s = Shift(v, shift_ns, r.units_per_s, what);
      if (s / r.units_per_s > std::numeric_limits<std::uint32_t>::max()) {
        throw AnonymizeError(what + ": the shifted time is out of range");
      }
      Store32(p, static_cast<std::uint32_t>(s / r.units_per_s), r.big_endian);
      Store32(p + 4, static_cast<std::uint32_t>(s % r.units_per_s), r.big_endian);
    }
  }
  for (const TimeField& t : file->other_times) {
    std::uint8_t* p = b.data() + t.off;
    const std::uint64_t v =
        std::uint64_t{Load32(p, t.big_endian)} << 32 | Load32(p + 4, t.big_endian);
    const std::uint64_t s = Shift(v, shift_ns, t.units_per_s, "interface statistics");
    Store32(p, static_cast<std::uint32_t>(s >> 32), t.big_endian);
    Store32(p + 4, static_cast<std::uint32_t>(s), t.big_endian);
  }
}

std::vector<std::uint8_t> OutputBytes(const CaptureFile& file) {
  std::vector<std::uint8_t> out;
  out.reserve(file.bytes.size());
  for (const Block& block : file.blocks) {
    if (block.drop) continue;
    out.insert(out.end(), file.bytes.begin() + static_cast<std::ptrdiff_t>(block.off),
               file.bytes.begin() + static_cast<std::ptrdiff_t>(block.off + block.len));
  }
  return out;
}

}  // namespace footfall::anonymize
