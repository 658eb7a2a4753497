// Purpose: finding (and replacing) every form in which an address or a name of
// the input can still be present in a byte buffer, for footfall-anonymize's
// scrub pass and its self-check. Forms of an address aa:bb:cc:dd:ee:ff:
//  - the 6 raw bytes; the 8-byte modified EUI-64 of IPv6 (aa^02 bb cc ff fe dd ee ff);
//  - hex text with ':' or '-' between the octets, Cisco's aabb.ccdd.eeff, and
//    the 12 digits with no separator; upper, lower or mixed case.
// Raw and EUI-64 forms are searched only for distinctive addresses: at most
// two octets 00 or ff. A simulator's 02:00:00:00:01:00 occurs as bytes in any
// radiotap header or zero-padded body; its address fields are still mapped and
// its text forms still searched.
// Not a form: the last 3 bytes alone (24 bits occur by chance every few
// megabytes of any capture, and the first 3 of a global address are the
// vendor's, kept on purpose), an address split across two elements.
// Names (SSIDs, WPS and other device names) are searched as their raw bytes
// when they are at least kMinTextLen long; shorter ones occur by chance.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace footfall::anonymize {

inline constexpr std::size_t kMinTextLen = 8;

// A 48-bit address as an integer, first octet in the high byte.
using Mac = std::uint64_t;
Mac LoadMac(const std::uint8_t* p);
bool Distinctive(Mac m);
void StoreMac(Mac m, std::uint8_t* p);

struct Leftover {
  std::size_t offset = 0;
  const char* form = "";  // "raw bytes", "EUI-64", "hex text", "name"
};

class LeftoverScanner final {
 public:
  // `addresses`: input address -> its replacement; `texts`: input name ->
  // replacement of the same length (only those of kMinTextLen bytes or more
  // are searched). Both must outlive the scanner.
  LeftoverScanner(const std::unordered_map<Mac, Mac>& addresses,
                  const std::unordered_map<std::string, std::string>& texts);

  // Replaces every form of every input address and name in [p, p+n) by the
  // same form of its replacement; returns how many it replaced.
  std::size_t Replace(std::uint8_t* p, std::size_t n) const;
  // The forms still present (at most `max` of them).
  std::vector<Leftover> Find(const std::uint8_t* p, std::size_t n, std::size_t max = 10) const;

 private:
  std::size_t Scan(std::uint8_t* p, std::size_t n, bool write, std::vector<Leftover>* found,
                   std::size_t max) const;

  const std::unordered_map<Mac, Mac>& addresses_;
  std::vector<bool> first_two_;  // prefilter: first two octets of a distinctive input address
  // texts of kMinTextLen+ bytes, by their first 8 bytes
  std::unordered_map<std::uint64_t, std::vector<std::pair<const std::string*, const std::string*>>>
      texts_;
};

}  // namespace footfall::anonymize
