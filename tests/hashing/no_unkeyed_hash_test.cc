// Purpose: requirement 2's "no unkeyed or fixed-salt hash of a MAC anywhere",
// checked on the source tree: the only hash functions footfalld's code calls
// are the keyed PRFs of hashing/pseudonymizer.cc (given the secret key), the
// keyed seed ratchet of hashing/seed_key_source.cc, CRC-32 (the 802.11 FCS
// check and the journal's record checksum: computed, compared, discarded) and
// std::hash of pseudonyms. A new call elsewhere fails this test and has to be
// justified here. (That the pseudonyms depend on a random per-run key is
// shown by pseudonymizer_test.cc's RandomKeysDifferBetweenInstances.)
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "support/test_support.h"

namespace footfall::testing {
namespace {

struct Call {
  std::string file;  // relative to the source tree
  std::string function;
  std::string text;  // the call up to its closing parenthesis (or 300 characters)
};

std::vector<Call> HashCalls() {
  static const std::regex kHash(
      R"(\b(crypto_generichash(?:_init|_update|_final)?|crypto_shorthash|crypto_hash\w*|)"
      R"(crypto_kdf_\w+|crypto_auth\w*|SHA\d*\w*|MD5\w*|EVP_Digest\w*|Crc32|std::hash)\s*[(<])");
  std::vector<Call> calls;
  for (const char* part : {"base", "capture", "hashing", "analytics", "transport", "daemon"}) {
    for (const auto& e : std::filesystem::recursive_directory_iterator(SourceDir() + "/" + part)) {
      const std::string ext = e.path().extension().string();
      if (ext != ".cc" && ext != ".h") continue;
      const std::string text = ReadFile(e.path().string());
      for (auto it = std::sregex_iterator(text.begin(), text.end(), kHash);
           it != std::sregex_iterator(); ++it) {
        const std::size_t at = static_cast<std::size_t>(it->position(0));
        const std::size_t line_start = text.rfind('\n', at) + 1;
        const std::string line_prefix = text.substr(line_start, at - line_start);
        if (line_prefix.find("//") != std::string::npos) continue;  // a comment
        const std::string rest = text.substr(at, 300);
        // Definitions and declarations are not calls.
        if (line_prefix.find("std::uint32_t ") != std::string::npos) continue;
        calls.push_back({std::string(part) + "/" + e.path().filename().string(), (*it)[1],
                         rest.substr(0, rest.find(';'))});
      }
    }
  }
  return calls;
}

TEST(NoUnkeyedHashTest, AddressesAreHashedOnlyByTheKeyedPrf) {
  const std::vector<Call> calls = HashCalls();
  ASSERT_FALSE(calls.empty()) << "the scan found nothing: it is broken";
  std::set<std::string> seen;
  for (const Call& c : calls) {
    SCOPED_TRACE(c.file + ": " + c.text);
    seen.insert(c.file + ":" + c.function);
    if (c.function == "crypto_shorthash" || c.function == "crypto_generichash") {
      if (c.file == "hashing/pseudonymizer.cc") {
        // The PRF: keyed with the epoch's secret key.
        EXPECT_NE(c.text.find("key"), std::string::npos);
        EXPECT_EQ(c.text.find("nullptr"), std::string::npos);
      } else {
        // The seed ratchet: keyed with the seed, over a constant label.
        EXPECT_EQ(c.file, "hashing/seed_key_source.cc");
        EXPECT_NE(c.text.find("kRatchetLabel"), std::string::npos);
        EXPECT_NE(c.text.find("seed"), std::string::npos);
      }
    } else if (c.function.rfind("crypto_kdf_", 0) == 0) {
      EXPECT_EQ(c.file, "hashing/seed_key_source.cc");  // epoch keys from the seed
    } else if (c.function == "Crc32") {
      // base/crc32.h's string overload forwards to the byte one.
      EXPECT_TRUE(c.file == "capture/frame_parser.cc" || c.file == "transport/message_journal.cc" ||
                  c.file == "base/crc32.h")
          << "CRC-32 is for the FCS check and the journal's checksums only";
    } else if (c.function == "std::hash") {
      EXPECT_NE(c.text.find("pseudonym"), std::string::npos) << "std::hash only of pseudonyms";
    } else {
      ADD_FAILURE() << "hash function " << c.function << " called in " << c.file;
    }
  }
  // The scan sees the calls it must see.
  EXPECT_EQ(seen.count("hashing/pseudonymizer.cc:crypto_shorthash"), 1u);
  EXPECT_EQ(seen.count("hashing/pseudonymizer.cc:crypto_generichash"), 1u);
  EXPECT_EQ(seen.count("hashing/seed_key_source.cc:crypto_generichash"), 1u);
  EXPECT_EQ(seen.count("hashing/seed_key_source.cc:crypto_kdf_derive_from_key"), 1u);
  EXPECT_EQ(seen.count("capture/frame_parser.cc:Crc32"), 1u);
  EXPECT_EQ(seen.count("transport/message_journal.cc:Crc32"), 1u);
}

}  // namespace
}  // namespace footfall::testing
