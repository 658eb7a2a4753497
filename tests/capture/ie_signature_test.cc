// Purpose: tests of the model signature of a probe request's information
// elements: element order and capability bytes are in it; the SSID, the
// channel, request lists and everything after a vendor element's OUI and type
// (a WPS UUID) are not, nor an iPhone's two state bits; broken element lists
// are cut safely. On the labelled real captures, the probes of one phone
// share few signatures and phones of different models differ.
#include "capture/ie_signature.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "capture/frame_parser.h"
#include "support/test_support.h"

namespace footfall::capture {
namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes Signature(const Bytes& ies) {
  std::uint8_t out[kIeSignatureMax];
  const std::size_t n = IeSignature(ies.data(), ies.size(), out);
  return Bytes(out, out + n);
}

const Bytes kRates = {1, 4, 0x02, 0x04, 0x0B, 0x16};
const Bytes kHt = {45, 4, 0xEF, 0x01, 0x1B, 0xFF};

Bytes Join(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

TEST(IeSignatureTest, SsidAndChannelDoNotMatterOrderAndCapabilitiesDo) {
  const Bytes wildcard = Join({{0, 0}, kRates, {3, 1, 1}, kHt});
  const Bytes directed = Join({{0, 4, 'c', 'a', 'f', 'e'}, kRates, {3, 1, 11}, kHt});
  EXPECT_EQ(Signature(wildcard), Signature(directed));
  EXPECT_EQ(Signature(wildcard), Join({{0, 0}, kRates, {3, 0}, kHt}));

  const Bytes reordered = Join({{0, 0}, {3, 1, 1}, kRates, kHt});
  EXPECT_NE(Signature(wildcard), Signature(reordered));
  Bytes other_ht = kHt;
  other_ht[2] = 0x6F;
  EXPECT_NE(Signature(wildcard), Signature(Join({{0, 0}, kRates, {3, 1, 1}, other_ht})));
  // No SSID bytes anywhere in the signature.
  const Bytes sig = Signature(directed);
  EXPECT_EQ(std::search(sig.begin(), sig.end(), directed.begin() + 2, directed.begin() + 6),
            sig.end());
}

TEST(IeSignatureTest, VendorElementsContributeOuiAndTypeOnly) {
  // A WPS element: Microsoft OUI 00:50:F2, type 4, then a per-device UUID.
  const Bytes wps1 = {221, 9, 0x00, 0x50, 0xF2, 0x04, 0x10, 0x47, 0xAA, 0xBB, 0xCC};
  const Bytes wps2 = {221, 9, 0x00, 0x50, 0xF2, 0x04, 0x10, 0x47, 0x11, 0x22, 0x33};
  EXPECT_EQ(Signature(Join({kRates, wps1})), Signature(Join({kRates, wps2})));
  EXPECT_EQ(Signature(wps1), (Bytes{221, 4, 0x00, 0x50, 0xF2, 0x04}));
  const Bytes other_vendor = {221, 5, 0x00, 0x17, 0xF2, 0x0A, 0x00};
  EXPECT_NE(Signature(wps1), Signature(other_vendor));
}

TEST(IeSignatureTest, StateBitsOfAPhoneAreNotPartOfItsModel) {
  // An iPhone's two variants (ESP32 lab, Argo F_test_1): HT "Forty MHz
  // Intolerant" (bit 14) and extended capability bit 26, set or cleared
  // together from one scan to the next.
  const Bytes ht_set = {45, 4, 0x2D, 0x40, 0x1B, 0xFF};
  const Bytes ht_clear = {45, 4, 0x2D, 0x00, 0x1B, 0xFF};
  const Bytes ext_set = {127, 8, 0x00, 0x00, 0x08, 0x04, 0x00, 0x00, 0x00, 0x40};
  const Bytes ext_clear = {127, 8, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x40};
  EXPECT_EQ(Signature(Join({kRates, ht_set, ext_set})),
            Signature(Join({kRates, ht_clear, ext_clear})));
  EXPECT_EQ(Signature(Join({kRates, ht_set, ext_clear})),
            Signature(Join({kRates, ht_clear, ext_set})));
  // The other bits of the same octets still tell models apart.
  Bytes ht_other = ht_clear;
  ht_other[3] = 0x01;  // bit 8, RX STBC
  EXPECT_NE(Signature(Join({kRates, ht_clear})), Signature(Join({kRates, ht_other})));
  Bytes ext_other = ext_clear;
  ext_other[5] = 0x08;  // bit 27
  EXPECT_NE(Signature(Join({kRates, ext_clear})), Signature(Join({kRates, ext_other})));
  // Too short to hold the bits: taken as they are.
  EXPECT_EQ(Signature({127, 3, 0x00, 0x00, 0x08}), (Bytes{127, 3, 0x00, 0x00, 0x08}));
}

// A directed probe under a per-network address carries vendor elements the
// phone's broadcast probes do not: without them, its signature is theirs.
TEST(IeSignatureTest, WithoutTrailingVendorElementsIsTheBroadcastSignature) {
  const Bytes apple = {221, 5, 0x00, 0x17, 0xF2, 0x0A, 0x00};
  const Bytes wfa = {221, 9, 0x00, 0x50, 0xF2, 0x08, 0x10, 0x47, 0xAA, 0xBB, 0xCC};
  const Bytes broadcast = Signature(Join({{0, 0}, kRates, kHt}));
  const Bytes directed = Signature(Join({{0, 4, 'c', 'i', 'a', 'o'}, kRates, kHt, apple, wfa}));
  ASSERT_GT(directed.size(), broadcast.size());
  EXPECT_EQ(WithoutTrailingVendorElements(directed.data(), directed.size()), broadcast.size());
  EXPECT_TRUE(std::equal(broadcast.begin(), broadcast.end(), directed.begin()));
  // A vendor element followed by others stays; nothing else: nothing left.
  const Bytes inner = Signature(Join({kRates, apple, kHt}));
  EXPECT_EQ(WithoutTrailingVendorElements(inner.data(), inner.size()), inner.size());
  const Bytes only = Signature(Join({apple, wfa}));
  EXPECT_EQ(WithoutTrailingVendorElements(only.data(), only.size()), 0u);
  EXPECT_EQ(WithoutTrailingVendorElements(nullptr, 0), 0u);
}

TEST(IeSignatureTest, BrokenListsAreCutAndLongOnesBounded) {
  EXPECT_TRUE(Signature({}).empty());
  EXPECT_TRUE(Signature({1}).empty());
  EXPECT_EQ(Signature({0, 0, 1, 9, 0x02}), (Bytes{0, 0}));  // second element overruns
  Bytes full;
  for (int i = 0; i < 20; ++i) {
    full.push_back(45);
    full.push_back(26);
    full.insert(full.end(), 26, static_cast<std::uint8_t>(i));
  }
  std::uint8_t out[kIeSignatureMax + 16];
  const std::size_t n = IeSignature(full.data(), full.size(), out);
  EXPECT_LE(n, kIeSignatureMax);
  EXPECT_GT(n, kIeSignatureMax - 30);
}

// The labelled captures: one phone per file (devices A..K).
TEST(IeSignatureTest, LabelledPhonesHaveFewSignaturesEachAndDifferAcrossModels) {
  const std::filesystem::path dir =
      std::filesystem::path(FOOTFALL_CAPTURES_DIR) / "labelled-single-device";
  std::map<char, std::set<Bytes>> by_device;
  std::map<char, std::size_t> probes;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    const auto at = name.find("__");
    ASSERT_NE(at, std::string::npos) << name;
    const char device = name[at + 2];
    footfall::testing::PcapFile f = footfall::testing::ReadPcap(entry.path().string());
    for (auto& rec : f.records) {
      ParseResult r = ParseFrame(f.link_type, rec.bytes.data(), rec.bytes.size(), rec.wirelen);
      if (r.frame_class != FrameClass::kProbeRequest) continue;
      r.probe.transmitter.Wipe();
      by_device[device].insert(Bytes(Signature(Bytes(r.probe.ies, r.probe.ies + r.probe.ies_len))));
      ++probes[device];
    }
  }
  ASSERT_GE(by_device.size(), 10u);
  std::set<Bytes> all;
  std::size_t sum = 0;
  for (const auto& [device, sigs] : by_device) {
    // Every phone's hundreds of probes come down to a handful of signatures
    // (2.4 GHz only here; some phones vary an element between scan types).
    EXPECT_LE(sigs.size(), 4u) << "device " << device << " with " << probes[device] << " probes";
    ::testing::Test::RecordProperty(std::string("signatures_") + device,
                                    static_cast<int>(sigs.size()));
    all.insert(sigs.begin(), sigs.end());
    sum += sigs.size();
  }
  // Signatures are mostly per model: few are shared between the phones.
  EXPECT_GE(all.size() * 10, sum * 7);
}

}  // namespace
}  // namespace footfall::capture
