// Purpose: tests of footfall-anonymize (tools/anonymize), the real binary:
//  - on the repository's real captures (tests/data, themselves anonymised:
//    the properties hold all the same, output addresses differ from input):
//    tshark's counts of the output (frames, probe requests, distinct and
//    locally administered sources, bad FCS) equal the input's; no address and
//    no SSID of the input is left in the output; footfalld publishes
//    identical counts for both;
//  - on synthetic captures built here: every frame type's addresses, group /
//    local / OUI bits, one mapping per address within a run and across runs
//    with --key-file, injectivity under many addresses of one vendor, SSIDs,
//    WPS and P2P fields, text forms of addresses, FCS valid and invalid,
//    timestamps and --shift-time, pcapng, and bad inputs (truncated, unknown
//    link type, garbage: a clear error and no output file).
// No test prints an address or a network name.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "base/crc32.h"
#include "capture/frame_parser.h"
#include "support/test_support.h"

namespace footfall::testing {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;
using Mac = std::array<std::uint8_t, 6>;
using std::chrono::seconds;

const Mac kBroadcast = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};

struct ToolRun {
  int code = -1;
  std::string out;
  std::string err;
};

ToolRun Anonymize(const TempDir& dir, const std::vector<std::string>& args) {
  std::vector<std::string> argv{ANONYMIZE_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  ToolRun r;
  Process p(argv, dir.File("anon.out"), dir.File("anon.err"));
  const int st = p.Wait(seconds(120));
  r.code = ExitCode(st);
  r.out = ReadFile(dir.File("anon.out"));
  r.err = ReadFile(dir.File("anon.err"));
  return r;
}

// The forms an address must not keep in the output (tools/anonymize/leftovers.h).
std::vector<std::string> Forms(const Mac& m) {
  std::vector<std::string> f;
  f.emplace_back(reinterpret_cast<const char*>(m.data()), 6);
  for (bool upper : {false, true}) {
    for (char sep : {':', '-', '\0'}) f.push_back(Hex(m.data(), 6, upper, sep));
    f.push_back(Hex(m.data(), 2, upper) + "." + Hex(m.data() + 2, 2, upper) + "." +
                Hex(m.data() + 4, 2, upper));
  }
  return f;
}

bool Contains(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

// ---- tshark's view -------------------------------------------------------------
struct TsharkView {
  std::size_t frames = 0, probes = 0, distinct_src = 0, local_src = 0, fcs_bad = 0, flagged = 0;
  std::set<std::string> addresses;  // every address field of every frame, "aa:bb:..."
  std::set<std::string> ssids;      // tshark's text of every SSID element
};

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream in(s);
  while (std::getline(in, cur, sep)) out.push_back(cur);
  return out;
}

TsharkView Tshark(const std::string& file) {
  std::string out;
  RunCommand({"tshark", "-n",
              "-o",     "wlan.check_checksum:TRUE",
              "-r",     file,
              "-T",     "fields",
              "-E",     "separator=/t",
              "-E",     "occurrence=a",
              "-e",     "wlan.fc.type_subtype",
              "-e",     "wlan.sa",
              "-e",     "wlan.fcs.status",
              "-e",     "radiotap.flags.badfcs",
              "-e",     "wlan.addr",
              "-e",     "wlan.ra",
              "-e",     "wlan.ta",
              "-e",     "wlan.bssid",
              "-e",     "wlan.ssid"},
             &out, seconds(120));
  TsharkView v;
  std::set<std::string> src;
  for (const std::string& line : Split(out, '\n')) {
    auto c = Split(line, '\t');
    c.resize(9);
    ++v.frames;
    for (int k : {4, 5, 6, 7}) {
      for (const auto& a : Split(c[k], ',')) {
        if (a.size() == 17) v.addresses.insert(a);
      }
    }
    for (const auto& s : Split(c[8], ',')) {
      if (!s.empty() && s != "<MISSING>") v.ssids.insert(s);
    }
    if (c[0] != "0x0004") continue;
    ++v.probes;
    if (!c[1].empty()) src.insert(c[1]);
    if (c[2] == "0") ++v.fcs_bad;
    if (c[3] == "1") ++v.flagged;
  }
  v.distinct_src = src.size();
  for (const auto& s : src) v.local_src += (std::stoi(s.substr(0, 2), nullptr, 16) & 0x02) != 0;
  return v;
}

Mac ParseMac(const std::string& s) {
  Mac m{};
  for (int i = 0; i < 6; ++i)
    m[i] = static_cast<std::uint8_t>(std::stoi(s.substr(3 * i, 2), nullptr, 16));
  return m;
}

// ---- real captures -----------------------------------------------------------
// One of each kind: radiotap probe requests (Argo), all-bad FCS (probing
// patterns), 802.11 without radiotap cut mid-record (aircrack-ng pmkid), data
// and EAPOL (wpa-Induction), pcapng in nanoseconds and microseconds, a mesh
// ID, WPS-carrying probes (ESP32 lab day, labelled device K).
const char* const kRealFiles[] = {
    "real/Diegomangasco+Argo__thesis_tests__F_test_1.pcap",
    "real/GiovanniBaccichet+ProbingPatternsDataset__iPhone11-B_anonymized.pcap",
    "real/aircrack-ng+aircrack-ng__pmkid-not-recognized.cap",
    "real/aircrack-ng+aircrack-ng__n-02.cap",
    "real/wireshark+wireshark__wpa-Induction.pcap",
    "real/wireshark+wireshark__owe.pcapng",
    "real/wireshark+wireshark__wpa3-suiteb-192.pcapng",
    "real/the-tcpdump-group+tcpdump__ieee802.11_meshid.pcap",
    "real/tomas-fryza+probe-request-project__position_2__sc6-61_2024-02-08_anonymized.pcap",
    "labelled-single-device/"
    "jkitlinska+MAC_derandomization__K-ts-2021-Jul-08-h10-m35-s44-modeA_new-ch-1-th-40.pcap",
};

class RealCaptureAnonymizeTest : public ::testing::TestWithParam<const char*> {};

TEST_P(RealCaptureAnonymizeTest, TsharkCountsStayAndNoAddressOrSsidIsLeft) {
  TempDir dir;
  const std::string in = CapturesDir() + "/" + GetParam();
  const std::string out = dir.File("out" + fs::path(in).extension().string());
  const bool cut = Contains(in, "pmkid");  // ends mid-record
  std::vector<std::string> args;
  if (cut) args.push_back("--keep-unparsed");
  args.insert(args.end(), {in, out});
  const ToolRun r = Anonymize(dir, args);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "records: ")) << r.out;
  EXPECT_TRUE(Contains(r.out, "addresses mapped: ")) << r.out;
  EXPECT_EQ(fs::file_size(out), fs::file_size(in)) << "no length changes";

  const TsharkView a = Tshark(in);
  const TsharkView b = Tshark(out);
  EXPECT_GT(a.frames, 0u);
  EXPECT_EQ(b.frames, a.frames);
  EXPECT_EQ(b.probes, a.probes);
  EXPECT_EQ(b.distinct_src, a.distinct_src);
  EXPECT_EQ(b.local_src, a.local_src);
  EXPECT_EQ(b.fcs_bad, a.fcs_bad);
  EXPECT_EQ(b.flagged, a.flagged);
  EXPECT_EQ(b.addresses.size(), a.addresses.size());
  EXPECT_EQ(b.ssids.size(), a.ssids.size());

  // Nothing of the input's addresses and SSIDs, in any form, in the output.
  const std::string bytes = ReadFile(out);
  std::size_t left = 0;
  for (const auto& s : a.addresses) {
    if (s == "ff:ff:ff:ff:ff:ff" || s == "00:00:00:00:00:00") continue;
    EXPECT_EQ(b.addresses.count(s), 0u) << "an input address is still an address of the output";
    for (const auto& form : Forms(ParseMac(s))) left += Contains(bytes, form);
  }
  EXPECT_EQ(left, 0u) << "forms of input addresses left in the output";
  std::size_t ssids_left = 0;
  for (const auto& s : a.ssids) {
    ssids_left += b.ssids.count(s);
    // tshark escapes what is not printable; long printable names must be gone
    // from the bytes too (shorter ones occur by chance in any binary file).
    if (s.size() >= 8 && s.find('\\') == std::string::npos) ssids_left += Contains(bytes, s);
  }
  EXPECT_EQ(ssids_left, 0u) << "input SSIDs left in the output";
}

INSTANTIATE_TEST_SUITE_P(Captures, RealCaptureAnonymizeTest, ::testing::ValuesIn(kRealFiles),
                         [](const ::testing::TestParamInfo<const char*>& param_info) {
                           std::string n = fs::path(param_info.param).stem().string();
                           for (char& c : n) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return n.substr(0, 60);
                         });

// footfalld's published counts of a capture, all counts messages in order.
std::vector<nlohmann::json> FootfalldCounts(const TempDir& dir, const std::string& capture,
                                            const std::string& name) {
  Broker broker;
  Subscriber sub(broker.port(), "footfall/#");
  const std::string config = dir.File(name + ".toml");
  WriteFile(config, "[sensor]\nsite = \"s\"\nid = \"d\"\n\n[capture]\nsource = \"file:" + capture +
                        "\"\n\n[mqtt]\nuri = \"tcp://127.0.0.1:" + std::to_string(broker.port()) +
                        "\"\n\n[state]\ndir = \"" + dir.File(name + "-state") +
                        "\"\n\n[privacy]\nmin_count = 0\n");
  Process p({FootfalldPath(), "--config", config}, dir.File(name + ".out"),
            dir.File(name + ".err"));
  const int st = p.Wait(seconds(120));
  EXPECT_EQ(ExitCode(st), 0) << ReadFile(dir.File(name + ".err"));
  const auto msgs = sub.WaitFor(
      [](const std::vector<MqttMessage>& m) {
        return !m.empty() && m.back().topic == "footfall/s/d/status" &&
               m.back().payload == "offline";
      },
      seconds(20));
  return CountsOf(msgs, "footfall/s/d/counts");
}

TEST(AnonymizeFootfalldTest, PublishedCountsAreIdenticalForOriginalAndAnonymised) {
  for (const char* file : {"real/Diegomangasco+Argo__thesis_tests__F_test_1.pcap",
                           "real/Diegomangasco+Argo__thesis_tests__G_test_6-7.pcap"}) {
    SCOPED_TRACE(file);
    TempDir dir;
    const std::string in = CapturesDir() + "/" + file;
    const ToolRun r = Anonymize(dir, {in, dir.File("anon.pcap")});
    ASSERT_EQ(r.code, 0) << r.err;
    const auto a = FootfalldCounts(dir, in, "original");
    const auto b = FootfalldCounts(dir, dir.File("anon.pcap"), "anonymised");
    ASSERT_FALSE(a.empty());
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i)
      EXPECT_EQ(a[i].dump(), b[i].dump()) << "window " << i;
  }
}

// ---- synthetic captures ------------------------------------------------------
void Put(Bytes* b, std::initializer_list<int> v) {
  for (int x : v) b->push_back(static_cast<std::uint8_t>(x));
}
void Put(Bytes* b, const Mac& m) { b->insert(b->end(), m.begin(), m.end()); }
void Put(Bytes* b, const std::string& s) { b->insert(b->end(), s.begin(), s.end()); }
void PutLe32(Bytes* b, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) b->push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
void PutBe16(Bytes* b, std::size_t v) {
  b->push_back(static_cast<std::uint8_t>(v >> 8));
  b->push_back(static_cast<std::uint8_t>(v));
}

constexpr std::size_t kRadiotapLen = 15;
// Radiotap: flags (FCS at end), channel 2437 MHz, -60 dBm.
Bytes Radiotap() {
  Bytes b;
  Put(&b, {0, 0, kRadiotapLen, 0});
  PutLe32(&b, (1u << 1) | (1u << 3) | (1u << 5));
  Put(&b, {0x10, 0});
  Put(&b, {0x85, 0x09, 0xA0, 0x00});  // 2437, 2 GHz flags
  Put(&b, {0xC4});                    // -60 dBm
  return b;
}

// radiotap + frame + FCS (valid unless `bad_fcs`).
PcapRecord Record(std::int64_t ts_us, const Bytes& frame, bool bad_fcs = false) {
  PcapRecord r;
  r.ts_us = ts_us;
  r.bytes = Radiotap();
  r.bytes.insert(r.bytes.end(), frame.begin(), frame.end());
  std::uint32_t fcs = Crc32(frame.data(), frame.size());
  if (bad_fcs) fcs ^= 0x5A5A5A5A;
  PutLe32(&r.bytes, fcs);
  r.wirelen = static_cast<std::uint32_t>(r.bytes.size());
  return r;
}

Bytes Ie(int id, const Bytes& body) {
  Bytes b{static_cast<std::uint8_t>(id), static_cast<std::uint8_t>(body.size())};
  b.insert(b.end(), body.begin(), body.end());
  return b;
}
Bytes Str(const std::string& s) { return Bytes(s.begin(), s.end()); }

Bytes WpsAttr(int type, const Bytes& v) {
  Bytes b;
  PutBe16(&b, static_cast<std::size_t>(type));
  PutBe16(&b, v.size());
  b.insert(b.end(), v.begin(), v.end());
  return b;
}

const Mac kPhone = {0x3C, 0x28, 0x6D, 0x11, 0x22, 0x33};   // global, vendor 3c:28:6d
const Mac kRandom = {0xDA, 0xA1, 0x19, 0x44, 0x55, 0x66};  // locally administered
const Mac kAp = {0x00, 0x1A, 0x2B, 0x77, 0x88, 0x99};
const Mac kMulticast = {0x01, 0x00, 0x5E, 0x00, 0x00, 0xFB};
const std::string kSsid = "CorporateNet-Guest";
const std::string kDeviceName = "Annas Galaxy S9";
const std::string kSerial = "R58M12345ABC";
const Bytes kUuid = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

Bytes ProbeRequest(const Mac& src, int seq, const std::string& ssid, const Bytes& extra = {}) {
  Bytes f;
  Put(&f, {0x40, 0x00, 0, 0});
  Put(&f, kBroadcast);
  Put(&f, src);
  Put(&f, kBroadcast);
  Put(&f, {(seq << 4) & 0xFF, (seq >> 4) & 0xFF});
  const Bytes s = Ie(0, Str(ssid));
  f.insert(f.end(), s.begin(), s.end());
  const Bytes rates = Ie(1, {0x82, 0x84, 0x8B, 0x96, 0x0C, 0x12, 0x18, 0x24});
  f.insert(f.end(), rates.begin(), rates.end());
  f.insert(f.end(), extra.begin(), extra.end());
  return f;
}

Bytes WpsElement() {
  Bytes body = {0x00, 0x50, 0xF2, 0x04};
  for (const Bytes& a :
       {WpsAttr(0x104A, {0x10}), WpsAttr(0x1047, kUuid),
        WpsAttr(0x1021, Str("Samsung Electronics")), WpsAttr(0x1023, Str("SM-G960F")),
        WpsAttr(0x1024, Str("G960FXXU")), WpsAttr(0x1042, Str(kSerial)),
        WpsAttr(0x1011, Str(kDeviceName)), WpsAttr(0x1020, Bytes(kPhone.begin(), kPhone.end()))}) {
    body.insert(body.end(), a.begin(), a.end());
  }
  return Ie(221, body);
}

Bytes P2pElement() {
  // P2P Device Info: address, config methods, primary type, 0 secondary, name.
  Bytes info;
  Put(&info, kPhone);
  Put(&info, {0x01, 0x88});
  Put(&info, {0, 10, 0, 0x50, 0xF2, 0x04, 0, 5, 0});
  const Bytes name = WpsAttr(0x1011, Str(kDeviceName));
  info.insert(info.end(), name.begin(), name.end());
  Bytes body = {0x50, 0x6F, 0x9A, 0x09, 13, static_cast<std::uint8_t>(info.size()), 0};
  body.insert(body.end(), info.begin(), info.end());
  return Ie(221, body);
}

// A vendor element whose free text names the phone by its address.
Bytes TextAddressElement() {
  return Ie(221, Str(std::string("\x00\x11\x22\x01", 4) + "host-" + Hex(kPhone.data(), 6, true) +
                     " " + Hex(kRandom.data(), 6, false, '-') + " " + Hex(kAp.data(), 2) + "." +
                     Hex(kAp.data() + 2, 2) + "." + Hex(kAp.data() + 4, 2)));
}

Bytes Beacon(const Mac& bssid, const std::string& ssid) {
  Bytes f;
  Put(&f, {0x80, 0x00, 0, 0});
  Put(&f, kBroadcast);
  Put(&f, bssid);
  Put(&f, bssid);
  Put(&f, {0x10, 0x00});
  Bytes fixed(8, 0x42);
  Put(&fixed, {0x64, 0x00, 0x31, 0x04});
  f.insert(f.end(), fixed.begin(), fixed.end());
  const Bytes s = Ie(0, Str(ssid));
  f.insert(f.end(), s.begin(), s.end());
  return f;
}

// A data frame to the AP carrying an ARP request from the phone.
Bytes ArpData() {
  Bytes f;
  Put(&f, {0x08, 0x01, 0, 0});
  Put(&f, kAp);
  Put(&f, kPhone);
  Put(&f, kMulticast);
  Put(&f, {0x20, 0x00});
  Put(&f, {0xAA, 0xAA, 0x03, 0, 0, 0, 0x08, 0x06});
  Put(&f, {0, 1, 8, 0, 6, 4, 0, 1});
  Put(&f, kPhone);
  Put(&f, {192, 168, 1, 20});
  Put(&f, Mac{0, 0, 0, 0, 0, 0});
  Put(&f, {192, 168, 1, 1});
  return f;
}

Bytes Ack(const Mac& ra) {
  Bytes f;
  Put(&f, {0xD4, 0x00, 0, 0});
  Put(&f, ra);
  return f;
}

Bytes Rts(const Mac& ra, const Mac& ta) {
  Bytes f;
  Put(&f, {0xB4, 0x00, 0, 0});
  Put(&f, ra);
  Put(&f, ta);
  return f;
}

// Four-address (WDS) data frame.
Bytes Wds() {
  Bytes f;
  Put(&f, {0x08, 0x03, 0, 0});
  Put(&f, kAp);
  Put(&f, kRandom);
  Put(&f, kPhone);
  Put(&f, {0x30, 0x00});
  Put(&f, kMulticast);
  return f;
}

constexpr std::int64_t kT0 = 1700000000LL * 1000000 + 123456;

std::vector<PcapRecord> Synthetic() {
  const Bytes extra = [] {
    Bytes e = WpsElement();
    const Bytes p = P2pElement();
    const Bytes t = TextAddressElement();
    e.insert(e.end(), p.begin(), p.end());
    e.insert(e.end(), t.begin(), t.end());
    return e;
  }();
  return {Record(kT0, ProbeRequest(kPhone, 100, kSsid, extra)),
          Record(kT0 + 1000, ProbeRequest(kPhone, 101, "")),  // wildcard
          Record(kT0 + 2000, ProbeRequest(kRandom, 7, kSsid)),
          Record(kT0 + 3000, ProbeRequest(kRandom, 8, kSsid), /*bad_fcs=*/true),
          Record(kT0 + 4000, Beacon(kAp, kSsid)),
          Record(kT0 + 5000, ArpData()),
          Record(kT0 + 6000, Ack(kPhone)),
          Record(kT0 + 7000, Rts(kAp, kRandom)),
          Record(kT0 + 8000, Wds())};
}

bool FcsValid(const PcapRecord& r) {
  const std::uint8_t* f = r.bytes.data() + kRadiotapLen;
  const std::size_t n = r.bytes.size() - kRadiotapLen - 4;
  std::uint32_t stored;
  std::memcpy(&stored, f + n, 4);
  return Crc32(f, n) == stored;
}

Mac At(const PcapRecord& r, std::size_t frame_off) {
  Mac m;
  std::memcpy(m.data(), r.bytes.data() + kRadiotapLen + frame_off, 6);
  return m;
}

class SyntheticAnonymizeTest : public ::testing::Test {
 protected:
  void SetUp() override { WritePcap(in_, 127, Synthetic()); }
  TempDir dir_;
  std::string in_ = dir_.File("in.pcap");
  std::string out_ = dir_.File("out.pcap");
};

TEST_F(SyntheticAnonymizeTest, AddressesOfEveryFrameTypeAreMappedKeepingTheirBits) {
  const ToolRun r = Anonymize(dir_, {in_, out_});
  ASSERT_EQ(r.code, 0) << r.err;
  const PcapFile a = ReadPcap(in_);
  const PcapFile b = ReadPcap(out_);
  ASSERT_EQ(b.records.size(), a.records.size());
  // Where each address sits: record, frame offset, the input address.
  const std::vector<std::tuple<int, int, Mac>> fields = {
      {0, 10, kPhone}, {2, 10, kRandom},    {4, 10, kAp},    {4, 16, kAp},       {5, 4, kAp},
      {5, 10, kPhone}, {5, 16, kMulticast}, {6, 4, kPhone},  {7, 4, kAp},        {7, 10, kRandom},
      {8, 4, kAp},     {8, 10, kRandom},    {8, 16, kPhone}, {8, 24, kMulticast}};
  std::map<Mac, Mac> mapping;
  for (const auto& [rec, off, in] : fields) {
    SCOPED_TRACE("record " + std::to_string(rec) + " offset " + std::to_string(off));
    ASSERT_EQ(At(a.records[rec], off), in);
    const Mac out = At(b.records[rec], off);
    EXPECT_NE(out, in);
    EXPECT_EQ(out[0] & 0x03, in[0] & 0x03) << "group and locally administered bits";
    if ((in[0] & 0x02) == 0) {
      EXPECT_TRUE(std::equal(in.begin(), in.begin() + 3, out.begin())) << "global: OUI kept";
    }
    auto [it, fresh] = mapping.emplace(in, out);
    EXPECT_EQ(it->second, out) << "one input address, one output address";
  }
  EXPECT_EQ(mapping.size(), 4u);
  std::set<Mac> outputs;
  for (const auto& [in, out] : mapping) outputs.insert(out);
  EXPECT_EQ(outputs.size(), 4u) << "injective";
  // Broadcast stays broadcast; ARP's sender (the phone) is mapped like addr2.
  EXPECT_EQ(At(b.records[0], 4), kBroadcast);
  EXPECT_EQ(At(b.records[5], 24 + 8 + 8), mapping[kPhone]);
  // Lengths, radiotap, frame control, sequence numbers and times stay.
  for (std::size_t i = 0; i < a.records.size(); ++i) {
    const auto& x = a.records[i];
    const auto& y = b.records[i];
    EXPECT_EQ(y.bytes.size(), x.bytes.size());
    EXPECT_EQ(y.ts_us, x.ts_us);
    EXPECT_TRUE(std::equal(x.bytes.begin(), x.bytes.begin() + kRadiotapLen + 4, y.bytes.begin()));
    if (x.bytes.size() >= kRadiotapLen + 24 && (x.bytes[kRadiotapLen] & 0x0C) != 0x04) {
      EXPECT_EQ(y.bytes[kRadiotapLen + 22], x.bytes[kRadiotapLen + 22]);
      EXPECT_EQ(y.bytes[kRadiotapLen + 23], x.bytes[kRadiotapLen + 23]);
    }
  }
}

TEST_F(SyntheticAnonymizeTest, NamesUuidsAndTextAddressesAreReplacedLengthsKept) {
  const ToolRun r = Anonymize(dir_, {in_, out_});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string bytes = ReadFile(out_);
  const Bytes raw(bytes.begin(), bytes.end());
  for (const std::string& s : {kSsid, kDeviceName, kSerial, std::string("Samsung Electronics"),
                               std::string("SM-G960F"), std::string("G960FXXU")}) {
    EXPECT_FALSE(Contains(bytes, s)) << "a name of " << s.size() << " bytes left";
  }
  EXPECT_FALSE(Contains(bytes, std::string(kUuid.begin(), kUuid.end())));
  for (const Mac& m : {kPhone, kRandom, kAp, kMulticast}) {
    for (const auto& f : Forms(m)) EXPECT_FALSE(Contains(bytes, f)) << "an address form left";
  }
  // The probe request's elements: same ids and lengths in the same order; the
  // SSID of the same length; the wildcard SSID still empty; rates untouched.
  const PcapFile a = ReadPcap(in_);
  const PcapFile b = ReadPcap(out_);
  const auto& x = a.records[0].bytes;
  const auto& y = b.records[0].bytes;
  std::size_t off = kRadiotapLen + 24;
  const std::size_t end = x.size() - 4;
  int elements = 0;
  while (off + 2 <= end) {
    EXPECT_EQ(y[off], x[off]);
    EXPECT_EQ(y[off + 1], x[off + 1]);
    if (x[off] == 1) {
      EXPECT_TRUE(std::equal(x.begin() + off, x.begin() + off + 10, y.begin() + off));
    }
    if (x[off] == 221) {
      EXPECT_TRUE(std::equal(x.begin() + off, x.begin() + off + 6, y.begin() + off));
    }
    off += 2 + x[off + 1];
    ++elements;
  }
  EXPECT_EQ(elements, 5);
  EXPECT_EQ(b.records[1].bytes[kRadiotapLen + 24 + 1], 0) << "wildcard SSID stays empty";
  // One SSID, one placeholder: the same in the probe requests and the beacon.
  const auto ssid_of = [](const PcapRecord& rec, std::size_t at) {
    return std::string(rec.bytes.begin() + at + 2, rec.bytes.begin() + at + 2 + rec.bytes[at + 1]);
  };
  const std::string p0 = ssid_of(b.records[0], kRadiotapLen + 24);
  EXPECT_EQ(p0.size(), kSsid.size());
  EXPECT_EQ(ssid_of(b.records[2], kRadiotapLen + 24), p0);
  EXPECT_EQ(ssid_of(b.records[4], kRadiotapLen + 36), p0);
  EXPECT_TRUE(Contains(r.out, "SSIDs replaced: 1 distinct")) << r.out;
  EXPECT_TRUE(Contains(r.out, "WPS/P2P/vendor device fields replaced: 7")) << r.out;
}

TEST_F(SyntheticAnonymizeTest, ValidFcsIsRecomputedAndAnInvalidOneStaysInvalid) {
  const ToolRun r = Anonymize(dir_, {in_, out_});
  ASSERT_EQ(r.code, 0) << r.err;
  const PcapFile a = ReadPcap(in_);
  const PcapFile b = ReadPcap(out_);
  for (std::size_t i = 0; i < a.records.size(); ++i) {
    EXPECT_EQ(FcsValid(b.records[i]), FcsValid(a.records[i])) << "record " << i;
  }
  EXPECT_FALSE(FcsValid(b.records[3]));
  EXPECT_TRUE(Contains(r.out, "FCS recomputed: 8 (1 invalid ones kept invalid)")) << r.out;
}

TEST_F(SyntheticAnonymizeTest, KeyFileGivesTheSameMappingAcrossRunsAndARandomKeyDoesNot) {
  const std::string key = dir_.File("key");
  ASSERT_EQ(Anonymize(dir_, {"--key-file", key, in_, dir_.File("k1.pcap")}).code, 0);
  ASSERT_TRUE(fs::exists(key));
  EXPECT_EQ(fs::status(key).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  ASSERT_EQ(Anonymize(dir_, {"--key-file", key, in_, dir_.File("k2.pcap")}).code, 0);
  EXPECT_EQ(ReadFile(dir_.File("k1.pcap")), ReadFile(dir_.File("k2.pcap")));
  ASSERT_EQ(Anonymize(dir_, {in_, dir_.File("r1.pcap")}).code, 0);
  ASSERT_EQ(Anonymize(dir_, {in_, dir_.File("r2.pcap")}).code, 0);
  EXPECT_NE(ReadFile(dir_.File("r1.pcap")), ReadFile(dir_.File("r2.pcap")));
  WriteFile(dir_.File("badkey"), "not a key");
  const ToolRun bad =
      Anonymize(dir_, {"--key-file", dir_.File("badkey"), in_, dir_.File("x.pcap")});
  EXPECT_EQ(bad.code, 65);
  EXPECT_TRUE(Contains(bad.err, "not a key")) << bad.err;
  EXPECT_FALSE(fs::exists(dir_.File("x.pcap")));
}

TEST_F(SyntheticAnonymizeTest, HideOuiReplacesTheVendorPrefixKeepingTheBits) {
  ASSERT_EQ(Anonymize(dir_, {"--hide-oui", in_, out_}).code, 0);
  const PcapFile b = ReadPcap(out_);
  const Mac phone = At(b.records[0], 10);
  const Mac ap = At(b.records[4], 10);
  EXPECT_FALSE(std::equal(kPhone.begin(), kPhone.begin() + 3, phone.begin()) &&
               std::equal(kAp.begin(), kAp.begin() + 3, ap.begin()));
  EXPECT_EQ(phone[0] & 0x03, 0);
  EXPECT_EQ(ap[0] & 0x03, 0);
}

TEST_F(SyntheticAnonymizeTest, ShiftTimeMovesEveryTimestamp) {
  ASSERT_EQ(Anonymize(dir_, {"--shift-time", "-3600.25", in_, out_}).code, 0);
  const PcapFile a = ReadPcap(in_);
  const PcapFile b = ReadPcap(out_);
  for (std::size_t i = 0; i < a.records.size(); ++i) {
    EXPECT_EQ(b.records[i].ts_us, a.records[i].ts_us - 3600250000LL);
  }
  EXPECT_EQ(Anonymize(dir_, {"--shift-time", "soon", in_, dir_.File("y.pcap")}).code, 65);
  EXPECT_FALSE(fs::exists(dir_.File("y.pcap")));
}

TEST(AnonymizeInjectivityTest, ManyAddressesOfOneVendorStayDistinct) {
  TempDir dir;
  std::vector<PcapRecord> recs;
  std::mt19937 rng(7);
  std::set<Mac> inputs;
  while (inputs.size() < 20000) {
    Mac m = {0x00,
             0x1A,
             0x2B,
             static_cast<std::uint8_t>(rng()),
             static_cast<std::uint8_t>(rng()),
             static_cast<std::uint8_t>(rng())};
    if (inputs.insert(m).second) {
      recs.push_back(Record(kT0 + static_cast<std::int64_t>(recs.size()), ProbeRequest(m, 1, "x")));
    }
  }
  WritePcap(dir.File("in.pcap"), 127, recs);
  const ToolRun r = Anonymize(dir, {dir.File("in.pcap"), dir.File("out.pcap")});
  ASSERT_EQ(r.code, 0) << r.err;
  // 20,000 addresses in 2^24 values: dozens of PRF collisions, each remapped.
  EXPECT_TRUE(Contains(r.out, "addresses mapped: 20000 distinct")) << r.out;
  EXPECT_FALSE(Contains(r.out, " 0 remapped after a collision")) << r.out;
  std::set<Mac> outputs;
  for (const auto& rec : ReadPcap(dir.File("out.pcap")).records) {
    const Mac m = At(rec, 10);
    EXPECT_EQ(inputs.count(m), 0u);
    outputs.insert(m);
  }
  EXPECT_EQ(outputs.size(), inputs.size());
}

// A pcapng file: section header, an interface (radiotap, nanoseconds, with
// its MAC address), enhanced packet blocks with a comment naming the phone.
Bytes Pcapng(const std::vector<PcapRecord>& recs) {
  Bytes f;
  const auto block = [&](std::uint32_t type, const Bytes& body) {
    PutLe32(&f, type);
    PutLe32(&f, static_cast<std::uint32_t>(body.size() + 12));
    f.insert(f.end(), body.begin(), body.end());
    PutLe32(&f, static_cast<std::uint32_t>(body.size() + 12));
  };
  const auto pad = [](Bytes* b) {
    while (b->size() % 4 != 0) b->push_back(0);
  };
  Bytes shb;
  PutLe32(&shb, 0x1A2B3C4D);
  Put(&shb, {1, 0, 0, 0});
  Put(&shb, {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF});
  block(0x0A0D0D0A, shb);
  Bytes idb = {127, 0, 0, 0};
  PutLe32(&idb, 262144);
  Put(&idb, {9, 0, 1, 0, 9, 0, 0, 0});  // if_tsresol: nanoseconds
  Put(&idb, {6, 0, 6, 0});
  Put(&idb, kRandom);
  pad(&idb);
  Put(&idb, {0, 0, 0, 0});
  block(1, idb);
  for (const auto& r : recs) {
    Bytes epb = {0, 0, 0, 0};
    const std::uint64_t ns = static_cast<std::uint64_t>(r.ts_us) * 1000;
    PutLe32(&epb, static_cast<std::uint32_t>(ns >> 32));
    PutLe32(&epb, static_cast<std::uint32_t>(ns));
    PutLe32(&epb, static_cast<std::uint32_t>(r.bytes.size()));
    PutLe32(&epb, r.wirelen);
    epb.insert(epb.end(), r.bytes.begin(), r.bytes.end());
    pad(&epb);
    const std::string comment = "seen from " + Hex(kPhone.data(), 6, false, ':');
    Put(&epb, {1, 0, static_cast<int>(comment.size()), 0});
    Put(&epb, comment);
    pad(&epb);
    Put(&epb, {0, 0, 0, 0});
    block(6, epb);
  }
  Bytes nrb = {1, 0, 8, 0, 10, 0, 0, 1, 'a', 'n', 'n', 0, 0, 0, 0, 0};
  block(4, nrb);  // name resolution: dropped
  return f;
}

TEST(AnonymizePcapngTest, PcapngInPcapngOutWithOptionsScrubbed) {
  TempDir dir;
  const Bytes ng = Pcapng(Synthetic());
  WriteFile(dir.File("in.pcapng"), std::string(ng.begin(), ng.end()));
  const ToolRun r =
      Anonymize(dir, {"--shift-time", "10", dir.File("in.pcapng"), dir.File("out.pcapng")});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "pcapng blocks dropped (names, secrets, custom): 1")) << r.out;
  const std::string out = ReadFile(dir.File("out.pcapng"));
  EXPECT_EQ(out.substr(0, 4), std::string("\x0A\x0D\x0D\x0A", 4)) << "still pcapng";
  for (const Mac& m : {kPhone, kRandom, kAp}) {
    for (const auto& f : Forms(m)) EXPECT_FALSE(Contains(out, f)) << "an address form left";
  }
  const PcapFile a = ReadPcap(dir.File("in.pcapng"));
  const PcapFile b = ReadPcap(dir.File("out.pcapng"));
  EXPECT_EQ(b.link_type, 127);
  ASSERT_EQ(b.records.size(), a.records.size());
  for (std::size_t i = 0; i < a.records.size(); ++i) {
    EXPECT_EQ(b.records[i].ts_us, a.records[i].ts_us + 10000000);
    EXPECT_EQ(b.records[i].bytes.size(), a.records[i].bytes.size());
    EXPECT_EQ(FcsValid(b.records[i]), FcsValid(a.records[i]));
  }
}

// ---- bad inputs --------------------------------------------------------------
class BadInputTest : public ::testing::Test {
 protected:
  // Runs on `content`; expects exit 65, `message` in stderr, and no file
  // (neither the output nor a temporary one) left in the output directory.
  void ExpectRefused(const std::string& content, const std::string& message,
                     const std::vector<std::string>& flags = {}) {
    WriteFile(dir_.File("in"), content);
    fs::create_directories(dir_.File("out"));
    std::vector<std::string> args = flags;
    args.insert(args.end(), {dir_.File("in"), dir_.File("out/x.pcap")});
    const ToolRun r = Anonymize(dir_, args);
    EXPECT_EQ(r.code, 65) << r.err;
    EXPECT_TRUE(Contains(r.err, message)) << r.err;
    EXPECT_TRUE(fs::is_empty(dir_.File("out"))) << "an output file was left";
  }
  std::string Valid() {
    WritePcap(dir_.File("valid.pcap"), 127, Synthetic());
    return ReadFile(dir_.File("valid.pcap"));
  }
  TempDir dir_;
};

TEST_F(BadInputTest, TruncatedFileNamesTheRecordAndWritesNothing) {
  const std::string v = Valid();
  // Cut inside the 5th record's data: 24-byte header, then 16 + caplen each.
  const auto recs = Synthetic();
  std::size_t off = 24;
  for (int i = 0; i < 4; ++i) off += 16 + recs[i].bytes.size();
  ExpectRefused(v.substr(0, off + 16 + 20), "record 5: the file ends inside its data");
  ExpectRefused(v.substr(0, off + 7), "record 5: the file ends inside its record header");
  ExpectRefused(v.substr(0, 10), "the file ends inside its pcap header");
}

TEST_F(BadInputTest, KeepUnparsedCopiesTheCutRecordWithItsAddressesZeroed) {
  const std::string v = Valid();
  const auto recs = Synthetic();
  const std::size_t cut = 24 + 16 + recs[0].bytes.size() + 16 + kRadiotapLen + 20;
  WriteFile(dir_.File("in.pcap"), v.substr(0, cut));
  const ToolRun r =
      Anonymize(dir_, {"--keep-unparsed", dir_.File("in.pcap"), dir_.File("out.pcap")});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "records: 2 (1 unparsed, kept with zeroed addresses)")) << r.out;
  const std::string out = ReadFile(dir_.File("out.pcap"));
  ASSERT_EQ(out.size(), cut) << "the cut is kept where it was";
  // The cut record's captured bytes: radiotap, FC, duration, then zeros.
  const std::string tail = out.substr(out.size() - 20);
  EXPECT_EQ(tail.substr(4), std::string(16, '\0'));
  const PcapFile b = ReadPcap(dir_.File("out.pcap"));
  EXPECT_EQ(b.records.size(), 1u);
  EXPECT_FALSE(b.error.empty()) << "libpcap still sees the cut";
}

TEST_F(BadInputTest, UnknownLinkTypeIsAClearError) {
  WritePcap(dir_.File("eth.pcap"), 1, {Record(kT0, Ack(kPhone))});
  ExpectRefused(ReadFile(dir_.File("eth.pcap")), "link type 1");
}

TEST_F(BadInputTest, GarbageIsNotACapture) {
  std::string g(4096, '\0');
  std::mt19937 rng(3);
  for (char& c : g) c = static_cast<char>(rng());
  ExpectRefused(g, "not a pcap or pcapng file");
  // A pcapng section header followed by a block of an impossible length.
  std::string ng(
      "\x0A\x0D\x0D\x0A\x1C\x00\x00\x00\x4D\x3C\x2B\x1A\x01\x00\x00\x00"
      "\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\x1C\x00\x00\x00",
      28);
  ng += std::string("\x01\x00\x00\x00\x07\x00\x00\x00", 8) + std::string(20, '\0');
  ExpectRefused(ng, "is not a pcapng block length");
  ExpectRefused("", "not a pcap or pcapng file");
}

TEST_F(BadInputTest, MissingInputAndUsage) {
  const ToolRun r = Anonymize(dir_, {dir_.File("nope.pcap"), dir_.File("o.pcap")});
  EXPECT_EQ(r.code, 65);
  EXPECT_TRUE(Contains(r.err, "cannot open")) << r.err;
  EXPECT_EQ(Anonymize(dir_, {}).code, 64);
}

}  // namespace
}  // namespace footfall::testing
