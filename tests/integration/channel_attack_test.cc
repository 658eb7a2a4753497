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
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <sstream>
#include <thread>

#include "support/attacker.h"
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

// The STATUS= texts sent to a notify socket.
class StatusSink final {
 public:
  explicit StatusSink(const std::string& path) : path_(path) {
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      throw std::runtime_error("bind " + path);
    }
    timeval tv{0, 100000};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    reader_ = std::thread([this] {
      char buf[4096];
      while (!done_) {
        const ssize_t n = recv(fd_, buf, sizeof buf, 0);
        if (n <= 0) continue;
        std::istringstream in(std::string(buf, static_cast<size_t>(n)));
        for (std::string line; std::getline(in, line);) {
          if (line.rfind("STATUS=", 0) != 0) continue;
          std::lock_guard<std::mutex> lock(mu_);
          lines_.push_back(line.substr(7));
        }
      }
    });
  }
  ~StatusSink() {
    done_ = true;
    reader_.join();
    close(fd_);
    unlink(path_.c_str());
  }
  std::vector<std::string> lines() const {
    std::lock_guard<std::mutex> lock(mu_);
    return lines_;
  }

 private:
  std::string path_;
  int fd_ = -1;
  std::atomic<bool> done_{false};
  std::thread reader_;
  mutable std::mutex mu_;
  std::vector<std::string> lines_;
};

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
  StatusSink status(dir.File("notify"));
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
  for (const std::string& s : status.lines()) {
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
