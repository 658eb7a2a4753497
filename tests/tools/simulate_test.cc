// Purpose: tests of tools/simulate, the synthetic capture generator whose
// ground truth the daemon's accuracy is measured against: determinism for a
// seed; every record read by the project's own parser, with the valid probe
// requests, broken frames and per-window distinct MACs the truth claims;
// window alignment; the randomized share; presets; tshark's count of the same
// file; and, on a capture where every device keeps its global MAC (so the MAC
// is the device), every window figure and every visit of the truth recomputed
// here from the frames alone.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "capture/frame_parser.h"
#include "support/test_support.h"

namespace footfall::testing {
namespace {

using nlohmann::json;
constexpr std::int64_t kUs = 1000000;

struct SimRun {
  std::string pcap, truth_path;
  json truth;
  std::string output;
};

SimRun Simulate(const TempDir& dir, const std::string& name, std::vector<std::string> args) {
  SimRun r;
  r.pcap = dir.File(name + ".pcap");
  r.truth_path = dir.File(name + ".json");
  std::vector<std::string> argv = {SIMULATE_PATH, "--out", r.pcap, "--truth", r.truth_path};
  argv.insert(argv.end(), args.begin(), args.end());
  const int rc = RunCommand(argv, &r.output);
  EXPECT_EQ(rc, 0) << r.output;
  r.truth = json::parse(ReadFile(r.truth_path));
  return r;
}

std::int64_t ParseUtc(const std::string& s) {
  struct tm t {};
  EXPECT_NE(strptime(s.c_str(), "%Y-%m-%dT%H:%M:%SZ", &t), nullptr) << s;
  return static_cast<std::int64_t>(timegm(&t)) * kUs;
}

struct Frame {
  std::int64_t t;
  std::string mac;  // 6 raw bytes
  int signal;
};

struct Parsed {
  std::vector<Frame> valid;
  std::size_t malformed = 0, bad_fcs = 0, other = 0, records = 0;
};

Parsed ParseAll(const std::string& path) {
  Parsed out;
  PcapFile f = ReadPcap(path);
  EXPECT_EQ(f.link_type, capture::kLinkTypeRadiotap);
  EXPECT_EQ(f.error, "");
  std::int64_t prev = 0;
  for (PcapRecord& r : f.records) {
    out.records++;
    EXPECT_GE(r.ts_us, prev) << "records out of time order";
    prev = r.ts_us;
    capture::ParseResult p =
        capture::ParseFrame(f.link_type, r.bytes.data(), r.bytes.size(), r.wirelen);
    switch (p.frame_class) {
      case capture::FrameClass::kProbeRequest: {
        const std::uint8_t* m = p.probe.transmitter.data();
        EXPECT_FALSE(p.probe.transmitter.group());
        EXPECT_TRUE(p.probe.radio.signal_dbm.has_value());
        EXPECT_EQ(p.fcs, capture::FcsCheck::kGood);
        out.valid.push_back({r.ts_us, std::string(m, m + 6), p.probe.radio.signal_dbm.value_or(0)});
        break;
      }
      case capture::FrameClass::kMalformed:
        out.malformed++;
        break;
      case capture::FrameClass::kBadFcs:
        out.bad_fcs++;
        break;
      case capture::FrameClass::kOther:
        out.other++;
        break;
    }
  }
  return out;
}

TEST(Simulate, SameSeedSameBytesOtherSeedOtherBytes) {
  TempDir dir;
  const std::vector<std::string> common = {"--hours", "1", "--preset", "quiet"};
  auto with_seed = [&](const char* seed) {
    auto a = common;
    a.insert(a.end(), {"--seed", seed});
    return a;
  };
  SimRun a = Simulate(dir, "a", with_seed("7"));
  SimRun b = Simulate(dir, "b", with_seed("7"));
  SimRun c = Simulate(dir, "c", with_seed("8"));
  EXPECT_EQ(ReadFile(a.pcap), ReadFile(b.pcap));
  EXPECT_EQ(ReadFile(a.truth_path), ReadFile(b.truth_path));
  EXPECT_NE(ReadFile(a.pcap), ReadFile(c.pcap));
  EXPECT_NE(a.truth["totals"], c.truth["totals"]);
  EXPECT_GT(a.truth["totals"]["probe_requests"].get<int>(), 1000);
  EXPECT_NE(a.output.find("distinct MACs"), std::string::npos) << a.output;
}

TEST(Simulate, EveryRecordParsesAsTheTruthSays) {
  TempDir dir;
  SimRun r = Simulate(dir, "day",
                      {"--seed", "3", "--hours", "2", "--malformed-share", "0.01", "--start",
                       "2026-11-24T08:02:30Z"});
  const json& totals = r.truth["totals"];
  Parsed p = ParseAll(r.pcap);
  EXPECT_EQ(p.records, totals["frames"].get<std::size_t>());
  EXPECT_EQ(p.valid.size(), totals["probe_requests"].get<std::size_t>());
  EXPECT_EQ(p.malformed + p.bad_fcs, totals["malformed"].get<std::size_t>());
  EXPECT_GT(p.malformed, 0u);
  EXPECT_GT(p.bad_fcs, 0u);
  EXPECT_EQ(p.other, 0u);

  std::set<std::string> all;
  for (const Frame& f : p.valid) all.insert(f.mac);
  EXPECT_EQ(all.size(), totals["distinct_macs"].get<std::size_t>());
  std::size_t random = 0;
  for (const std::string& m : all) random += (m[0] & 0x02) ? 1 : 0;
  EXPECT_GT(random, all.size() / 2);  // randomized share 0.9 by default

  // Windows: aligned to the epoch, contiguous, first and last hold a frame.
  const std::int64_t len = 300 * kUs;
  const json& wins = r.truth["windows"];
  ASSERT_FALSE(wins.empty());
  const std::int64_t w0 = p.valid.front().t / len;
  EXPECT_EQ(wins.size(), static_cast<std::size_t>(p.valid.back().t / len - w0 + 1));
  std::vector<std::set<std::string>> macs(wins.size());
  std::vector<std::size_t> probes(wins.size());
  for (const Frame& f : p.valid) {
    macs[f.t / len - w0].insert(f.mac);
    probes[f.t / len - w0]++;
  }
  for (std::size_t i = 0; i < wins.size(); ++i) {
    EXPECT_EQ(ParseUtc(wins[i]["start"]), (w0 + static_cast<std::int64_t>(i)) * len);
    EXPECT_EQ(wins[i]["distinct_macs"].get<std::size_t>(), macs[i].size()) << i;
    EXPECT_EQ(wins[i]["probe_requests"].get<std::size_t>(), probes[i]) << i;
    EXPECT_LE(wins[i]["devices"].get<std::size_t>(), macs[i].size()) << i;
    EXPECT_EQ(wins[i]["partial"].get<bool>(), i + 1 == wins.size());
  }
  EXPECT_EQ(wins[0]["start"], "2026-11-24T08:00:00Z");
}

TEST(Simulate, RandomizedShareOfDevicesFollowsTheFlag) {
  TempDir dir;
  for (const char* share : {"0.2", "0.5", "0.95"}) {
    SimRun r = Simulate(
        dir, std::string("s") + share,
        {"--seed", "11", "--hours", "2", "--visitors-per-hour", "100", "--passersby-per-hour",
         "1000", "--malformed-share", "0", "--randomized-share", share, "--truth-visits"});
    std::map<int, std::string> policy;  // device -> mac policy, fixed devices excepted
    for (const json& v : r.truth["visits"]) {
      if (v["person"] != "fixed") policy[v["device"].get<int>()] = v["mac_policy"];
    }
    ASSERT_GT(policy.size(), 1000u);
    std::size_t randomized = 0;
    for (const auto& [dev, pol] : policy) randomized += pol != "global" ? 1 : 0;
    EXPECT_NEAR(static_cast<double>(randomized) / policy.size(), std::stod(share), 0.04) << share;
    EXPECT_EQ(policy.size() + r.truth["params"]["fixed"].get<std::size_t>(),
              r.truth["totals"]["devices"].get<std::size_t>());
  }
}

TEST(Simulate, PresetsSetRatesAndFlagsOverrideThem) {
  TempDir dir;
  SimRun r =
      Simulate(dir, "q", {"--preset", "quiet", "--hours", "0.5", "--visitors-per-hour", "5"});
  EXPECT_EQ(r.truth["params"]["visitors_per_hour"].get<double>(), 5);
  EXPECT_EQ(r.truth["params"]["passersby_per_hour"].get<double>(), 80);
  EXPECT_EQ(r.truth["params"]["preset"], "quiet");
  std::string out;
  EXPECT_NE(RunCommand({SIMULATE_PATH, "--preset", "nonsense"}, &out), 0);
  EXPECT_NE(RunCommand({SIMULATE_PATH, "--start", "yesterday"}, &out), 0);
}

// With global MACs only, a MAC is a device: every figure of every window and
// every visit of the truth, recomputed from the frames with the definitions
// (visit gap, visitor threshold, minimum visit, stationary) written out here.
TEST(Simulate, TruthMatchesTheFramesWhenEveryMacIsADevice) {
  TempDir dir;
  const std::int64_t gap = 300 * kUs, min_visit = 300 * kUs, stationary = 3600 * kUs;
  const int thr = -70;
  SimRun r =
      Simulate(dir, "g",
               {"--seed", "5", "--hours", "3", "--randomized-share", "0", "--visitors-per-hour",
                "40", "--passersby-per-hour", "150", "--staff", "3", "--fixed", "2",
                "--stationary-after", "3600", "--malformed-share", "0.005", "--truth-visits"});
  Parsed p = ParseAll(r.pcap);
  ASSERT_FALSE(p.valid.empty());
  struct Visit {
    std::int64_t first, last;
    std::vector<const Frame*> frames;
  };
  std::map<std::string, std::vector<Visit>> visits;
  for (const Frame& f : p.valid) {
    auto& v = visits[f.mac];
    if (v.empty() || f.t - v.back().last > gap) v.push_back({f.t, f.t, {}});
    v.back().last = f.t;
    v.back().frames.push_back(&f);
  }
  const json& wins = r.truth["windows"];
  const std::int64_t len = 300 * kUs;
  const std::int64_t w0 = p.valid.front().t / len;
  const std::int64_t t_end = p.valid.back().t + 1;  // the last, partial window
  std::size_t total_visitors = 0;
  for (std::size_t i = 0; i < wins.size(); ++i) {
    const std::int64_t s = (w0 + static_cast<std::int64_t>(i)) * len;
    const std::int64_t e = i + 1 == wins.size() ? t_end : s + len;
    std::size_t devices = 0, visitors = 0, stat = 0, arrivals = 0, departures = 0, passersby = 0,
                vvisits = 0;
    std::vector<std::int64_t> dwell;
    for (const auto& [mac, vs] : visits) {
      bool seen = false;
      for (const Visit& v : vs) {
        for (const Frame* f : v.frames) seen |= f->t >= s && f->t < e;
        if (v.first >= s && v.first < e) arrivals++;
        const std::int64_t close = v.last + gap;
        if (close >= s && close < e) {
          departures++;
          int mx = -128;
          for (const Frame* f : v.frames) mx = std::max(mx, f->signal);
          const std::int64_t dur = v.last - v.first;
          if (dur >= stationary) {
          } else if (mx >= thr && dur >= min_visit) {
            vvisits++;
            dwell.push_back(dur);
          } else {
            passersby++;
          }
        }
        if (v.first < e) {  // open at T = e, judged on the sightings before T
          std::int64_t last = v.first;
          int mx = -128;
          for (const Frame* f : v.frames) {
            if (f->t >= e) break;
            last = f->t;
            mx = std::max(mx, f->signal);
          }
          if (last + gap > e) {
            const std::int64_t dur = last - v.first;
            if (dur >= stationary) {
              stat++;
            } else if (mx >= thr && dur >= min_visit) {
              visitors++;
            }
          }
        }
      }
      devices += seen ? 1 : 0;
    }
    const json& w = wins[i];
    EXPECT_EQ(w["devices"].get<std::size_t>(), devices) << i;
    EXPECT_EQ(w["distinct_macs"].get<std::size_t>(), devices) << i;
    EXPECT_EQ(w["visitors"].get<std::size_t>(), visitors) << i;
    EXPECT_EQ(w["stationary"].get<std::size_t>(), stat) << i;
    EXPECT_EQ(w["arrivals"].get<std::size_t>(), arrivals) << i;
    EXPECT_EQ(w["departures"].get<std::size_t>(), departures) << i;
    EXPECT_EQ(w["passersby"].get<std::size_t>(), passersby) << i;
    EXPECT_EQ(w["visitor_visits"].get<std::size_t>(), vvisits) << i;
    std::sort(dwell.begin(), dwell.end());
    if (dwell.empty()) {
      EXPECT_TRUE(w["dwell_p50_s"].is_null()) << i;
      EXPECT_TRUE(w["dwell_p90_s"].is_null()) << i;
      EXPECT_EQ(w["capture_rate"].is_null(), passersby == 0) << i;
    } else {
      const std::size_t n = dwell.size();
      const auto rank = [&](double q) {
        return static_cast<std::size_t>(std::ceil(q * static_cast<double>(n) - 1e-9)) - 1;
      };
      EXPECT_DOUBLE_EQ(w["dwell_p50_s"].get<double>(), static_cast<double>(dwell[rank(0.5)]) / kUs);
      EXPECT_DOUBLE_EQ(w["dwell_p90_s"].get<double>(), static_cast<double>(dwell[rank(0.9)]) / kUs);
      EXPECT_DOUBLE_EQ(w["capture_rate"].get<double>(),
                       static_cast<double>(vvisits) / static_cast<double>(vvisits + passersby));
    }
    total_visitors += visitors;
  }
  EXPECT_GT(total_visitors, 0u);

  // Every visit of the truth is one recomputed from its device's frames.
  std::size_t listed = 0;
  for (const json& v : r.truth["visits"]) {
    ASSERT_TRUE(v.contains("mac"));
    std::string mac(6, '\0');
    unsigned b[6];
    ASSERT_EQ(std::sscanf(v["mac"].get<std::string>().c_str(), "%x:%x:%x:%x:%x:%x", &b[0], &b[1],
                          &b[2], &b[3], &b[4], &b[5]),
              6);
    for (int k = 0; k < 6; ++k) mac[k] = static_cast<char>(b[k]);
    const auto& vs = visits[mac];
    const auto it = std::find_if(vs.begin(), vs.end(), [&](const Visit& x) {
      return x.first == v["start_us"].get<std::int64_t>() &&
             x.last == v["end_us"].get<std::int64_t>();
    });
    ASSERT_NE(it, vs.end()) << v.dump();
    EXPECT_EQ(it->frames.size(), v["frames"].get<std::size_t>());
    EXPECT_DOUBLE_EQ(v["dwell_s"].get<double>(), static_cast<double>(it->last - it->first) / kUs);
    listed++;
  }
  std::size_t recomputed = 0;
  for (const auto& [mac, vs] : visits) recomputed += vs.size();
  EXPECT_EQ(listed, recomputed);
  EXPECT_EQ(r.truth["totals"]["visits"].get<std::size_t>(), recomputed);
  EXPECT_GT(r.truth["totals"]["stationary"].get<int>(), 0);
}

TEST(Simulate, TsharkCountsTheSameProbeRequests) {
  TempDir dir;
  SimRun r = Simulate(dir, "t", {"--seed", "9", "--hours", "0.25", "--malformed-share", "0"});
  std::string out;
  ASSERT_EQ(RunCommand({"tshark", "-n", "-r", r.pcap, "-Y", "wlan.fc.type_subtype == 4", "-T",
                        "fields", "-e", "wlan.sa"},
                       &out),
            0)
      << out;
  std::size_t lines = 0;
  std::set<std::string> sas;
  std::size_t pos = 0;
  while (pos < out.size()) {
    std::size_t nl = out.find('\n', pos);
    if (nl == std::string::npos) nl = out.size();
    const std::string line = out.substr(pos, nl - pos);
    if (line.size() == 17) {  // "aa:bb:cc:dd:ee:ff"; stderr chatter is not
      lines++;
      sas.insert(line);
    }
    pos = nl + 1;
  }
  EXPECT_EQ(lines, r.truth["totals"]["probe_requests"].get<std::size_t>());
  EXPECT_EQ(sas.size(), r.truth["totals"]["distinct_macs"].get<std::size_t>());
}

}  // namespace
}  // namespace footfall::testing
