// Purpose: the engine of footfall-anonymize (see anonymizer.h). Two passes
// over the records with one walker of the 802.11 frame (frame_walker.h): the
// first collects every address, SSID, name and UUID of the file so that
// replacements can be chosen that collide with none of them; the second
// rewrites them in place. Then the scrub pass, FCS, time shift, self-check,
// and the output written through a temporary file.
#include "tools/anonymize/anonymizer.h"

#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "base/byte_order.h"
#include "base/crc32.h"
#include "capture/frame_parser.h"
#include "hashing/secure_memory.h"
#include "tools/anonymize/capture_file.h"
#include "tools/anonymize/frame_walker.h"
#include "tools/anonymize/leftovers.h"

namespace footfall::anonymize {
namespace {

constexpr std::size_t kKeyLen = crypto_generichash_KEYBYTES;  // 32
constexpr Mac kBroadcast = 0xFFFFFFFFFFFFULL;

// The PRF key, in SecureMemory (hashing/secure_memory.h: guard pages,
// locked, wiped when freed), read-only once set.
class SecretKey final {
 public:
  explicit SecretKey(const std::string& key_file) try : key_(kKeyLen) {
    if (key_file.empty()) {
      randombytes_buf(key_.data(), kKeyLen);
    } else if (!std::filesystem::exists(key_file)) {
      // A new key for later runs: random, written mode 0600.
      randombytes_buf(key_.data(), kKeyLen);
      const mode_t old = umask(077);
      std::ofstream out(key_file, std::ios::binary);
      umask(old);
      out.write(key_.chars(), kKeyLen);
      out.close();
      if (!out) throw AnonymizeError("cannot write the key file " + key_file);
    } else {
      Load(key_file);
    }
    key_.MakeReadOnly();
  } catch (const AnonymizeError&) {
    throw;
  } catch (const std::runtime_error& e) {  // libsodium or its memory failed
    throw AnonymizeError(std::string("secure memory for the key: ") + e.what());
  }

  // BLAKE2b keyed with the key, over tag || data || counter, `out_len` bytes.
  void Prf(const char* tag, const std::uint8_t* data, std::size_t len, std::uint32_t counter,
           std::uint8_t* out, std::size_t out_len) const {
    crypto_generichash_state st;
    crypto_generichash_init(&st, key_.data(), kKeyLen, out_len);
    crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(tag),
                              std::strlen(tag) + 1);
    crypto_generichash_update(&st, data, len);
    std::uint8_t c[4] = {
        static_cast<std::uint8_t>(counter), static_cast<std::uint8_t>(counter >> 8),
        static_cast<std::uint8_t>(counter >> 16), static_cast<std::uint8_t>(counter >> 24)};
    crypto_generichash_update(&st, c, sizeof c);
    crypto_generichash_final(&st, out, out_len);
    sodium_memzero(&st, sizeof st);
  }

 private:
  // 32 raw bytes, or 64 hex digits (and white space).
  void Load(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw AnonymizeError("cannot read the key file " + path);
    hashing::SecureMemory buf(256);
    in.read(buf.chars(), 256);
    const std::size_t n = static_cast<std::size_t>(in.gcount());
    bool ok = false;
    if (n == kKeyLen) {
      std::memcpy(key_.data(), buf.data(), kKeyLen);
      ok = true;
    } else {
      std::size_t bin_len = 0;
      ok =
          sodium_hex2bin(key_.data(), kKeyLen, buf.chars(), n, " \t\r\n", &bin_len, nullptr) == 0 &&
          bin_len == kKeyLen;
    }
    if (!ok) {
      throw AnonymizeError("key file " + path + ": not a key (32 bytes, or 64 hex digits)");
    }
  }

  hashing::SecureMemory key_;
};

bool AllBytes(const std::uint8_t* p, std::size_t n, std::uint8_t v) {
  for (std::size_t i = 0; i < n; ++i) {
    if (p[i] != v) return false;
  }
  return true;
}

// Trailing NULs of a name (C strings padded in a fixed field) stay.
std::size_t TrimNul(const std::uint8_t* p, std::size_t n) {
  while (n > 0 && p[n - 1] == 0) --n;
  return n;
}

// Pass 1: everything that needs a replacement, in order of first appearance.
class Collector final : public FieldVisitor {
 public:
  void Address(std::uint8_t* p) override {
    const Mac m = LoadMac(p);
    if (m == 0 || m == kBroadcast) return;
    if (seen_.insert(m).second) order_.push_back(m);
  }
  void Text(TextKind kind, std::uint8_t* p, std::size_t n) override {
    (void)kind;
    n = TrimNul(p, n);
    if (n == 0 || AllBytes(p, n, p[0])) return;
    std::string s(reinterpret_cast<const char*>(p), n);
    if (text_seen_.insert(s).second) texts_.push_back(std::move(s));
  }
  void Uuid(std::uint8_t* p) override {
    std::string s(reinterpret_cast<const char*>(p), 16);
    if (uuid_seen_.insert(s).second) uuids_.push_back(std::move(s));
  }

  std::vector<Mac> order_;
  std::unordered_set<Mac> seen_;
  std::vector<std::string> texts_;
  std::unordered_set<std::string> text_seen_;
  std::vector<std::string> uuids_;
  std::unordered_set<std::string> uuid_seen_;
};

// The replacements, chosen once pass 1 knows the whole input.
class Replacements final {
 public:
  Replacements(const SecretKey& key, const Collector& in, bool hide_oui, Summary* summary) {
    std::unordered_set<Mac> used;
    for (Mac m : in.order_) {
      std::uint8_t src[6];
      StoreMac(m, src);
      const bool global = (src[0] & 0x02) == 0;
      for (std::uint32_t counter = 0;; ++counter) {
        std::uint8_t h[6];
        key.Prf("footfall-anonymize mac", src, 6, counter, h, sizeof h);
        std::uint8_t out[6];
        std::memcpy(out, h, 6);
        if (global && !hide_oui) std::memcpy(out, src, 3);
        out[0] = static_cast<std::uint8_t>((out[0] & ~0x03) | (src[0] & 0x03));
        const Mac o = LoadMac(out);
        if (o != 0 && o != kBroadcast && in.seen_.count(o) == 0 && used.insert(o).second) {
          addresses_[m] = o;
          if (counter > 0) ++summary->remapped;
          break;
        }
        if (counter > 1000000) throw AnonymizeError("no free address left to map an address to");
      }
    }
    std::unordered_set<std::string> used_text;
    static const char kAlphabet[] =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    for (const std::string& t : in.texts_) {
      const auto* src = reinterpret_cast<const std::uint8_t*>(t.data());
      for (std::uint32_t counter = 0;; ++counter) {
        std::string out(t.size(), 'x');
        for (std::size_t i = 0; i < t.size(); i += 64) {
          std::uint8_t h[64];
          key.Prf("footfall-anonymize text", src, t.size(),
                  counter * 8 + static_cast<std::uint32_t>(i / 64), h, sizeof h);
          for (std::size_t k = i; k < t.size() && k < i + 64; ++k)
            out[k] = kAlphabet[h[k - i] % 62];
        }
        if (in.text_seen_.count(out) == 0 && used_text.insert(out).second) {
          texts_[t] = std::move(out);
          break;
        }
        if (counter > 100000) throw AnonymizeError("no free placeholder left for a name");
      }
    }
    for (const std::string& u : in.uuids_) {
      std::string out(16, '\0');
      key.Prf("footfall-anonymize uuid", reinterpret_cast<const std::uint8_t*>(u.data()), 16, 0,
              reinterpret_cast<std::uint8_t*>(out.data()), 16);
      uuids_[u] = std::move(out);
    }
  }

  std::unordered_map<Mac, Mac> addresses_;
  std::unordered_map<std::string, std::string> texts_;
  std::unordered_map<std::string, std::string> uuids_;
};

// Pass 2: writes the replacements.
class Rewriter final : public FieldVisitor {
 public:
  Rewriter(const Replacements& r, Summary* s) : r_(r), s_(s) {}
  void Address(std::uint8_t* p) override {
    auto it = r_.addresses_.find(LoadMac(p));
    if (it == r_.addresses_.end()) return;  // broadcast, zero, or rewritten already
    StoreMac(it->second, p);
    ++s_->address_fields;
  }
  void Text(TextKind kind, std::uint8_t* p, std::size_t n) override {
    n = TrimNul(p, n);
    const bool ssid = kind == TextKind::kSsid;
    if (n == 0 || AllBytes(p, n, p[0])) {
      if (ssid) ++s_->wildcard_ssids;
      return;
    }
    auto it = r_.texts_.find(std::string(reinterpret_cast<const char*>(p), n));
    if (it == r_.texts_.end()) return;  // rewritten already (a field seen twice)
    std::memcpy(p, it->second.data(), n);
    ++(ssid ? s_->ssid_elements : s_->wps_fields);
    if (ssid) ssids_.insert(it->first);
  }
  void Uuid(std::uint8_t* p) override {
    auto it = r_.uuids_.find(std::string(reinterpret_cast<const char*>(p), 16));
    if (it == r_.uuids_.end()) return;
    std::memcpy(p, it->second.data(), 16);
    ++s_->wps_fields;
  }

  std::unordered_set<std::string> ssids_;

 private:
  const Replacements& r_;
  Summary* s_;
};

// Where a record's FCS is and how wrong it was before any change.
struct FcsFix {
  std::size_t frame_off = 0;  // offset of the 802.11 frame in the file
  std::size_t len = 0;        // bytes covered by the FCS
  std::uint32_t error = 0;    // stored FCS xor the CRC of the original bytes
};

// An unparsed record kept: the address positions of its 802.11 header
// zeroed, or all of it when even its capture header cannot be read.
void ZeroAddresses(const Record& r, std::uint8_t* data) {
  capture::RadioInfo radio;
  std::size_t header_len = 0;
  if (r.link_type < 0 ||
      capture::ParseCaptureHeader(r.link_type, data, r.caplen, &radio, &header_len) != nullptr) {
    std::memset(data, 0, r.caplen);
    return;
  }
  const std::size_t from = header_len + 4;
  const std::size_t to = std::min(r.caplen, header_len + 30);  // addr1..addr4
  if (from < to) std::memset(data + from, 0, to - from);
}

void WriteOutput(const std::string& output, const std::vector<std::uint8_t>& bytes) {
  const std::filesystem::path out(output);
  const std::filesystem::path dir = out.has_parent_path() ? out.parent_path() : ".";
  std::string tmpl = (dir / ("." + out.filename().string() + ".XXXXXX")).string();
  const int fd = mkstemp(tmpl.data());
  if (fd < 0)
    throw AnonymizeError("cannot create a file in " + dir.string() + ": " + std::strerror(errno));
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t w = write(fd, bytes.data() + done, bytes.size() - done);
    if (w < 0) {
      if (errno == EINTR) continue;
      const std::string why = std::strerror(errno);
      close(fd);
      unlink(tmpl.c_str());
      throw AnonymizeError("cannot write " + output + ": " + why);
    }
    done += static_cast<std::size_t>(w);
  }
  fchmod(fd, 0644);
  if (fsync(fd) != 0 || close(fd) != 0 || rename(tmpl.c_str(), output.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    unlink(tmpl.c_str());
    throw AnonymizeError("cannot write " + output + ": " + why);
  }
}

}  // namespace

std::int64_t ParseShiftNs(const std::string& text) {
  std::size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) negative = text[i++] == '-';
  std::int64_t sec = 0;
  std::int64_t frac = 0;
  std::size_t digits = 0;
  std::size_t frac_digits = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++digits) {
    if (sec > 9000000000LL) throw AnonymizeError("--shift-time " + text + ": too large");
    sec = sec * 10 + (text[i] - '0');
  }
  if (i < text.size() && text[i] == '.') {
    for (++i; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++frac_digits) {
      if (frac_digits >= 9) throw AnonymizeError("--shift-time " + text + ": at most 9 decimals");
      frac = frac * 10 + (text[i] - '0');
    }
  }
  if (i != text.size() || digits + frac_digits == 0) {
    throw AnonymizeError("--shift-time " + text + ": not a number of seconds");
  }
  for (std::size_t k = frac_digits; k < 9; ++k) frac *= 10;
  const std::int64_t ns = sec * 1000000000LL + frac;
  return negative ? -ns : ns;
}

Summary AnonymizeFile(const std::string& input, const std::string& output, const Options& options) {
  if (std::filesystem::exists(output) && std::filesystem::exists(input) &&
      std::filesystem::equivalent(input, output)) {
    throw AnonymizeError("the output must not be the input file");
  }
  CaptureFile file = ReadCaptureFile(input);
  Summary summary;
  summary.records = file.records.size();
  summary.blocks_dropped = file.dropped_blocks;
  summary.pcapng = file.format == Format::kPcapng ? 1 : 0;
  auto& bytes = file.bytes;

  // Pass 1: collect; stop at the first record that cannot be read whole.
  Collector collector;
  std::vector<WalkResult> walks(file.records.size());
  for (std::size_t i = 0; i < file.records.size(); ++i) {
    const Record& r = file.records[i];
    WalkResult& w = walks[i];
    if (!r.problem.empty()) {
      w.problem = r.problem;
    } else {
      w = WalkFrame(r.link_type, bytes.data() + r.data_off, r.caplen, r.wirelen, &collector);
    }
    if (!w.problem.empty() && !options.keep_unparsed) {
      throw AnonymizeError("record " + std::to_string(r.number) + ": " + w.problem +
                           " (nothing written; --keep-unparsed copies such records with their "
                           "addresses zeroed)");
    }
  }
  for (std::size_t off : file.mac_options) collector.Address(bytes.data() + off);

  const SecretKey key(options.key_file);
  const Replacements replacements(key, collector, options.hide_oui, &summary);
  summary.addresses = replacements.addresses_.size();

  // FCS state before any change.
  std::vector<FcsFix> fcs;
  for (std::size_t i = 0; i < file.records.size(); ++i) {
    const WalkResult& w = walks[i];
    if (!w.fcs_present) continue;
    const Record& r = file.records[i];
    FcsFix f;
    f.frame_off = r.data_off + w.frame_off;
    f.len = w.fcs_covered;
    f.error =
        LoadLe32(bytes.data() + f.frame_off + f.len) ^ Crc32(bytes.data() + f.frame_off, f.len);
    fcs.push_back(f);
  }

  // Pass 2: rewrite.
  Rewriter rewriter(replacements, &summary);
  for (std::size_t i = 0; i < file.records.size(); ++i) {
    const Record& r = file.records[i];
    std::uint8_t* data = bytes.data() + r.data_off;
    if (!walks[i].problem.empty()) {
      ZeroAddresses(r, data);
      ++summary.unparsed_kept;
    } else {
      WalkFrame(r.link_type, data, r.caplen, r.wirelen, &rewriter);
    }
  }
  for (std::size_t off : file.mac_options) rewriter.Address(bytes.data() + off);
  for (std::size_t off : file.eui_options) std::memset(bytes.data() + off, 0, 8);
  for (std::size_t k = 0; k < file.hash_options.size(); ++k) {
    // epb_hash: algorithm byte, then a hash of the original packet.
    if (file.hash_option_lens[k] > 1) {
      std::memset(bytes.data() + file.hash_options[k] + 1, 0, file.hash_option_lens[k] - 1);
    }
  }
  summary.ssids = rewriter.ssids_.size();

  // Scrub every other occurrence, in the bytes that will be written.
  const LeftoverScanner scanner(replacements.addresses_, replacements.texts_);
  for (const Block& b : file.blocks) {
    if (!b.drop) summary.scrubbed += scanner.Replace(bytes.data() + b.off, b.len);
  }

  for (const FcsFix& f : fcs) {
    std::uint8_t* frame = bytes.data() + f.frame_off;
    StoreLe32(frame + f.len, Crc32(frame, f.len) ^ f.error);
    ++(f.error == 0 ? summary.fcs_recomputed : summary.fcs_kept_invalid);
  }
  ShiftTimes(&file, options.shift_ns);

  std::vector<std::uint8_t> out = OutputBytes(file);
  // Self-check: the scanner over the whole output, addresses and names.
  const std::vector<Leftover> left = scanner.Find(out.data(), out.size());
  if (!left.empty()) {
    throw AnonymizeError("self-check failed: " + std::to_string(left.size()) +
                         "+ input address(es) or name(s) still in the output (first as " +
                         left[0].form + " at byte " + std::to_string(left[0].offset) +
                         "); nothing written");
  }
  WriteOutput(output, out);
  return summary;
}

std::string FormatSummary(const Summary& s) {
  std::ostringstream o;
  o << "records: " << s.records;
  if (s.unparsed_kept > 0) o << " (" << s.unparsed_kept << " unparsed, kept with zeroed addresses)";
  o << "\naddresses mapped: " << s.addresses << " distinct, " << s.address_fields
    << " fields rewritten, " << s.remapped << " remapped after a collision\n"
    << "SSIDs replaced: " << s.ssids << " distinct, " << s.ssid_elements << " fields ("
    << s.wildcard_ssids << " wildcard or hidden kept)\n"
    << "WPS/P2P/vendor device fields replaced: " << s.wps_fields << "\n"
    << "other occurrences scrubbed: " << s.scrubbed << "\n"
    << "FCS recomputed: " << s.fcs_recomputed << " (" << s.fcs_kept_invalid
    << " invalid ones kept invalid)\n";
  if (s.pcapng != 0)
    o << "pcapng blocks dropped (names, secrets, custom): " << s.blocks_dropped << "\n";
  o << "self-check: no input address (raw, EUI-64, hex text) and no name of " << kMinTextLen
    << "+ bytes left\n";
  return o.str();
}

}  // namespace footfall::anonymize
