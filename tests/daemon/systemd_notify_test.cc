// Purpose: tests of SystemdNotifier's keep-alive cadence with time driven by
// the test, received on a real unix datagram socket given in $NOTIFY_SOCKET.
#include "daemon/systemd_notify.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

#include "support/test_support.h"

namespace footfall::daemon {
namespace {

using std::chrono::milliseconds;

class NotifySocket final {
 public:
  explicit NotifySocket(const std::string& path) : path_(path) {
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  }
  ~NotifySocket() {
    close(fd_);
    unlink(path_.c_str());
  }
  // Every datagram already sent (sd_notify's send completes before it returns).
  std::vector<std::string> Drain() {
    std::vector<std::string> out;
    char buf[4096];
    pollfd p{fd_, POLLIN, 0};
    while (poll(&p, 1, 0) > 0) {
      const ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) break;
      out.emplace_back(buf, static_cast<size_t>(n));
    }
    return out;
  }

 private:
  std::string path_;
  int fd_;
};

class SystemdNotifierTest : public ::testing::Test {
 protected:
  void SetUp() override { setenv("NOTIFY_SOCKET", dir_.File("notify").c_str(), 1); }
  void TearDown() override {
    unsetenv("NOTIFY_SOCKET");
    unsetenv("WATCHDOG_USEC");
    unsetenv("WATCHDOG_PID");
  }
  testing::TempDir dir_;
};

TEST_F(SystemdNotifierTest, KeepAliveAtHalfTheWatchdogTimeout) {
  NotifySocket sock(dir_.File("notify"));
  setenv("WATCHDOG_USEC", "2000000", 1);
  setenv("WATCHDOG_PID", std::to_string(getpid()).c_str(), 1);
  SystemdNotifier n;
  ASSERT_TRUE(n.watchdog_interval());
  EXPECT_EQ(*n.watchdog_interval(), std::chrono::microseconds(1000000));

  const SystemdNotifier::Clock::time_point t0{std::chrono::seconds(500)};
  n.WatchdogIfDue(t0);
  EXPECT_EQ(sock.Drain(), std::vector<std::string>{"WATCHDOG=1"});
  n.WatchdogIfDue(t0 + milliseconds(500));
  n.WatchdogIfDue(t0 + milliseconds(999));
  EXPECT_TRUE(sock.Drain().empty());
  n.WatchdogIfDue(t0 + milliseconds(1000));
  EXPECT_EQ(sock.Drain(), std::vector<std::string>{"WATCHDOG=1"});
  n.WatchdogIfDue(t0 + milliseconds(1999));
  EXPECT_TRUE(sock.Drain().empty());
  n.WatchdogIfDue(t0 + milliseconds(2500));
  EXPECT_EQ(sock.Drain().size(), 1u);
}

TEST_F(SystemdNotifierTest, NoKeepAliveForAnotherProcessOrWithoutWatchdog) {
  NotifySocket sock(dir_.File("notify"));
  setenv("WATCHDOG_USEC", "2000000", 1);
  setenv("WATCHDOG_PID", "1", 1);
  SystemdNotifier other;
  EXPECT_FALSE(other.watchdog_interval());
  other.WatchdogIfDue(SystemdNotifier::Clock::now());
  unsetenv("WATCHDOG_USEC");
  unsetenv("WATCHDOG_PID");
  SystemdNotifier none;
  none.WatchdogIfDue(SystemdNotifier::Clock::now());
  EXPECT_TRUE(sock.Drain().empty());
}

TEST_F(SystemdNotifierTest, MessagesOfTheProtocol) {
  NotifySocket sock(dir_.File("notify"));
  SystemdNotifier n;
  n.Ready("pcap:mon0 capturing");
  n.Status("s");
  n.Reloading();
  n.Stopping("stopping: SIGTERM");
  const auto m = sock.Drain();
  ASSERT_EQ(m.size(), 4u);
  EXPECT_EQ(m[0], "READY=1\nSTATUS=pcap:mon0 capturing");
  EXPECT_EQ(m[1], "STATUS=s");
  EXPECT_EQ(m[2].rfind("RELOADING=1\nMONOTONIC_USEC=", 0), 0u) << m[2];
  EXPECT_EQ(m[3], "STOPPING=1\nSTATUS=stopping: SIGTERM");
}

}  // namespace
}  // namespace footfall::daemon
