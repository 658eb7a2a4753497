// Purpose: tests of the metrics endpoint's parts: the Prometheus text, the
// [metrics] listen address and its validation in the config, and the HTTP
// server on a real loopback socket driven by its own io_context.
#include "daemon/metrics_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <thread>

#include "daemon/config.h"
#include "support/test_support.h"

namespace footfall::daemon {
namespace {

TEST(RenderPrometheusTest, EveryFamilyWithHelpTypeAndValue) {
  MetricsSnapshot s;
  s.version = "1.2.3";
  s.counters.frames = 10;
  s.counters.probe_requests = 7;
  s.counters.malformed = 1;
  s.counters.bad_fcs = 2;
  s.pcap_dropped = 3;
  s.counters.windows = 4;
  s.devices = 5;
  s.mqtt_connected = true;
  s.mqtt_buffered = 6;
  s.mqtt_dropped = 8;
  s.key_age_seconds = 90.5;
  s.estimated_devices = 4;
  s.visitors = 2;
  const std::string t = RenderPrometheus(s);
  for (const char* line :
       {"# TYPE footfall_frames_total counter\nfootfall_frames_total 10\n",
        "# TYPE footfall_probe_requests_total counter\nfootfall_probe_requests_total 7\n",
        "footfall_malformed_total 1\n", "footfall_bad_fcs_total 2\n",
        "# TYPE footfall_pcap_dropped_total counter\nfootfall_pcap_dropped_total 3\n",
        "footfall_windows_published_total 4\n",
        "# TYPE footfall_devices gauge\nfootfall_devices 5\n", "footfall_mqtt_connected 1\n",
        "footfall_mqtt_buffered_messages 6\n", "footfall_mqtt_dropped_messages_total 8\n",
        "footfall_key_age_seconds 90.500\n",
        "# TYPE footfall_estimated_devices gauge\nfootfall_estimated_devices 4\n",
        "# TYPE footfall_visitors gauge\nfootfall_visitors 2\n",
        "# TYPE footfall_build_info gauge\nfootfall_build_info{version=\"1.2.3\"} 1\n"}) {
    EXPECT_NE(t.find(line), std::string::npos) << line;
  }
  EXPECT_NE(t.find("# HELP footfall_frames_total "), std::string::npos);
  EXPECT_EQ(t.back(), '\n');
}

TEST(RenderPrometheusTest, NoKeyAgeBeforeTheFirstKeyAndLabelsEscaped) {
  MetricsSnapshot s;
  s.version = "a\"b\\c";
  const std::string t = RenderPrometheus(s);
  EXPECT_EQ(t.find("\nfootfall_key_age_seconds "), std::string::npos);
  // No people figures before the first window was published.
  EXPECT_EQ(t.find("footfall_visitors"), std::string::npos);
  EXPECT_EQ(t.find("footfall_estimated_devices"), std::string::npos);
  EXPECT_NE(t.find("footfall_build_info{version=\"a\\\"b\\\\c\"} 1\n"), std::string::npos) << t;
  EXPECT_NE(t.find("footfall_mqtt_connected 0\n"), std::string::npos);
}

TEST(ListenAddressTest, LiteralsAndLoopback) {
  auto a = ParseListenAddress("127.0.0.1:9464");
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->loopback);
  EXPECT_EQ(a->port, 9464);
  EXPECT_EQ(a->ToString(), "127.0.0.1:9464");
  a = ParseListenAddress("[::1]:80");
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->ipv6);
  EXPECT_TRUE(a->loopback);
  EXPECT_EQ(a->ToString(), "[::1]:80");
  a = ParseListenAddress("0.0.0.0:9464");
  ASSERT_TRUE(a);
  EXPECT_FALSE(a->loopback);
  for (const char* bad : {"localhost:9464", "127.0.0.1", "127.0.0.1:0", "127.0.0.1:65536",
                          "::1:9464", "[::1:9464", "[::1]9464", "1.2.3:9", ":9464"}) {
    const auto parsed = ParseListenAddress(bad);
    EXPECT_FALSE(parsed) << bad;
    EXPECT_FALSE(parsed.ok() || parsed.error().empty()) << bad;
  }
}

TEST(MetricsConfigTest, OffByDefaultLoopbackOnlyUnlessAllowed) {
  const std::string base = "[capture]\nsource = \"pcap:mon0\"\n";
  ConfigResult r = ParseConfig(base, "f.toml");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r.config.metrics_listen.has_value());

  r = ParseConfig(base + "[metrics]\nlisten = \"127.0.0.1:9464\"\n", "f.toml");
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r.config.metrics_listen.has_value());
  EXPECT_EQ(r.config.metrics_listen->ToString(), "127.0.0.1:9464");

  r = ParseConfig(base + "[metrics]\nlisten = \"0.0.0.0:9464\"\n", "f.toml");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(
      r.errors[0].rfind("f.toml:4:10: error: metrics.listen: \"0.0.0.0\" is not a loopback", 0), 0u)
      << r.errors[0];

  r = ParseConfig(base + "[metrics]\nlisten = \"0.0.0.0:9464\"\nallow_remote = true\n", "f.toml");
  EXPECT_TRUE(r.ok());
  ASSERT_TRUE(r.config.metrics_listen.has_value());
  EXPECT_EQ(r.config.metrics_listen->ToString(), "0.0.0.0:9464");

  r = ParseConfig(base + "[metrics]\nlisten = \"localhost:9464\"\n", "f.toml");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].find("host names are not accepted"), std::string::npos) << r.errors[0];
}

// Sends `request` on a fresh connection and returns everything read until the
// server closes it (or 3 s pass).
std::string Exchange(int port, const std::string& request) {
  return footfall::testing::HttpExchange(port, request);
}

TEST(MetricsServerTest, KeepAliveRequestsAndOversizedHeadersRefused) {
  boost::asio::io_context io;
  int scrapes = 0;
  ListenAddress where;
  where.address = "127.0.0.1";
  where.port = static_cast<std::uint16_t>(testing::FreeTcpPort());
  where.loopback = true;
  auto server = std::make_unique<MetricsServer>(io, where, [&] {
    ++scrapes;
    return "footfall_x " + std::to_string(scrapes) + "\n";
  });
  std::thread loop([&] { io.run_for(std::chrono::seconds(8)); });

  // Two requests on one connection, answered in turn.
  const std::string two = Exchange(where.port,
                                   "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"
                                   "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_NE(two.find("footfall_x 1\n"), std::string::npos) << two;
  EXPECT_NE(two.find("footfall_x 2\n"), std::string::npos) << two;

  // Headers over 8 KiB: no answer with metrics, the connection is closed.
  const std::string big =
      Exchange(where.port, "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Pad: " + std::string(10000, 'a') +
                               "\r\n\r\n");
  EXPECT_EQ(big.find("200 OK"), std::string::npos) << big.substr(0, 200);
  EXPECT_EQ(scrapes, 2);

  // Destroying the server closes the listener.
  boost::asio::post(io, [&] { server.reset(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_FALSE(testing::WaitForPort(where.port, std::chrono::milliseconds(300)));
  io.stop();
  loop.join();
}

}  // namespace
}  // namespace footfall::daemon
