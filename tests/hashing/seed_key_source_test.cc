// Purpose: tests of shared-key mode (hashing/seed_key_source.h) with an
// injected clock: sensors given copies of one seed agree on every pseudonym,
// epoch after epoch; keys and ratchet steps match libsodium called directly;
// after a ratchet the file (and the seed memory) hold no earlier seed, the
// file is mode 0600 and the old inode's bytes are overwritten; a sensor
// started late catches up to the current epoch; bad files are refused. No
// MAC is printed, nor any seed.
#include "hashing/seed_key_source.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "support/key_sources.h"
#include "support/test_support.h"

namespace footfall::hashing {
namespace {

using capture::MacAddress;
using footfall::testing::Hex;
using footfall::testing::ReadFile;
using footfall::testing::TempDir;
using footfall::testing::Utc;
using footfall::testing::WriteFile;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

using footfall::testing::Ratchet;
using footfall::testing::Seed;

const TimePoint kStart = Utc(2026, 5, 4, 10, 20);

Seed TestSeed(std::uint8_t salt) {
  Seed s{};
  for (std::size_t i = 0; i < s.size(); ++i) s[i] = static_cast<std::uint8_t>(i * 7 + salt);
  return s;
}

Seed RatchetTimes(Seed s, int n) {
  for (int i = 0; i < n; ++i) s = Ratchet(s);
  return s;
}

std::unique_ptr<RotationSchedule> Hourly() { return MakePeriodicSchedule(hours(1)); }

std::int64_t HourIndex(TimePoint t) { return Hourly()->EpochIndex(t); }

std::string WriteSeed(const TempDir& dir, const std::string& name, const Seed& seed,
                      std::int64_t epoch, const std::string& schedule = "every 3600 s") {
  const std::string path = dir.File(name);
  WriteSeedFile(path, schedule, epoch, seed.data());
  return path;
}

// The seed and epoch written in a seed file, parsed here independently.
struct FileContents {
  std::int64_t epoch = 0;
  Seed seed{};
};
FileContents ParseSeedFile(const std::string& path) {
  std::istringstream in(ReadFile(path));
  std::string magic, schedule_line, epoch_word, seed_word, hex;
  FileContents c;
  std::getline(in, magic);
  std::getline(in, schedule_line);
  in >> epoch_word >> c.epoch >> seed_word >> hex;
  EXPECT_EQ(magic, "footfall-seed 1");
  EXPECT_EQ(epoch_word, "epoch");
  EXPECT_EQ(seed_word, "seed");
  EXPECT_EQ(hex.size(), 64u);
  for (std::size_t i = 0; i < kSeedBytes && 2 * i + 1 < hex.size(); ++i) {
    c.seed[i] = static_cast<std::uint8_t>(std::stoi(hex.substr(2 * i, 2), nullptr, 16));
  }
  return c;
}

bool Contains(const std::string& haystack, const Seed& s) {
  const std::string raw(reinterpret_cast<const char*>(s.data()), s.size());
  return haystack.find(raw) != std::string::npos ||
         haystack.find(Hex(s.data(), s.size())) != std::string::npos ||
         haystack.find(Hex(s.data(), s.size(), true)) != std::string::npos;
}

std::unique_ptr<Pseudonymizer> Sensor(const std::string& seed_file, TimePoint now,
                                      Algorithm algorithm = Algorithm::kSipHash24) {
  auto schedule = Hourly();
  auto keys = std::make_unique<SeedKeySource>(seed_file, *schedule);
  return std::make_unique<Pseudonymizer>(algorithm, std::move(schedule), std::move(keys), now);
}

std::uint64_t Pseudo(Pseudonymizer& p, std::uint8_t last_byte) {
  const std::uint8_t bytes[6] = {0xda, 0xa1, 0x19, 0x0a, 0x0b, last_byte};
  MacAddress mac(bytes);
  return p.Pseudonymize(mac).value;
}

TEST(SeedKeySourceTest, SensorsWithTheSameSeedAgreeEpochAfterEpoch) {
  TempDir dir;
  const Seed seed = TestSeed(1);
  const std::int64_t e = HourIndex(kStart);
  auto a = Sensor(WriteSeed(dir, "a", seed, e), kStart);
  auto b = Sensor(WriteSeed(dir, "b", seed, e), kStart + minutes(7));  // started a bit later
  auto other = Sensor(WriteSeed(dir, "c", TestSeed(2), e), kStart);
  for (int hour = 0; hour < 4; ++hour) {
    const TimePoint t = kStart + hours(hour);
    a->AdvanceTo(t);
    b->AdvanceTo(t + minutes(1));
    other->AdvanceTo(t);
    std::set<std::uint64_t> seen;
    for (std::uint8_t m = 0; m < 50; ++m) {
      const std::uint64_t pa = Pseudo(*a, m);
      EXPECT_EQ(pa, Pseudo(*b, m)) << "hour " << hour << " device " << int(m);
      EXPECT_NE(pa, Pseudo(*other, m));
      seen.insert(pa);
    }
    EXPECT_EQ(seen.size(), 50u);
  }
}

TEST(SeedKeySourceTest, EpochKeyIsTheKdfOfTheCurrentSeed) {
  TempDir dir;
  const Seed seed = TestSeed(3);
  const std::int64_t e = HourIndex(kStart);
  auto p = Sensor(WriteSeed(dir, "seed", seed, e), kStart);
  const auto expected_key = [](const Seed& s, std::int64_t index) {
    std::array<std::uint8_t, kKeyBytes> key{};
    EXPECT_EQ(crypto_kdf_derive_from_key(key.data(), key.size(), static_cast<std::uint64_t>(index),
                                         "footfall", s.data()),
              0);
    return key;
  };
  const auto current_key = [&p] {
    std::array<std::uint8_t, kKeyBytes> key{};
    std::copy_n(p->key_area_for_test() + p->current_slot_for_test() * kKeyBytes, kKeyBytes,
                key.begin());
    return key;
  };
  EXPECT_EQ(current_key(), expected_key(seed, e));
  ASSERT_TRUE(p->AdvanceTo(p->next_rotation()));
  EXPECT_EQ(current_key(), expected_key(Ratchet(seed), e + 1));
}

TEST(SeedKeySourceTest, RatchetRewritesTheFileWithoutAnyEarlierSeed) {
  TempDir dir;
  const Seed seed = TestSeed(4);
  const std::int64_t e = HourIndex(kStart);
  const std::string path = WriteSeed(dir, "seed", seed, e);
  auto schedule = Hourly();
  auto keys = std::make_unique<SeedKeySource>(path, *schedule);
  const SeedKeySource* source = keys.get();
  Pseudonymizer p(Algorithm::kSipHash24, std::move(schedule), std::move(keys), kStart);
  EXPECT_EQ(ParseSeedFile(path).epoch, e) << "no ratchet within the file's own epoch";

  // Keep the old file open: after the ratchet its bytes must be gone too.
  const int old_fd = open(path.c_str(), O_RDONLY);
  ASSERT_GE(old_fd, 0);
  ASSERT_TRUE(p.AdvanceTo(p.next_rotation()));

  const FileContents now = ParseSeedFile(path);
  EXPECT_EQ(now.epoch, e + 1);
  EXPECT_TRUE(now.seed == Ratchet(seed)) << "the file holds the next seed";
  const std::string text = ReadFile(path);
  EXPECT_FALSE(Contains(text, seed)) << "the file still holds the earlier seed";
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));

  char old_bytes[512] = {};
  const ssize_t n = pread(old_fd, old_bytes, sizeof old_bytes, 0);
  close(old_fd);
  ASSERT_GT(n, 0);
  EXPECT_FALSE(Contains(std::string(old_bytes, static_cast<std::size_t>(n)), seed))
      << "the replaced file's bytes were not overwritten";

  // In memory: only the current seed, the scratch slot zero.
  const std::string area(reinterpret_cast<const char*>(source->seed_area_for_test()),
                         source->seed_area_size_for_test());
  EXPECT_FALSE(Contains(area, seed));
  EXPECT_EQ(area.substr(0, kSeedBytes),
            std::string(reinterpret_cast<const char*>(Ratchet(seed).data()), kSeedBytes));
  EXPECT_EQ(area.substr(kSeedBytes), std::string(kSeedBytes, '\0'));
}

TEST(SeedKeySourceTest, ALateSensorCatchesUpToTheCurrentEpoch) {
  TempDir dir;
  const Seed seed = TestSeed(5);
  const std::int64_t e = HourIndex(kStart);
  // One sensor has run since epoch e; the other was provisioned with the same
  // file then but starts five hours later.
  auto early = Sensor(WriteSeed(dir, "early", seed, e), kStart);
  const std::string late_path = WriteSeed(dir, "late", seed, e);
  for (int h = 1; h <= 5; ++h) early->AdvanceTo(kStart + hours(h));
  auto late = Sensor(late_path, kStart + hours(5));
  for (std::uint8_t m = 0; m < 20; ++m) EXPECT_EQ(Pseudo(*early, m), Pseudo(*late, m));
  const FileContents file = ParseSeedFile(late_path);
  EXPECT_EQ(file.epoch, e + 5);
  EXPECT_TRUE(file.seed == RatchetTimes(seed, 5));
  const std::string text = ReadFile(late_path);
  for (int k = 0; k < 5; ++k) EXPECT_FALSE(Contains(text, RatchetTimes(seed, k))) << k;
  EXPECT_EQ(ReadFile(late_path), ReadFile(dir.File("early")));
}

TEST(SeedKeySourceTest, DailyScheduleSensorsAgreeToo) {
  TempDir dir;
  auto daily = MakeDailySchedule(4, 0);
  const std::int64_t e = daily->EpochIndex(kStart);
  const Seed seed = TestSeed(6);
  // The site was provisioned two days ago: sensor a has run since (its file
  // is two ratchets on), sensor b starts today from the original file.
  WriteSeedFile(dir.File("a"), daily->Describe(), e, RatchetTimes(seed, 2).data());
  WriteSeedFile(dir.File("b"), daily->Describe(), e - 2, seed.data());
  Pseudonymizer a(Algorithm::kBlake2b, MakeDailySchedule(4, 0),
                  std::make_unique<SeedKeySource>(dir.File("a"), *daily), kStart);
  Pseudonymizer b(Algorithm::kBlake2b, MakeDailySchedule(4, 0),
                  std::make_unique<SeedKeySource>(dir.File("b"), *daily), kStart);
  for (std::uint8_t m = 0; m < 10; ++m) EXPECT_EQ(Pseudo(a, m), Pseudo(b, m));
  EXPECT_EQ(ParseSeedFile(dir.File("b")).epoch, e);
}

TEST(SeedKeySourceTest, RefusesAFileAheadOfTheClock) {
  TempDir dir;
  const std::string path = WriteSeed(dir, "seed", TestSeed(7), HourIndex(kStart) + 1);
  try {
    Sensor(path, kStart);
    FAIL() << "a seed of a later epoch was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("earlier seeds no longer exist"), std::string::npos)
        << e.what();
  }
}

TEST(SeedKeySourceTest, RefusesBadFiles) {
  TempDir dir;
  auto schedule = Hourly();
  const auto error_of = [&](const std::string& path) -> std::string {
    try {
      SeedKeySource s(path, *schedule);
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_NE(error_of(dir.File("missing")).find("cannot open seed file"), std::string::npos);

  const std::string other_schedule =
      WriteSeed(dir, "daily", TestSeed(8), 1, "daily at 04:00 local time");
  EXPECT_NE(error_of(other_schedule).find("same schedule"), std::string::npos);

  const std::string readable = WriteSeed(dir, "readable", TestSeed(8), 1);
  chmod(readable.c_str(), 0640);
  EXPECT_NE(error_of(readable).find("chmod 600"), std::string::npos);

  const std::string link = dir.File("link");
  ASSERT_EQ(symlink(WriteSeed(dir, "target", TestSeed(8), 1).c_str(), link.c_str()), 0);
  EXPECT_NE(error_of(link), "");

  const std::string garbage = dir.File("garbage");
  WriteFile(garbage, "footfall-seed 1\nschedule every 3600 s\nepoch 1\nseed 00zz\n");
  chmod(garbage.c_str(), 0600);
  EXPECT_NE(error_of(garbage).find("64 hex digits"), std::string::npos);
}

TEST(SeedKeySourceTest, ProvisionWritesTheCurrentEpochAndNeverOverwrites) {
  TempDir dir;
  const std::string path = dir.File("seed");
  auto schedule = Hourly();
  ProvisionSeedFile(path, *schedule, kStart);
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  const FileContents c = ParseSeedFile(path);
  EXPECT_EQ(c.epoch, HourIndex(kStart));
  EXPECT_FALSE(c.seed == Seed{});
  const std::string before = ReadFile(path);
  EXPECT_THROW(ProvisionSeedFile(path, *schedule, kStart), std::runtime_error);
  EXPECT_EQ(ReadFile(path), before);
  SeedKeySource usable(path, *schedule);
  EXPECT_EQ(usable.epoch_index(), HourIndex(kStart));
}

TEST(SeedKeySourceTest, SeedMemoryIsLockedAndExcludedFromCoreDumps) {
  TempDir dir;
  auto schedule = Hourly();
  SeedKeySource s(WriteSeed(dir, "seed", TestSeed(9), 1), *schedule);
  const auto addr = reinterpret_cast<std::uintptr_t>(s.seed_area_for_test());
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false;
  std::string flags;
  while (std::getline(smaps, line)) {
    const auto dash = line.find('-');
    const auto space = line.find(' ');
    if (dash != std::string::npos && space != std::string::npos && dash < space &&
        line.find_first_not_of("0123456789abcdef") == dash) {
      inside = std::stoull(line.substr(0, dash), nullptr, 16) <= addr &&
               addr < std::stoull(line.substr(dash + 1, space - dash - 1), nullptr, 16);
    } else if (inside && line.rfind("VmFlags:", 0) == 0) {
      flags = line + " ";
      break;
    }
  }
  EXPECT_NE(flags.find(" dd "), std::string::npos) << flags;
  EXPECT_NE(flags.find(" lo "), std::string::npos) << flags;
}

}  // namespace
}  // namespace footfall::hashing
