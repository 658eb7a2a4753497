// Purpose: the Prometheus endpoint of the real footfalld, read with real HTTP
// requests over a real TCP socket: every metric present in the text format,
// the counters equal to what tshark counts in the frames replayed, the broker
// state, errors for other paths and methods, a port in use as a clear
// start-up error, and the endpoint moved by a SIGHUP reload. Every request
// carries the bearer token, given as a systemd credential (issue 15); none
// answers without it, and a TCP endpoint without a token does not start.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "support/test_support.h"

namespace footfall::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const std::string kToken = "metrics-test-token-5f2c9a";

// One HTTP/1.1 request on a fresh connection to 127.0.0.1:port, with the
// bearer token unless `token` is empty.
HttpResponse Http(int port, const std::string& method, const std::string& target,
                  const std::string& token = kToken) {
  return HttpRequest(port, method, target, token);
}

// "name{labels} value" lines -> value; also checks each sample has a TYPE.
std::map<std::string, double> ParseMetrics(const std::string& text) {
  std::map<std::string, double> out;
  std::set<std::string> typed;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("# TYPE ", 0) == 0) {
      typed.insert(line.substr(7, line.find(' ', 7) - 7));
      continue;
    }
    if (line.empty() || line[0] == '#') continue;
    const auto sp = line.rfind(' ');
    const std::string key = line.substr(0, sp);
    EXPECT_EQ(typed.count(key.substr(0, key.find('{'))), 1u) << "no # TYPE for " << key;
    out[key] = std::stod(line.substr(sp + 1));
  }
  return out;
}

class MetricsTest : public ::testing::Test {
 protected:
  TempDir dir_;
  std::string Err() const { return ReadFile(dir_.File("stderr")); }

  std::string WriteConfig(const std::string& source, int broker_port, const std::string& listen) {
    const std::string path = dir_.File("footfall.toml");
    WriteFile(path, "[capture]\nsource = \"" + source +
                        "\"\nspeed = 1\n\n[mqtt]\nuri = \"tcp://127.0.0.1:" +
                        std::to_string(broker_port) +
                        "\"\ndrain_timeout_s = 5\n\n[metrics]\nlisten = \"" + listen +
                        "\"\n\n[state]\ndir = \"" + dir_.File("state") + "\"\n");
    return path;
  }
  // The token as systemd hands it over (LoadCredential=metrics-token:...).
  std::string Credentials() {
    const std::string creds = dir_.File("credentials");
    mkdir(creds.c_str(), 0700);
    WriteFile(creds + "/metrics-token", kToken + "\n");
    return "CREDENTIALS_DIRECTORY=" + creds;
  }
  std::unique_ptr<Process> Start(const std::string& config, bool with_token = true) {
    std::vector<std::string> env;
    if (with_token) env.push_back(Credentials());
    return std::make_unique<Process>(std::vector<std::string>{FootfalldPath(), "--config", config},
                                     dir_.File("stdout"), dir_.File("stderr"), env);
  }
};

TEST_F(MetricsTest, ServesEveryMetricWithTheCountsOfTheFramesReplayed) {
  // The first 300 frames of F_test_1, 1 ms apart, then one frame an hour
  // later: at real-time speed footfalld reads the 300 and then waits, so the
  // counters stand still at known values while the test reads them.
  PcapFile f = ReadPcap(CapturesDir() + kArgoF);
  ASSERT_GT(f.records.size(), 301u);
  const std::int64_t t0 = 1700000000LL * 1000000;  // 22:13:20 UTC: mid-window
  std::vector<PcapRecord> head(f.records.begin(), f.records.begin() + 300);
  for (size_t i = 0; i < head.size(); ++i) head[i].ts_us = t0 + static_cast<std::int64_t>(i) * 1000;
  PcapRecord late = f.records[300];
  late.ts_us = t0 + 3600LL * 1000000;
  const std::string head_pcap = dir_.File("head.pcap");
  WritePcap(head_pcap, f.link_type, head);
  std::vector<PcapRecord> all = head;
  all.push_back(late);
  const std::string pcap = dir_.File("replay.pcap");
  WritePcap(pcap, f.link_type, all);

  // The oracle: tshark's probe requests and their distinct transmitters.
  std::string out;
  ASSERT_EQ(RunCommand({"tshark", "-n", "-r", head_pcap, "-Y", "wlan.fc.type_subtype == 4", "-T",
                        "fields", "-e", "wlan.sa"},
                       &out),
            0);
  std::set<std::string> devices;
  size_t probes = 0;
  std::istringstream lines(out);
  for (std::string l; std::getline(lines, l);) {
    if (l.size() != 17) continue;  // tshark's own notices
    ++probes;
    devices.insert(l);
  }
  ASSERT_GT(probes, 0u);

  Broker broker;
  const int port = FreeTcpPort();
  auto proc =
      Start(WriteConfig("file:" + pcap, broker.port(), "127.0.0.1:" + std::to_string(port)));
  ASSERT_TRUE(WaitForPort(port, seconds(10))) << Err();

  // Wait until all 300 frames are read and the broker is connected.
  std::map<std::string, double> m;
  const auto deadline = std::chrono::steady_clock::now() + seconds(15);
  HttpResponse r;
  while (std::chrono::steady_clock::now() < deadline) {
    r = Http(port, "GET", "/metrics");
    ASSERT_EQ(r.status, 200) << r.head;
    m = ParseMetrics(r.body);
    if (m["footfall_frames_total"] == 300 && m["footfall_mqtt_connected"] == 1) break;
    std::this_thread::sleep_for(milliseconds(100));
  }
  EXPECT_NE(r.head.find("Content-Type: text/plain; version=0.0.4; charset=utf-8"),
            std::string::npos)
      << r.head;
  EXPECT_EQ(m["footfall_frames_total"], 300);
  EXPECT_EQ(m["footfall_probe_requests_total"], static_cast<double>(probes));
  // People figures only as a published window gave them: none yet (no live
  // device count, which would tell each arrival).
  EXPECT_GT(devices.size(), 0u);
  EXPECT_EQ(m.count("footfall_devices"), 0u) << r.body;
  EXPECT_EQ(m.count("footfall_visitors"), 0u) << r.body;
  EXPECT_EQ(m["footfall_malformed_total"], 0);
  EXPECT_EQ(m["footfall_bad_fcs_total"], 0);
  EXPECT_EQ(m["footfall_pcap_dropped_total"], 0);
  EXPECT_EQ(m["footfall_mqtt_connected"], 1);
  EXPECT_EQ(m["footfall_mqtt_buffered_messages"], 0);
  EXPECT_EQ(m.count("footfall_mqtt_dropped_messages_total"), 1u);
  EXPECT_EQ(m["footfall_windows_published_total"], 0);
  ASSERT_EQ(m.count("footfall_key_age_seconds"), 1u);
  EXPECT_GE(m["footfall_key_age_seconds"], 0);
  EXPECT_LT(m["footfall_key_age_seconds"], 60);
  // build_info carries the version --version prints.
  std::string version;
  ASSERT_EQ(RunCommand({FootfalldPath(), "--version"}, &version), 0);
  version = version.substr(10, version.find('\n') - 10);  // "footfalld X.Y.Z"
  EXPECT_EQ(m["footfall_build_info{version=\"" + version + "\"}"], 1) << r.body;

  // Without the token, or with another one: 401 and nothing else.
  for (const std::string& token : {std::string(), std::string("metrics-test-token-5f2c9b")}) {
    const HttpResponse denied = Http(port, "GET", "/metrics", token);
    EXPECT_EQ(denied.status, 401) << denied.head;
    EXPECT_EQ(denied.body.find("footfall_"), std::string::npos) << denied.body;
  }

  // Only GET /metrics.
  EXPECT_EQ(Http(port, "GET", "/").status, 404);
  EXPECT_EQ(Http(port, "GET", "/metrics/../etc").status, 404);
  EXPECT_EQ(Http(port, "DELETE", "/metrics").status, 405);
  EXPECT_EQ(Http(port, "GET", "/metrics?x=1").status, 200);

  // The broker goes away: the gauge follows.
  broker.Stop();
  bool down = false;
  for (int i = 0; i < 100 && !down; ++i) {
    down = ParseMetrics(Http(port, "GET", "/metrics").body)["footfall_mqtt_connected"] == 0;
    std::this_thread::sleep_for(milliseconds(100));
  }
  EXPECT_TRUE(down);

  proc->Signal(SIGKILL);
}

TEST_F(MetricsTest, SighupMovesTheEndpointAndAPortInUseIsAStartupError) {
  Broker broker;
  const std::string source = "file:" + CapturesDir() + kArgoF;
  const int first = FreeTcpPort();
  const std::string config =
      WriteConfig(source, broker.port(), "127.0.0.1:" + std::to_string(first));
  auto proc = Start(config);
  ASSERT_TRUE(WaitForPort(first, seconds(10))) << Err();
  EXPECT_EQ(Http(first, "GET", "/metrics").status, 200);

  // Reload with another port: served there, no longer on the first.
  const int second = FreeTcpPort();
  WriteConfig(source, broker.port(), "127.0.0.1:" + std::to_string(second));
  proc->Signal(SIGHUP);
  ASSERT_TRUE(WaitForPort(second, seconds(10))) << Err();
  EXPECT_EQ(Http(second, "GET", "/metrics").status, 200);
  EXPECT_EQ(Http(first, "GET", "/metrics").status, 0) << "the old port still answers";
  EXPECT_NE(Err().find("reload: metrics.listen applied"), std::string::npos) << Err();

  // A second footfalld asked for the same port fails at start, saying why.
  TempDir other;
  const std::string other_config = other.File("footfall.toml");
  WriteFile(other_config, "[capture]\nsource = \"" + source +
                              "\"\n[metrics]\nlisten = \"127.0.0.1:" + std::to_string(second) +
                              "\"\n[state]\ndir = \"" + other.File("state") + "\"\n");
  Process clash({FootfalldPath(), "--config", other_config}, other.File("out"), other.File("err"),
                {Credentials()});
  const int st = clash.Wait(seconds(20));
  ASSERT_NE(st, -1);
  EXPECT_NE(ExitCode(st), 0);
  EXPECT_NE(ReadFile(other.File("err"))
                .find("metrics endpoint: cannot listen on 127.0.0.1:" + std::to_string(second)),
            std::string::npos)
      << ReadFile(other.File("err"));

  proc->Signal(SIGTERM);
  EXPECT_EQ(ExitCode(proc->Wait(seconds(20))), 0) << Err();
}

TEST_F(MetricsTest, ATcpEndpointWithoutATokenIsAStartupError) {
  const int port = FreeTcpPort();
  auto proc = Start(WriteConfig("file:" + CapturesDir() + kArgoF, FreeTcpPort(),
                                "127.0.0.1:" + std::to_string(port)),
                    /*with_token=*/false);
  const int st = proc->Wait(seconds(20));
  ASSERT_NE(st, -1);
  EXPECT_NE(ExitCode(st), 0);
  EXPECT_NE(Err().find("needs a bearer token"), std::string::npos) << Err();
}

}  // namespace
}  // namespace footfall::testing
