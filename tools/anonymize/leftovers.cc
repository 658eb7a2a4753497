// Purpose: the scanner for leftover addresses and names (see leftovers.h). One
// pass over the bytes; at each offset a two-octet prefilter before any lookup
// of a raw address, the ff:fe marker before an EUI-64 lookup, a hex digit
// before any text form is tried.
#include "tools/anonymize/leftovers.h"

#include <cstring>

namespace footfall::anonymize {
namespace {

int HexValue(std::uint8_t c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Parses 12 hex digits at the given offsets of p; false if one is not a digit.
bool ParseDigits(const std::uint8_t* p, const std::size_t (&at)[12], Mac* out) {
  Mac m = 0;
  for (std::size_t k : at) {
    const int v = HexValue(p[k]);
    if (v < 0) return false;
    m = m << 4 | static_cast<Mac>(v);
  }
  *out = m;
  return true;
}

void WriteDigits(std::uint8_t* p, const std::size_t (&at)[12], Mac m) {
  bool upper = false;
  for (std::size_t k : at) upper = upper || (p[k] >= 'A' && p[k] <= 'F');
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  for (int i = 11; i >= 0; --i) {
    p[at[i]] = static_cast<std::uint8_t>(digits[m & 0xF]);
    m >>= 4;
  }
}

constexpr std::size_t kSepForm[12] = {0, 1, 3, 4, 6, 7, 9, 10, 12, 13, 15, 16};  // aa:bb:...
constexpr std::size_t kDotForm[12] = {0, 1, 2, 3, 5, 6, 7, 8, 10, 11, 12, 13};   // aabb.ccdd.eeff
constexpr std::size_t kPlainForm[12] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};

std::uint64_t Load64(const std::uint8_t* p) {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

}  // namespace

Mac LoadMac(const std::uint8_t* p) {
  Mac m = 0;
  for (int i = 0; i < 6; ++i) m = m << 8 | p[i];
  return m;
}

bool Distinctive(Mac m) {
  int plain = 0;
  for (int i = 0; i < 6; ++i, m >>= 8) plain += (m & 0xFF) == 0 || (m & 0xFF) == 0xFF;
  return plain <= 2;
}

void StoreMac(Mac m, std::uint8_t* p) {
  for (int i = 5; i >= 0; --i) {
    p[i] = static_cast<std::uint8_t>(m);
    m >>= 8;
  }
}

LeftoverScanner::LeftoverScanner(const std::unordered_map<Mac, Mac>& addresses,
                                 const std::unordered_map<std::string, std::string>& texts)
    : addresses_(addresses), first_two_(1u << 16, false) {
  for (const auto& [in, out] : addresses_) {
    if (Distinctive(in)) first_two_[in >> 32] = true;
  }
  for (const auto& [in, out] : texts) {
    if (in.size() < kMinTextLen) continue;
    texts_[Load64(reinterpret_cast<const std::uint8_t*>(in.data()))].push_back({&in, &out});
  }
}

std::size_t LeftoverScanner::Replace(std::uint8_t* p, std::size_t n) const {
  return Scan(p, n, true, nullptr, 0);
}

std::vector<Leftover> LeftoverScanner::Find(const std::uint8_t* p, std::size_t n,
                                            std::size_t max) const {
  std::vector<Leftover> found;
  // Scan does not write when write == false.
  Scan(const_cast<std::uint8_t*>(p), n, false, &found, max);
  return found;
}

std::size_t LeftoverScanner::Scan(std::uint8_t* p, std::size_t n, bool write,
                                  std::vector<Leftover>* found, std::size_t max) const {
  std::size_t hits = 0;
  const auto hit = [&](std::size_t off, const char* form) {
    ++hits;
    if (found != nullptr && found->size() < max) found->push_back({off, form});
  };
  const auto lookup = [&](Mac m, Mac* out) {
    auto it = addresses_.find(m);
    if (it == addresses_.end()) return false;
    *out = it->second;
    return true;
  };
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t left = n - i;
    Mac to = 0;
    // Raw bytes.
    if (left >= 6 && first_two_[static_cast<std::size_t>(p[i]) << 8 | p[i + 1]] &&
        lookup(LoadMac(p + i), &to)) {
      hit(i, "raw bytes");
      if (write) StoreMac(to, p + i);
      continue;
    }
    // Modified EUI-64 (IPv6 interface identifier).
    if (left >= 8 && p[i + 3] == 0xFF && p[i + 4] == 0xFE) {
      const Mac m = static_cast<Mac>(p[i] ^ 0x02) << 40 | static_cast<Mac>(p[i + 1]) << 32 |
                    static_cast<Mac>(p[i + 2]) << 24 | static_cast<Mac>(p[i + 5]) << 16 |
                    static_cast<Mac>(p[i + 6]) << 8 | p[i + 7];
      if (Distinctive(m) && lookup(m, &to)) {
        hit(i, "EUI-64");
        if (write) {
          std::uint8_t b[6];
          StoreMac(to, b);
          p[i] = b[0] ^ 0x02;
          p[i + 1] = b[1];
          p[i + 2] = b[2];
          p[i + 5] = b[3];
          p[i + 6] = b[4];
          p[i + 7] = b[5];
        }
        continue;
      }
    }
    // Hex text.
    if (HexValue(p[i]) >= 0 && left >= 12) {
      Mac m = 0;
      if (left >= 17 && (p[i + 2] == ':' || p[i + 2] == '-')) {
        const std::uint8_t sep = p[i + 2];
        if (p[i + 5] == sep && p[i + 8] == sep && p[i + 11] == sep && p[i + 14] == sep &&
            ParseDigits(p + i, kSepForm, &m) && lookup(m, &to)) {
          hit(i, "hex text");
          if (write) WriteDigits(p + i, kSepForm, to);
          continue;
        }
      }
      if (left >= 14 && p[i + 4] == '.' && p[i + 9] == '.' && ParseDigits(p + i, kDotForm, &m) &&
          lookup(m, &to)) {
        hit(i, "hex text");
        if (write) WriteDigits(p + i, kDotForm, to);
        continue;
      }
      if (ParseDigits(p + i, kPlainForm, &m) && lookup(m, &to)) {
        hit(i, "hex text");
        if (write) WriteDigits(p + i, kPlainForm, to);
        continue;
      }
    }
    // Names.
    if (left >= kMinTextLen && !texts_.empty()) {
      auto it = texts_.find(Load64(p + i));
      if (it != texts_.end()) {
        for (const auto& [in, out] : it->second) {
          if (in->size() <= left && std::memcmp(p + i, in->data(), in->size()) == 0) {
            hit(i, "name");
            if (write) std::memcpy(p + i, out->data(), out->size());
            break;
          }
        }
      }
    }
  }
  return hits;
}

}  // namespace footfall::anonymize
