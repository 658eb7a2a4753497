// Purpose: runs the frame parser over every real capture in tests/data
// (real/ and labelled-single-device/, files nobody on the team wrote,
// anonymised by tools/anonymize) and
// compares what it finds with an independent oracle: the figures Wireshark's
// tshark 4.0 reports for the same files, kept in real.tsv and
// labelled-single-device.tsv (scripts/tshark-counts). One test per file. The
// addresses are pseudonyms, but treated as real ones: the test keeps its own
// copies only to count distinct transmitters, and no failure message ever
// prints an address.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>
#include <ostream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "capture/frame_parser.h"
#include "support/test_support.h"

namespace footfall::capture {
namespace {

using footfall::testing::CapturesDir;
using footfall::testing::PcapFile;
using footfall::testing::ReadPcap;
using footfall::testing::ReadTsv;

// Libpcap stops on this file with an error in its last, cut-off record; tshark
// 4.0 counts the same 20,056 complete records.
constexpr char kTruncatedFile[] = "aircrack-ng+aircrack-ng__pmkid-not-recognized.cap";

// One capture and its row of tshark figures.
struct CaptureCase {
  std::string folder;  // "real" or "labelled-single-device"
  std::map<std::string, std::string> row;
  std::string file() const { return row.at("file"); }
  std::string path() const { return CapturesDir() + "/" + folder + "/" + file(); }
};

// Shown by GoogleTest instead of the raw bytes of the parameter.
void PrintTo(const CaptureCase& c, std::ostream* os) { *os << c.folder << "/" << c.file(); }

// tshark's signal figures take the LAST dBm antenna signal of each frame; the
// parser keeps the combined signal, which per-antenna radiotap headers
// (extended present words, one per antenna) put first, before the antennas'
// own. In these two files they differ; the figures below are those of the
// first value of each probe request, read with
// `tshark -Y 'wlan.fc.type_subtype == 4' -T fields -e radiotap.dbm_antsignal`
// (test1: -86..-77 combined, tshark says -91..-78; meshid: -38, tshark -44).
// (Every other file has one value per frame, or all its values agree.)
struct CombinedSignal {
  const char* file;
  int dbm_min;
  int dbm_max;
};
constexpr CombinedSignal kCombinedSignal[] = {
    {"aircrack-ng+aircrack-ng__test1.pcap", -86, -77},
    {"the-tcpdump-group+tcpdump__ieee802.11_meshid.pcap", -38, -38},
};

// Probe requests whose signal is outside -120..0 dBm, which the parser treats
// as absent and flags, and the range of the others; from the same tshark
// listing (one value per frame in both files): S21Ultra-M holds one +15 dBm,
// the J-ts file seventeen +1 and one +2 dBm. No other file has such values.
struct OutOfRangeSignal {
  const char* file;
  int out_of_range;
  int dbm_min;
  int dbm_max;
};
constexpr OutOfRangeSignal kOutOfRangeSignal[] = {
    {"GiovanniBaccichet+ProbingPatternsDataset__S21Ultra-M_anonymized.pcap", 1, -82, -25},
    {"jkitlinska+MAC_derandomization__J-ts-2021-Jul-29-h22-m25-s34-modeS-ch-1-th-40.pcap", 18, -80,
     0},
};

std::vector<CaptureCase> LoadCases() {
  std::vector<CaptureCase> cases;
  for (const char* folder : {"real", "labelled-single-device"}) {
    const std::string tsv = CapturesDir() + "/" + folder + ".tsv";
    try {
      for (auto& row : ReadTsv(tsv)) cases.push_back({folder, std::move(row)});
    } catch (const std::exception&) {
      // Reported by OracleCoversEveryCapture below (cannot fail a test here).
    }
  }
  return cases;
}

const std::vector<CaptureCase>& Cases() {
  static const std::vector<CaptureCase> cases = LoadCases();
  return cases;
}

// GoogleTest parameter names may hold only [A-Za-z0-9_].
std::string TestName(const CaptureCase& c) {
  std::string name = (c.folder == "real" ? "real_" : "labelled_") + c.file();
  for (char& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return name;
}

std::optional<int> OptionalInt(const std::string& cell) {
  if (cell.empty() || cell == "-") return std::nullopt;
  return std::stoi(cell);
}

int Int(const CaptureCase& c, const std::string& column) {
  const std::string& cell = c.row.at(column);
  EXPECT_FALSE(cell.empty() || cell == "-") << column << " has no value";
  return OptionalInt(cell).value_or(-1);
}

// "2412(x11),5180(x2)" as tshark's figures spell a frequency histogram; "-"
// when no probe request had a frequency.
std::string FormatFrequencies(const std::map<int, int>& histogram) {
  if (histogram.empty()) return "-";
  std::ostringstream out;
  bool first = true;
  for (const auto& [mhz, count] : histogram) {
    out << (first ? "" : ",") << mhz << "(x" << count << ")";
    first = false;
  }
  return out.str();
}

using Address = std::array<std::uint8_t, 6>;

// What our parser makes of one file.
struct Tally {
  int frames = 0;
  int probe_like = 0;           // frames whose frame control says probe request
  int valid = 0;                // kProbeRequest
  int bad_fcs = 0;              // kBadFcs among probe_like
  int fcs_flagged = 0;          // ... of which FcsCheck::kFlaggedBad
  int fcs_mismatch = 0;         // ... of which FcsCheck::kMismatch
  int flagged_bad = 0;          // probe_like with the radiotap bad-FCS flag
  int signal_out_of_range = 0;  // probe_like with an ignored signal value
  int with_fcs = 0;             // probe_like whose radiotap flags say an FCS follows
  int bad_fcs_any = 0;          // kBadFcs of any frame type
  int other = 0;
  int malformed = 0;
  int not_wiped = 0;      // valid probes whose transmitter was still in the buffer
  int copy_mismatch = 0;  // valid probes whose transmitter differs from the bytes
  std::map<std::string, int> malformed_reasons;  // static, MAC-free strings
  std::set<Address> transmitters;                // of valid probes; never printed
  int with_dbm = 0;
  std::optional<int> dbm_min, dbm_max;
  std::map<int, int> frequencies;

  ~Tally() {
    // Leave no copies of real addresses behind in freed memory (the set is
    // not used again, so changing its keys in place does no harm).
    for (const Address& a : transmitters) {
      SecureWipe(const_cast<std::uint8_t*>(a.data()), a.size());
    }
  }
};

Tally ParseAll(int link_type, PcapFile& file) {
  Tally t;
  for (auto& record : file.records) {
    ++t.frames;
    std::vector<std::uint8_t>& bytes = record.bytes;  // our own copy of the frame
    // Where the 802.11 frame starts, and whether it says "probe request"
    // (tshark's wlan.fc.type_subtype == 4): decided before parsing.
    std::size_t offset = 0;
    if (link_type == kLinkTypeRadiotap) {
      offset = bytes.size() >= 4 ? static_cast<std::size_t>(bytes[2] | (bytes[3] << 8)) : 0;
    }
    const bool probe_like = offset < bytes.size() && (bytes[offset] & 0xFC) == 0x40;
    Address ta{};
    const bool have_ta = bytes.size() >= offset + 16;
    if (have_ta) std::memcpy(ta.data(), bytes.data() + offset + 10, ta.size());

    ParseResult r = ParseFrame(link_type, bytes.data(), bytes.size(), record.wirelen);

    if (probe_like) {
      ++t.probe_like;
      if (r.probe.radio.has_fcs) ++t.with_fcs;
      if (r.probe.radio.bad_fcs_flag) ++t.flagged_bad;
      if (r.frame_class == FrameClass::kBadFcs) {
        ++t.bad_fcs;
        if (r.fcs == FcsCheck::kFlaggedBad) ++t.fcs_flagged;
        if (r.fcs == FcsCheck::kMismatch) ++t.fcs_mismatch;
      }
      if (r.probe.radio.signal_out_of_range) ++t.signal_out_of_range;
      // tshark's signal and frequency figures cover every probe request,
      // whatever its FCS; the parser reports radio data for every class.
      if (r.probe.radio.signal_dbm) {
        const int dbm = *r.probe.radio.signal_dbm;
        ++t.with_dbm;
        t.dbm_min = std::min(t.dbm_min.value_or(dbm), dbm);
        t.dbm_max = std::max(t.dbm_max.value_or(dbm), dbm);
      }
      if (r.probe.radio.frequency_mhz) ++t.frequencies[*r.probe.radio.frequency_mhz];
    }
    switch (r.frame_class) {
      case FrameClass::kProbeRequest:
        ++t.valid;
        if (!have_ta || std::memcmp(r.probe.transmitter.data(), ta.data(), ta.size()) != 0) {
          ++t.copy_mismatch;
        }
        if (have_ta) {
          const std::uint8_t* in_buffer = bytes.data() + offset + 10;
          if (std::any_of(in_buffer, in_buffer + 6, [](std::uint8_t b) { return b != 0; })) {
            ++t.not_wiped;
          }
          t.transmitters.insert(ta);
        }
        break;
      case FrameClass::kOther:
        ++t.other;
        break;
      case FrameClass::kMalformed:
        ++t.malformed;
        ++t.malformed_reasons[r.reason != nullptr ? r.reason : "(no reason)"];
        break;
      case FrameClass::kBadFcs:
        ++t.bad_fcs_any;
        break;
    }
    SecureWipe(ta.data(), ta.size());
  }
  return t;
}

std::string Reasons(const std::map<std::string, int>& reasons) {
  std::string out;
  for (const auto& [reason, count] : reasons) {
    out += "\n  " + reason + ": " + std::to_string(count);
  }
  return out;
}

class RealCaptureTest : public ::testing::TestWithParam<CaptureCase> {};

TEST_P(RealCaptureTest, MatchesTsharkFigures) {
  const CaptureCase& c = GetParam();
  const std::string& file = c.file();
  PcapFile pcap = ReadPcap(c.path());

  // Libpcap reads what tshark read, and says so when a file is cut short.
  ASSERT_EQ(pcap.link_type, Int(c, "dlt"));
  ASSERT_TRUE(IsSupportedLinkType(pcap.link_type));
  EXPECT_EQ(static_cast<int>(pcap.records.size()), Int(c, "frames"));
  if (file == kTruncatedFile) {
    EXPECT_FALSE(pcap.error.empty()) << "libpcap should report the cut-off last record";
  } else {
    EXPECT_TRUE(pcap.error.empty()) << pcap.error;
  }

  const Tally t = ParseAll(pcap.link_type, pcap);
  const int probe_req = Int(c, "probe_req");
  const int fcs_bad = Int(c, "probe_fcs_bad");
  const int flagged = Int(c, "probe_badfcs_flag");

  // No real frame is malformed: every radiotap header is well-formed. The only
  // odd 802.11 headers (ten frames of wpa-Induction.pcap with protocol version
  // 2, which tshark cannot dissect either) are noise whose FCS does not match:
  // the parser calls them kBadFcs.
  EXPECT_EQ(t.malformed, 0) << "malformed frames, by reason:" << Reasons(t.malformed_reasons);

  EXPECT_EQ(t.probe_like, probe_req);
  EXPECT_EQ(t.with_fcs, Int(c, "probe_with_fcs"));
  EXPECT_EQ(t.flagged_bad, flagged);
  // tshark counts a flagged frame and a CRC mismatch separately; the parser
  // says kBadFcs once for either and tells which (a flagged frame is not
  // CRC-checked). No file has a flagged probe request.
  EXPECT_EQ(t.bad_fcs, t.fcs_flagged + t.fcs_mismatch);
  EXPECT_EQ(t.fcs_flagged, flagged);
  if (flagged == 0) {
    EXPECT_EQ(t.fcs_mismatch, fcs_bad);
  } else {
    EXPECT_LE(t.fcs_mismatch, fcs_bad);
  }
  EXPECT_EQ(t.valid, probe_req - t.bad_fcs);
  EXPECT_EQ(t.valid + t.bad_fcs_any + t.other + t.malformed, t.frames);

  if (file.rfind("GiovanniBaccichet+", 0) == 0) {
    // The probing-pattern study replaced every MAC address with a random one
    // and did not recompute the FCS, so every one of its probe requests fails
    // the CRC check. Rejecting them is right for a live sensor.
    EXPECT_EQ(t.valid, 0);
    EXPECT_EQ(t.bad_fcs, probe_req);
  }

  // Transmitters. tshark counts the sources of all probe requests, bad FCS or
  // not; ours are the valid ones only, so compare exactly only when no probe
  // failed its FCS.
  int local_admin = 0;
  for (const Address& a : t.transmitters) local_admin += (a[0] & 0x02) ? 1 : 0;
  if (fcs_bad == 0 && flagged == 0) {
    EXPECT_EQ(static_cast<int>(t.transmitters.size()), Int(c, "distinct_src"));
    EXPECT_EQ(local_admin, Int(c, "local_admin_src"));
  } else {
    EXPECT_LE(static_cast<int>(t.transmitters.size()), Int(c, "distinct_src"));
  }
  EXPECT_EQ(t.copy_mismatch, 0) << "transmitter copied out wrongly";
  EXPECT_EQ(t.not_wiped, 0) << "transmitter left in the caller's buffer";

  // Radiotap fields: signal (the first dBm antenna signal) and frequency.
  int out_of_range = 0;
  std::optional<int> dbm_min = OptionalInt(c.row.at("dbm_min"));
  std::optional<int> dbm_max = OptionalInt(c.row.at("dbm_max"));
  for (const CombinedSignal& combined : kCombinedSignal) {
    if (file == combined.file) {
      dbm_min = combined.dbm_min;
      dbm_max = combined.dbm_max;
    }
  }
  for (const OutOfRangeSignal& odd : kOutOfRangeSignal) {
    if (file == odd.file) {
      out_of_range = odd.out_of_range;
      dbm_min = odd.dbm_min;
      dbm_max = odd.dbm_max;
    }
  }
  EXPECT_EQ(t.signal_out_of_range, out_of_range);
  EXPECT_EQ(t.with_dbm + out_of_range, Int(c, "probes_with_dbm"));
  EXPECT_EQ(t.dbm_min, dbm_min);
  EXPECT_EQ(t.dbm_max, dbm_max);
  EXPECT_EQ(FormatFrequencies(t.frequencies), c.row.at("freqs_MHz(probe)"));
}

INSTANTIATE_TEST_SUITE_P(Captures, RealCaptureTest, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<CaptureCase>& param_info) {
                           return TestName(param_info.param);
                         });

// The oracle lists exactly the files on disk, so no capture goes untested.
TEST(RealCapturesOracle, OracleCoversEveryCapture) {
  std::set<std::string> listed, on_disk;
  for (const auto& c : Cases()) listed.insert(c.folder + "/" + c.file());
  for (const char* folder : {"real", "labelled-single-device"}) {
    ASSERT_TRUE(std::filesystem::is_directory(CapturesDir() + "/" + folder)) << folder;
    for (const auto& entry : std::filesystem::directory_iterator(CapturesDir() + "/" + folder)) {
      if (entry.is_regular_file()) {
        on_disk.insert(std::string(folder) + "/" + entry.path().filename().string());
      }
    }
  }
  EXPECT_EQ(listed.size(), 40u + 151u);
  EXPECT_EQ(listed, on_disk);
  std::set<std::string> names;
  for (const auto& c : Cases()) names.insert(TestName(c));
  EXPECT_EQ(names.size(), Cases().size()) << "test names must be unique";
}

}  // namespace
}  // namespace footfall::capture
