// Purpose: the attacker (tests/support/attacker.h) over what a real footfalld
// publishes on a real mosquitto, read by a real mosquitto_sub, with default
// settings ([privacy] min_count = 3): a quiet and a busy simulated day
// (tools/simulate, made here) and two real captures. It looks for a count of
// 1..k-1 people by direct reading, by differencing the epoch totals between
// any two messages, by solving the sum relations, from the capture rate and
// from the dwell percentiles: zero findings. The count of findings is printed
// (the figure of issue 15's closing note, before and after).
#include <gtest/gtest.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "support/attacker.h"
#include "support/schema_check.h"
#include "support/test_support.h"

namespace footfall::testing {
namespace {

using std::chrono::seconds;

struct Replayed {
  std::vector<Figures> counts;
  std::vector<MqttMessage> messages;
  int exit_code = -1;
};

// `capture` replayed by footfalld with default settings (plus `extra` TOML).
Replayed Replay(const TempDir& dir, const std::string& capture, const std::string& extra = "") {
  Broker broker;
  Subscriber sub(broker.port(), "footfall/#");
  const std::string config = dir.File("footfall.toml");
  WriteFile(config,
            "[sensor]\nsite = \"store-7\"\nid = \"door\"\n\n[capture]\nsource = \"file:" + capture +
                "\"\n\n[mqtt]\nuri = \"tcp://127.0.0.1:" + std::to_string(broker.port()) +
                "\"\n\n[state]\ndir = \"" + dir.File("state") + "\"\n\n" + extra);
  Process proc({FootfalldPath(), "--config", config}, dir.File("stdout"), dir.File("stderr"));
  Replayed r;
  const int status = proc.Wait(seconds(240));
  r.exit_code = ExitCode(status);
  r.messages = sub.WaitFor(EndsOffline, seconds(30));
  for (const MqttMessage& m : r.messages) {
    if (m.topic == "footfall/store-7/door/counts") {
      r.counts.push_back(CountsFigures("counts #" + std::to_string(r.counts.size()), m.payload));
    }
  }
  return r;
}

std::string Simulate(const TempDir& dir, const std::string& preset, const std::string& seed) {
  const std::string out = dir.File(preset + ".pcap");
  std::string log;
  EXPECT_EQ(
      RunCommand({SIMULATE_PATH, "--preset", preset, "--hours", "12", "--seed", seed, "--start",
                  "2026-03-02T07:00:00Z", "--out", out, "--truth", dir.File(preset + ".json")},
                 &log),
      0)
      << log;
  return out;
}

// Replays `capture`, attacks the counts, and expects no finding (reporting
// the first few and the total).
void ExpectNoFinding(const std::string& name, const std::string& capture, const TempDir& dir,
                     std::size_t min_windows) {
  const Replayed r = Replay(dir, capture);
  ASSERT_EQ(r.exit_code, 0) << ReadFile(dir.File("stderr"));
  ASSERT_GE(r.counts.size(), min_windows);
  const Attacker attacker(CountsAttackerOptions(3));
  const std::vector<Finding> findings = attacker.Attack(r.counts);
  std::map<std::string, int> by_attack;
  for (const Finding& f : findings) ++by_attack[f.attack];
  std::string summary;
  for (const auto& [attack, n] : by_attack) summary += " " + attack + "=" + std::to_string(n);
  std::printf("attacker on %s: %zu messages, %zu findings%s\n", name.c_str(), r.counts.size(),
              findings.size(), summary.c_str());
  for (std::size_t i = 0; i < findings.size() && i < 10; ++i) {
    ADD_FAILURE() << name << ": " << ToString(findings[i]);
  }
  EXPECT_EQ(findings.size(), 0u) << name;
  // What was attacked is what footfalld documents.
  std::vector<MqttMessage> counts;
  for (const MqttMessage& m : r.messages) {
    if (m.topic == "footfall/store-7/door/counts") counts.push_back(m);
  }
  EXPECT_EQ(SchemaViolations(counts), std::vector<std::string>{});
}

TEST(AttackOverMqttTest, QuietSimulatedDay) {
  TempDir dir;
  ExpectNoFinding("quiet simulated day", Simulate(dir, "quiet", "15"), dir, 700);
}

TEST(AttackOverMqttTest, BusySimulatedDay) {
  TempDir dir;
  ExpectNoFinding("busy simulated day", Simulate(dir, "busy", "16"), dir, 700);
}

TEST(AttackOverMqttTest, RealCaptures) {
  for (const char* capture :
       {kArgoF,
        "/real/tomas-fryza+probe-request-project__position_2__sc6-61_2024-02-08_anonymized.pcap"}) {
    TempDir dir;
    ExpectNoFinding(capture, CapturesDir() + capture, dir, 2);
  }
}

// Noise mode through the real daemon: every count noisy, fresh noise in
// every run (libsodium, no seed), the message says so and matches its
// schema, nothing is suppressed, and the signal and the dwell are not
// published.
TEST(NoiseModeTest, EveryCountIsNoisyAndTheNoiseIsNeverRepeated) {
  const std::string capture = CapturesDir() + kArgoF;
  const std::string noise = "[privacy]\nnoise = \"laplace\"\nepsilon = 1.0\n";
  TempDir d1, d2, d3;
  const Replayed a = Replay(d1, capture, noise), b = Replay(d2, capture, noise);
  const Replayed exact = Replay(d3, capture, "[privacy]\nmin_count = 0\n");
  ASSERT_EQ(a.exit_code, 0) << ReadFile(d1.File("stderr"));
  ASSERT_EQ(b.exit_code, 0);
  ASSERT_EQ(exact.exit_code, 0);
  ASSERT_EQ(a.counts.size(), exact.counts.size());
  ASSERT_EQ(b.counts.size(), exact.counts.size());
  std::vector<MqttMessage> messages;
  for (const MqttMessage& m : a.messages) {
    if (m.topic != "footfall/store-7/door/counts") continue;
    messages.push_back(m);
    const nlohmann::json j = nlohmann::json::parse(m.payload);
    EXPECT_EQ(j["noise"]["mechanism"], "discrete_laplace");
    EXPECT_EQ(j["noise"]["epsilon"], 1.0);
    EXPECT_FALSE(j.contains("suppressed"));
    EXPECT_TRUE(j["rssi_dbm"]["median"].is_null());
    EXPECT_TRUE(j["dwell_s"]["p50"].is_null());
    EXPECT_EQ(j["devices"]["unique"].get<std::int64_t>(),
              j["devices"]["global_mac"].get<std::int64_t>() +
                  j["devices"]["randomized_mac"].get<std::int64_t>());
  }
  EXPECT_EQ(SchemaViolations(messages), std::vector<std::string>{});
  // Against the exact counts, and run against run.
  int off = 0, differ = 0, total = 0;
  for (std::size_t i = 0; i < exact.counts.size(); ++i) {
    for (const char* name : {"devices.estimated", "visitors", "arrivals", "epoch.devices"}) {
      const auto x = exact.counts[i].values.at(name), na = a.counts[i].values.at(name),
                 nb = b.counts[i].values.at(name);
      ASSERT_TRUE(x && na && nb) << name;
      off += *na != *x;
      differ += *na != *nb;
      ++total;
    }
  }
  EXPECT_GT(off, total / 2) << off << " of " << total;
  EXPECT_GT(differ, total / 2) << differ << " of " << total;
}

}  // namespace
}  // namespace footfall::testing
