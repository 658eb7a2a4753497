// Purpose: tests of SystemdNotifier's keep-alive cadence with time driven by
// the test, received on a real unix datagram socket given in $NOTIFY_SOCKET.
#include "daemon/systemd_notify.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "support/datagram_sink.h"
#include "support/test_support.h"

namespace footfall::daemon {
namespace {

using std::chrono::milliseconds;

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
  testing::DatagramSink sock(dir_.File("notify"));
  setenv("WATCHDOG_USEC", "2000000", 1);
  setenv("WATCHDOG_PID", std::to_string(getpid()).c_str(), 1);
  SystemdNotifier n;
  ASSERT_TRUE(n.watchdog_interval());
  EXPECT_EQ(*n.watchdog_interval(), std::chrono::microseconds(1000000));

  const SystemdNotifier::Clock::time_point t0{std::chrono::seconds(500)};
  n.WatchdogIfDue(t0);
  EXPECT_EQ(sock.TakeNew(), std::vector<std::string>{"WATCHDOG=1"});
  n.WatchdogIfDue(t0 + milliseconds(500));
  n.WatchdogIfDue(t0 + milliseconds(999));
  EXPECT_TRUE(sock.TakeNew().empty());
  n.WatchdogIfDue(t0 + milliseconds(1000));
  EXPECT_EQ(sock.TakeNew(), std::vector<std::string>{"WATCHDOG=1"});
  n.WatchdogIfDue(t0 + milliseconds(1999));
  EXPECT_TRUE(sock.TakeNew().empty());
  n.WatchdogIfDue(t0 + milliseconds(2500));
  EXPECT_EQ(sock.TakeNew().size(), 1u);
}

TEST_F(SystemdNotifierTest, NoKeepAliveForAnotherProcessOrWithoutWatchdog) {
  testing::DatagramSink sock(dir_.File("notify"));
  setenv("WATCHDOG_USEC", "2000000", 1);
  setenv("WATCHDOG_PID", "1", 1);
  SystemdNotifier other;
  EXPECT_FALSE(other.watchdog_interval());
  other.WatchdogIfDue(SystemdNotifier::Clock::now());
  unsetenv("WATCHDOG_USEC");
  unsetenv("WATCHDOG_PID");
  SystemdNotifier none;
  none.WatchdogIfDue(SystemdNotifier::Clock::now());
  EXPECT_TRUE(sock.TakeNew().empty());
}

TEST_F(SystemdNotifierTest, MessagesOfTheProtocol) {
  testing::DatagramSink sock(dir_.File("notify"));
  SystemdNotifier n;
  n.Ready("pcap:mon0 capturing");
  n.Status("s");
  n.Reloading();
  n.Stopping("stopping: SIGTERM");
  const auto m = sock.TakeNew();
  ASSERT_EQ(m.size(), 4u);
  EXPECT_EQ(m[0], "READY=1\nSTATUS=pcap:mon0 capturing");
  EXPECT_EQ(m[1], "STATUS=s");
  EXPECT_EQ(m[2].rfind("RELOADING=1\nMONOTONIC_USEC=", 0), 0u) << m[2];
  EXPECT_EQ(m[3], "STOPPING=1\nSTATUS=stopping: SIGTERM");
}

}  // namespace
}  // namespace footfall::daemon
