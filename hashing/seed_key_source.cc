// Purpose: shared-key mode (see seed_key_source.h): reading, ratcheting and
// atomically rewriting the site seed, and deriving epoch keys from it. Every
// buffer that ever holds the seed or its hex text is SecureMemory
// (secure_memory.h), wiped after use; no std::string ever holds secret bytes.
#include "hashing/seed_key_source.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "base/file_io.h"
#include "hashing/secure_memory.h"

namespace footfall::hashing {
namespace {

static_assert(kSeedBytes == crypto_kdf_KEYBYTES, "the seed is a crypto_kdf master key");
static_assert(kKeyBytes >= crypto_kdf_BYTES_MIN && kKeyBytes <= crypto_kdf_BYTES_MAX,
              "epoch keys must be a valid crypto_kdf subkey length");

constexpr char kKdfContext[crypto_kdf_CONTEXTBYTES + 1] = "footfall";
constexpr std::string_view kRatchetLabel = "footfall seed ratchet v1";
constexpr std::string_view kMagic = "footfall-seed 1";
constexpr std::size_t kMaxFileBytes = 512;

// Returns the next line of [*pos, end) without its '\n' and advances *pos.
std::string_view NextLine(const char* begin, std::size_t size, std::size_t* pos) {
  const std::size_t start = *pos;
  std::size_t i = start;
  while (i < size && begin[i] != '\n') ++i;
  *pos = i < size ? i + 1 : i;
  return std::string_view(begin + start, i - start);
}

bool ParseInt64(std::string_view s, std::int64_t* out) {
  if (s.empty() || s.size() > 19) return false;
  bool negative = false;
  if (s.front() == '-') {
    negative = true;
    s.remove_prefix(1);
    if (s.empty()) return false;
  }
  std::int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = negative ? -v : v;
  return true;
}

}  // namespace

void RatchetSeed(const std::uint8_t* seed, std::uint8_t* next) {
  if (crypto_generichash(next, kSeedBytes,
                         reinterpret_cast<const unsigned char*>(kRatchetLabel.data()),
                         kRatchetLabel.size(), seed, kSeedBytes) != 0) {
    throw std::runtime_error("seed ratchet (keyed BLAKE2b) failed");
  }
}

void DeriveEpochKey(const std::uint8_t* seed, std::int64_t index, std::uint8_t* key) {
  if (crypto_kdf_derive_from_key(key, kKeyBytes, static_cast<std::uint64_t>(index), kKdfContext,
                                 seed) != 0) {
    throw std::runtime_error("epoch key derivation failed");
  }
}

void WriteSeedFile(const std::string& path, const std::string& schedule, std::int64_t epoch_index,
                   const std::uint8_t* seed) {
  if (schedule.find('\n') != std::string::npos) throw std::invalid_argument("bad schedule text");
  SecureMemory text(kMaxFileBytes);
  const int header =
      std::snprintf(text.chars(), text.size(), "%.*s\nschedule %s\nepoch %lld\nseed ",
                    static_cast<int>(kMagic.size()), kMagic.data(), schedule.c_str(),
                    static_cast<long long>(epoch_index));
  if (header < 0 || static_cast<std::size_t>(header) + 2 * kSeedBytes + 2 > text.size()) {
    throw std::runtime_error("seed file header too long");
  }
  std::size_t n = static_cast<std::size_t>(header);
  sodium_bin2hex(text.chars() + n, text.size() - n, seed, kSeedBytes);
  n += 2 * kSeedBytes;
  text.chars()[n++] = '\n';

  // The previous file, kept open across the replacement so its contents can
  // be overwritten once the new one is in place.
  const int old_fd = open(path.c_str(), O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
  if (Status replaced = ReplaceFile(path, text.chars(), n, /*durable=*/true, "seed file");
      !replaced) {
    if (old_fd >= 0) close(old_fd);
    throw std::runtime_error(replaced.error());
  }
  if (old_fd >= 0) {
    struct stat st {};
    if (fstat(old_fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
        static_cast<std::size_t>(st.st_size) <= kMaxFileBytes) {
      char zeros[kMaxFileBytes] = {};
      if (pwrite(old_fd, zeros, static_cast<std::size_t>(st.st_size), 0) == st.st_size) {
        fsync(old_fd);
      }
    }
    close(old_fd);
  }
}

void ProvisionSeedFile(const std::string& path, const RotationSchedule& schedule, TimePoint now) {
  struct stat st {};
  if (lstat(path.c_str(), &st) == 0) {
    throw std::runtime_error(path +
                             " already exists; a seed file is never overwritten by "
                             "provisioning (remove it first if you mean it)");
  }
  SecureMemory seed(kSeedBytes);
  randombytes_buf(seed.data(), kSeedBytes);
  WriteSeedFile(path, schedule.Describe(), schedule.EpochIndex(now), seed.data());
}

SeedKeySource::SeedKeySource(std::string path, const RotationSchedule& schedule)
    : path_(std::move(path)), schedule_(schedule.Describe()) {
  const int fd = open(path_.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error(ErrnoMessage("cannot open seed file", path_));
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    close(fd);
    throw std::runtime_error(ErrnoMessage("cannot stat seed file", path_));
  }
  const auto fail = [&](const std::string& why) {
    close(fd);
    throw std::runtime_error("seed file " + path_ + ": " + why);
  };
  if (!S_ISREG(st.st_mode)) fail("not a regular file");
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    fail(std::string("readable or writable by group or others (mode ") + mode + "); chmod 600 it");
  }
  if (st.st_size <= 0 || static_cast<std::size_t>(st.st_size) >= kMaxFileBytes) {
    fail("not a footfall seed file (wrong size)");
  }
  SecureMemory text(kMaxFileBytes);
  std::size_t n = 0;
  while (n < text.size() - 1) {
    const ssize_t r = read(fd, text.chars() + n, text.size() - 1 - n);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) fail(std::string("read failed: ") + std::strerror(errno));
    if (r == 0) break;
    n += static_cast<std::size_t>(r);
  }
  close(fd);

  std::size_t pos = 0;
  const std::string_view magic = NextLine(text.chars(), n, &pos);
  const std::string_view sched = NextLine(text.chars(), n, &pos);
  const std::string_view epoch = NextLine(text.chars(), n, &pos);
  const std::string_view seed = NextLine(text.chars(), n, &pos);
  const auto bad = [&](const std::string& why) {
    throw std::runtime_error("seed file " + path_ + ": " + why);
  };
  if (magic != kMagic) bad("not a footfall seed file (first line is not \"footfall-seed 1\")");
  if (sched.substr(0, 9) != "schedule " || sched.substr(9) != schedule_) {
    bad("made for the schedule \"" +
        std::string(sched.substr(0, 9) == "schedule " ? sched.substr(9) : sched) +
        "\", but this sensor rotates " + schedule_ +
        "; every sensor of a site needs the same schedule");
  }
  if (epoch.substr(0, 6) != "epoch " || !ParseInt64(epoch.substr(6), &epoch_index_)) {
    bad("third line must be \"epoch N\"");
  }
  if (seed.substr(0, 5) != "seed " || seed.size() != 5 + 2 * kSeedBytes) {
    bad("fourth line must be \"seed\" and 64 hex digits");
  }
  std::size_t bin_len = 0;
  if (sodium_hex2bin(area_.data(), kSeedBytes, seed.data() + 5, 2 * kSeedBytes, nullptr, &bin_len,
                     nullptr) != 0 ||
      bin_len != kSeedBytes) {
    bad("fourth line must be \"seed\" and 64 hex digits");  // area_ wipes what was decoded
  }
  area_.MakeReadOnly();
}

SeedKeySource::~SeedKeySource() = default;  // SecureMemory wipes the seed

void SeedKeySource::Fill(std::uint8_t* /*out*/, std::uint64_t /*epoch*/) {
  throw std::logic_error("SeedKeySource needs the schedule's epoch index (FillFor)");
}

void SeedKeySource::FillFor(std::uint8_t* out, const Epoch& epoch) {
  if (epoch.index != epoch_index_) {
    RatchetTo(epoch.index);
    Persist();
  }
  DeriveEpochKey(area_.data(), epoch_index_, out);
}

void SeedKeySource::RatchetTo(std::int64_t index) {
  if (index < epoch_index_) {
    throw std::runtime_error("seed file " + path_ + " is for epoch " +
                             std::to_string(epoch_index_) + ", after the current epoch " +
                             std::to_string(index) +
                             "; earlier seeds no longer exist (is the clock right?)");
  }
  if (index - epoch_index_ > kMaxCatchUpEpochs) {
    throw std::runtime_error("seed file " + path_ + " is for epoch " +
                             std::to_string(epoch_index_) + ", implausibly far behind the " +
                             "current epoch " + std::to_string(index));
  }
  const SecureMemory::WriteScope writable(area_);  // read-only again at the scope's end
  std::uint8_t* seed = area_.data();
  std::uint8_t* scratch = area_.data() + kSeedBytes;
  try {
    for (; epoch_index_ < index; ++epoch_index_) {
      RatchetSeed(seed, scratch);
      std::memcpy(seed, scratch, kSeedBytes);  // the older seed is gone
      area_.Wipe(kSeedBytes, kSeedBytes);
    }
  } catch (...) {
    area_.Wipe(kSeedBytes, kSeedBytes);
    throw;
  }
}

void SeedKeySource::Persist() { WriteSeedFile(path_, schedule_, epoch_index_, area_.data()); }

}  // namespace footfall::hashing
