// Purpose: the attacker (tests/support/attacker.h) over footfalld's other
// channels (issue 15, point 5): a real footfalld replays three quiet hours of
// a simulated shop (tools/simulate, made here) at 1000x with default settings
// (min_count = 3), its info log is read from stderr, its systemd status line
// from a real notify socket (every 50 ms: WATCHDOG_USEC makes it tick that
// often), and its metrics by real HTTP requests every 20 ms over TCP with the
// bearer token (a systemd credential); the same requests without the token
// get 401 and no figure. No log line, status line or scrape may reveal a
// count of 1..k-1 people: zero findings. The counts are printed (the figure
// of issue 15's closing note); FOOTFALL_ATTACK_BINARY=path runs another
// footfalld build (e.g. one from before the fix) for the "before" figure.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <thread>

#include "support/attacker.h"
#include "support/datagram_sink.h"
#include "support/test_support.h"

namespace footfall::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const std::string kToken = "channel-attack-token-81e3";

// One HTTP/1.1 GET /metrics on 127.0.0.1:port; returns status and body.
std::pair<int, std::string> Scrape(int port, const std::string& token) {
  const HttpResponse r = HttpRequest(port, "GET", "/metrics", token);
  return {r.status, r.body};
}

AttackerOptions PeopleOnly(const std::set<std::string>& people) {
  AttackerOptions o;
  o.min_count = 3;
  o.people = people;
  return o;
}

std::size_t Report(const std::string& channel, std::size_t observations,
                   const std::vector<Finding>& findings) {
  std::printf("attacker on the %s: %zu observations, %zu findings\n", channel.c_str(), observations,
              findings.size());
  for (std::size_t i = 0; i < findings.size() && i < 5; ++i) {
    ADD_FAILURE() << channel << ": " << ToString(findings[i]);
  }
  return findings.size();
}

TEST(ChannelAttackTest, LogStatusLineAndMetricsRevealNoSmallCount) {
  TempDir dir;
  // Three quiet morning hours: most windows hold 0 to 2 phones.
  const std::string capture = dir.File("quiet.pcap");
  std::string log;
  ASSERT_EQ(
      RunCommand({SIMULATE_PATH, "--preset", "quiet", "--hours", "3", "--seed", "21", "--start",
                  "2026-03-02T07:00:00Z", "--out", capture, "--truth", dir.File("quiet.json")},
                 &log),
      0)
      << log;

  Broker broker;
  const int port = FreeTcpPort();
  const std::string config = dir.File("footfall.toml");
  WriteFile(
      config,
      "[capture]\nsource = \"file:" + capture +
          "\"\nspeed = 1000\n\n[mqtt]\nuri = \"tcp://127.0.0.1:" + std::to_string(broker.port()) +
          "\"\ndrain_timeout_s = 5\n\n[metrics]\nlisten = \"127.0.0.1:" + std::to_string(port) +
          "\"\n\n[state]\ndir = \"" + dir.File("state") + "\"\n");
  const std::string creds = dir.File("credentials");
  ASSERT_EQ(mkdir(creds.c_str(), 0700), 0);
  WriteFile(creds + "/metrics-token", kToken + "\n");
  DatagramSink status(dir.File("notify"));
  const char* other = std::getenv("FOOTFALL_ATTACK_BINARY");
  const std::string binary = other != nullptr && *other != '\0' ? other : FootfalldPath();
  Process proc({binary, "--config", config}, dir.File("stdout"), dir.File("stderr"),
               {"CREDENTIALS_DIRECTORY=" + creds, "NOTIFY_SOCKET=" + dir.File("notify"),
                "WATCHDOG_USEC=100000"});
  ASSERT_TRUE(WaitForPort(port, seconds(10))) << ReadFile(dir.File("stderr"));

  std::vector<Figures> scrapes;
  int denied = 0;
  int without_token = 0;
  bool leaked_without_token = false;
  while (proc.running()) {
    const auto [code, body] = Scrape(port, kToken);
    if (code == 200) {
      scrapes.push_back(
          MetricsFigures("scrape " + std::to_string(scrapes.size()), "metrics", body));
    }
    if (scrapes.size() % 25 == 1) {
      const auto [no_code, no_body] = Scrape(port, "");
      if (no_code != 0) ++without_token;
      if (no_code == 401) ++denied;
      if (no_body.find("footfall_") != std::string::npos) leaked_without_token = true;
    }
    std::this_thread::sleep_for(milliseconds(20));
  }
  ASSERT_EQ(proc.Wait(seconds(30)) >= 0, true);
  EXPECT_GT(without_token, 0);
  EXPECT_EQ(denied, without_token) << "a request without the token was answered";
  EXPECT_FALSE(leaked_without_token);

  // The info log: one line per window.
  std::vector<Figures> lines;
  std::istringstream err(ReadFile(dir.File("stderr")));
  for (std::string line; std::getline(err, line);) {
    if (line.find(" window ") == std::string::npos) continue;
    lines.push_back(TextFigures(
        "log line " + std::to_string(lines.size()), "log", line,
        {{"devices", R"((\d+) devices)"}, {"randomized_mac", R"((\d+) randomized\))"}}));
  }
  std::vector<Figures> statuses;
  for (const std::string& s : status.Statuses()) {
    statuses.push_back(
        TextFigures("status line " + std::to_string(statuses.size()), "status", s,
                    {{"devices", R"((\d+) devices)"}, {"visitors", R"((\d+) visitors)"}}));
  }
  ASSERT_GE(lines.size(), 150u) << "three hours of 60 s windows";
  ASSERT_GE(statuses.size(), 50u);
  ASSERT_GE(scrapes.size(), 100u);

  const std::size_t in_log = Report(
      "info log", lines.size(), Attacker(PeopleOnly({"devices", "randomized_mac"})).Attack(lines));
  const std::size_t in_status =
      Report("status line", statuses.size(),
             Attacker(PeopleOnly({"devices", "visitors"})).Attack(statuses));
  const std::size_t in_metrics = Report(
      "metrics", scrapes.size(),
      Attacker(PeopleOnly({"footfall_devices", "footfall_estimated_devices", "footfall_visitors"}))
          .Attack(scrapes));
  EXPECT_EQ(in_log + in_status + in_metrics, 0u);
}

}  // namespace
}  // namespace footfall::testing
