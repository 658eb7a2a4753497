// Purpose: tests of who may read the metrics (issue 15, point 5): over TCP a
// request without the bearer token, or with a wrong one, gets 401 and no
// figure; with it, the metrics; a Unix-socket endpoint is created mode 0600
// and answers there; "unix:/PATH" listen addresses; and the secret reader
// that takes the token (or the MQTT password) from a systemd credential or
// from a file nobody else may read. Real sockets, a real io_context.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <cstring>
#include <thread>

#include "daemon/listen_address.h"
#include "daemon/metrics_server.h"
#include "daemon/secret_file.h"
#include "support/test_support.h"

namespace footfall::daemon {
namespace {

using footfall::testing::TempDir;
using footfall::testing::WriteFile;

// Sends `request` on a fresh connection (TCP port, or Unix socket path) and
// returns everything read until the server closes it.
std::string Exchange(int port, const std::string& unix_path, const std::string& request) {
  return footfall::testing::HttpExchange(port, request, unix_path);
}

std::string Get(const std::string& auth_header) {
  return "GET /metrics HTTP/1.1\r\nHost: x\r\n" + auth_header + "Connection: close\r\n\r\n";
}

TEST(MetricsAccessTest, ATcpEndpointWithATokenAnswersOnlyWithIt) {
  boost::asio::io_context io;
  ListenAddress where;
  where.address = "127.0.0.1";
  where.port = static_cast<std::uint16_t>(testing::FreeTcpPort());
  where.loopback = true;
  int scrapes = 0;
  auto server = std::make_unique<MetricsServer>(
      io, where,
      [&] {
        ++scrapes;
        return std::string("footfall_visitors 7\n");
      },
      "s3cret-token-0123456789");
  std::thread loop([&] { io.run_for(std::chrono::seconds(8)); });

  for (const std::string& bad :
       {std::string(), std::string("Authorization: Bearer wrong-token-0123456789\r\n"),
        std::string("Authorization: Bearer s3cret-token-012345678\r\n"),  // one short
        std::string("Authorization: Basic s3cret-token-0123456789\r\n"),
        std::string("Authorization: Bearer s3cret-token-0123456789x\r\n")}) {
    const std::string r = Exchange(where.port, "", Get(bad));
    EXPECT_EQ(r.rfind("HTTP/1.1 401 ", 0), 0u) << bad << r;
    EXPECT_NE(r.find("WWW-Authenticate: Bearer"), std::string::npos) << r;
    EXPECT_EQ(r.find("footfall_visitors"), std::string::npos) << r;
  }
  // Not even which paths exist.
  EXPECT_EQ(Exchange(where.port, "", "GET /nope HTTP/1.1\r\nConnection: close\r\n\r\n")
                .rfind("HTTP/1.1 401 ", 0),
            0u);
  EXPECT_EQ(scrapes, 0);
  const std::string ok =
      Exchange(where.port, "", Get("Authorization: Bearer s3cret-token-0123456789\r\n"));
  EXPECT_EQ(ok.rfind("HTTP/1.1 200 ", 0), 0u) << ok;
  EXPECT_NE(ok.find("footfall_visitors 7\n"), std::string::npos) << ok;
  EXPECT_EQ(scrapes, 1);

  boost::asio::post(io, [&] { server.reset(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  io.stop();
  loop.join();
}

TEST(MetricsAccessTest, AUnixSocketEndpointIsMode0600AndRemovedAtTheEnd) {
  TempDir dir;
  auto where = ParseListenAddress("unix:" + dir.File("metrics.sock"));
  ASSERT_TRUE(where) << where.error();
  // A stale socket of an earlier run is replaced.
  {
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, where->unix_path.c_str(), sizeof addr.sun_path - 1);
    ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    close(fd);
  }
  boost::asio::io_context io;
  auto server =
      std::make_unique<MetricsServer>(io, *where, [] { return std::string("footfall_x 1\n"); });
  struct stat st {};
  ASSERT_EQ(stat(where->unix_path.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::thread loop([&] { io.run_for(std::chrono::seconds(8)); });
  const std::string ok = Exchange(0, where->unix_path, Get(""));
  EXPECT_EQ(ok.rfind("HTTP/1.1 200 ", 0), 0u) << ok;
  EXPECT_NE(ok.find("footfall_x 1\n"), std::string::npos);
  boost::asio::post(io, [&] { server.reset(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  io.stop();
  loop.join();
  EXPECT_NE(stat(where->unix_path.c_str(), &st), 0) << "the socket file is left behind";

  // Something else at the path is not replaced.
  WriteFile(dir.File("file"), "x");
  auto at_file = ParseListenAddress("unix:" + dir.File("file"));
  ASSERT_TRUE(at_file);
  boost::asio::io_context io2;
  EXPECT_THROW(MetricsServer(io2, *at_file, [] { return std::string(); }), std::system_error);
}

TEST(MetricsAccessTest, UnixListenAddresses) {
  auto a = ParseListenAddress("unix:/run/footfall/metrics.sock");
  ASSERT_TRUE(a) << a.error();
  EXPECT_EQ(a->unix_path, "/run/footfall/metrics.sock");
  EXPECT_TRUE(a->loopback);
  EXPECT_EQ(a->ToString(), "unix:/run/footfall/metrics.sock");
  auto relative = ParseListenAddress("unix:relative.sock");
  ASSERT_FALSE(relative);
  EXPECT_NE(relative.error().find("absolute"), std::string::npos);
  EXPECT_FALSE(ParseListenAddress("unix:"));
  EXPECT_FALSE(ParseListenAddress("unix:/" + std::string(200, 'a')));
}

TEST(SecretFileTest, ACredentialWinsThenAFileOnlyItsOwnerMayRead) {
  TempDir dir;
  const std::string file = dir.File("token");
  WriteFile(file, "from-the-file\nsecond line\n");
  chmod(file.c_str(), 0600);
  auto s = ReadSecret("metrics-token", file, nullptr);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->value, "from-the-file");
  EXPECT_EQ(s->source, "file " + file);
  EXPECT_TRUE(CheckSecretFile(file).ok());

  // A credential directory with the credential: it wins.
  const std::string creds = dir.File("creds");
  ASSERT_EQ(mkdir(creds.c_str(), 0700), 0);
  WriteFile(creds + "/metrics-token", "from-systemd\r\n");
  s = ReadSecret("metrics-token", file, creds.c_str());
  ASSERT_TRUE(s);
  EXPECT_EQ(s->value, "from-systemd");
  EXPECT_EQ(s->source, "systemd credential metrics-token");
  // ... without it, the file.
  s = ReadSecret("mqtt-password", file, creds.c_str());
  ASSERT_TRUE(s);
  EXPECT_EQ(s->value, "from-the-file");
  EXPECT_FALSE(ReadSecret("mqtt-password", "", creds.c_str()));

  // Readable (or writable) by group or others: refused, saying why.
  for (mode_t mode : {0640, 0604, 0620, 0644}) {
    chmod(file.c_str(), mode);
    try {
      ReadSecret("metrics-token", file, nullptr);
      ADD_FAILURE() << std::oct << mode << " accepted";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find("lets other users read or change it"), std::string::npos)
          << e.what();
    }
    EXPECT_FALSE(CheckSecretFile(file).ok());
  }
  chmod(file.c_str(), 0600);
  WriteFile(file, "\n");
  chmod(file.c_str(), 0600);
  EXPECT_THROW(ReadSecret("metrics-token", file, nullptr), std::runtime_error);  // empty
  EXPECT_THROW(ReadSecret("metrics-token", dir.File("none"), nullptr), std::runtime_error);
}

}  // namespace
}  // namespace footfall::daemon
