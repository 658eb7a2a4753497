// Purpose: the shipped systemd unit, checked with systemd's own tools:
// `systemd-analyze security --offline=yes` must rate it 2.0 or better and
// `systemd-analyze verify` must have nothing to say, and its sandbox must
// still allow what footfalld needs (AF_PACKET and CAP_NET_RAW for libpcap,
// mlock for the keys, the state directory, notify and reload).
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "support/test_support.h"

namespace footfall::testing {
namespace {

std::string UnitPath() { return SourceDir() + "/systemd/footfalld.service"; }

// Key -> every value it is given in the unit (comments and sections dropped).
std::map<std::string, std::vector<std::string>> ReadUnit(const std::string& path) {
  std::map<std::string, std::vector<std::string>> out;
  std::istringstream in(ReadFile(path));
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#' || line[0] == ';' || line[0] == '[') continue;
    const auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    out[line.substr(0, eq)].push_back(line.substr(eq + 1));
  }
  return out;
}

std::set<std::string> Words(const std::vector<std::string>& values) {
  std::set<std::string> out;
  for (const auto& v : values) {
    std::istringstream in(v);
    for (std::string w; in >> w;) out.insert(w);
  }
  return out;
}

// Adds the system calls of `name` (a call, or a @group as systemd defines it,
// nested groups included) to `out`.
void Expand(const std::string& name, std::set<std::string>& out) {
  if (name[0] != '@') {
    out.insert(name);
    return;
  }
  std::string text;
  ASSERT_EQ(RunCommand({"systemd-analyze", "syscall-filter", "--no-pager", name}, &text), 0)
      << name;
  std::istringstream lines(text);
  std::getline(lines, text);  // the group's own name
  for (std::string l; std::getline(lines, l);) {
    const auto w = l.find_first_not_of(' ');
    if (w == std::string::npos || l[w] == '#') continue;
    Expand(l.substr(w), out);
  }
}

TEST(UnitFileTest, SecurityExposureIsAtMostTwo) {
  std::string out;
  ASSERT_EQ(
      RunCommand({"systemd-analyze", "security", "--offline=yes", "--no-pager", UnitPath()}, &out),
      0)
      << out;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(out, m,
                                std::regex("Overall exposure level for footfalld\\.service: "
                                           "([0-9]+\\.[0-9]+)")))
      << out;
  const double score = std::stod(m[1]);
  EXPECT_LE(score, 2.0) << out;
  EXPECT_GE(score, 0.0);
}

TEST(UnitFileTest, VerifyIsClean) {
  // verify checks that ExecStart= exists: point it at the built binary.
  TempDir dir;
  std::string unit = ReadFile(UnitPath());
  const std::string shipped = "ExecStart=/usr/sbin/footfalld ";
  const auto at = unit.find(shipped);
  ASSERT_NE(at, std::string::npos);
  unit.replace(at, shipped.size(), "ExecStart=" + FootfalldPath() + " ");
  WriteFile(dir.File("footfalld.service"), unit);
  std::string out;
  const int rc = RunCommand({"systemd-analyze", "verify", dir.File("footfalld.service")}, &out);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_EQ(out, "") << "systemd-analyze verify has remarks";
}

TEST(UnitFileTest, SandboxKeepsWhatFootfalldNeeds) {
  auto u = ReadUnit(UnitPath());
  EXPECT_EQ(u["Type"], std::vector<std::string>{"notify"});
  EXPECT_EQ(u["ExecReload"], std::vector<std::string>{"/bin/kill -HUP $MAINPID"});
  EXPECT_EQ(u["ExecStart"],
            std::vector<std::string>{"/usr/sbin/footfalld --config /etc/footfall/footfall.toml"});
  ASSERT_EQ(u["WatchdogSec"].size(), 1u);
  EXPECT_GE(std::stoi(u["WatchdogSec"][0]), 10) << "footfalld pings from its 1 s tick";
  // Longer than the default [mqtt] drain_timeout_s (30 s) so the last window
  // is acknowledged before systemd kills the process.
  ASSERT_EQ(u["TimeoutStopSec"].size(), 1u);
  EXPECT_GT(std::stoi(u["TimeoutStopSec"][0]), 30);

  // libpcap: a packet socket, with CAP_NET_RAW granted and not bounded away;
  // sd_notify and the journal: AF_UNIX; the broker: AF_INET/AF_INET6.
  const auto families = Words(u["RestrictAddressFamilies"]);
  for (const char* f : {"AF_PACKET", "AF_UNIX", "AF_INET", "AF_INET6"}) {
    EXPECT_EQ(families.count(f), 1u) << f;
  }
  EXPECT_EQ(Words(u["AmbientCapabilities"]).count("CAP_NET_RAW"), 1u);
  EXPECT_EQ(Words(u["CapabilityBoundingSet"]).count("CAP_NET_RAW"), 1u);
  // A user namespace would leave CAP_NET_RAW powerless in the host's network.
  EXPECT_TRUE(u["PrivateUsers"].empty() || u["PrivateUsers"] == std::vector<std::string>{"no"});
  EXPECT_TRUE(u["PrivateNetwork"].empty() || u["PrivateNetwork"] == std::vector<std::string>{"no"});

  // sodium_malloc locks the key pages: mlock must pass the syscall filter
  // and the limit must leave room for them.
  ASSERT_EQ(u["LimitMEMLOCK"].size(), 1u);
  EXPECT_EQ(u["LimitMEMLOCK"][0], "8M");
  std::set<std::string> allowed;
  std::set<std::string> denied;
  for (const auto& v : u["SystemCallFilter"]) {
    const bool deny = v[0] == '~';
    std::istringstream groups(deny ? v.substr(1) : v);
    for (std::string g; groups >> g;) Expand(g, deny ? denied : allowed);
  }
  for (const char* call : {"mlock", "munlock", "madvise", "mprotect", "socket", "setsockopt",
                           "bind", "recvfrom", "sendmsg", "getrandom", "prctl", "capset",
                           "prlimit64", "epoll_wait", "timerfd_settime", "rt_sigprocmask"}) {
    EXPECT_TRUE(allowed.count(call) == 1 && denied.count(call) == 0) << call << " is filtered";
  }
  EXPECT_EQ(u["MemoryDenyWriteExecute"], std::vector<std::string>{"yes"});

  // The state directory systemd creates is the one the shipped config uses,
  // the only place ProtectSystem=strict leaves writable.
  EXPECT_EQ(u["ProtectSystem"], std::vector<std::string>{"strict"});
  EXPECT_EQ(u["StateDirectory"], std::vector<std::string>{"footfall"});
  const std::string config = ReadFile(SourceDir() + "/config/footfall.toml");
  EXPECT_NE(config.find("\ndir = \"/var/lib/footfall\"\n"), std::string::npos);
  EXPECT_EQ(u["UMask"], std::vector<std::string>{"0077"});
  EXPECT_EQ(u["LimitCORE"], std::vector<std::string>{"0"});
  EXPECT_EQ(u["NoNewPrivileges"], std::vector<std::string>{"yes"});

  // The user exists because the sysusers file creates it.
  EXPECT_EQ(u["User"], std::vector<std::string>{"footfall"});
  EXPECT_NE(ReadFile(SourceDir() + "/systemd/footfall.sysusers").find("u footfall "),
            std::string::npos);
}

// Issue 15: the pseudonym state outside the locked key pages (pseudonyms,
// sequence numbers, signal, times) must never be written to swap, where it
// would outlive its expiry.
TEST(UnitFileTest, PseudonymStateIsNeverSwapped) {
  auto u = ReadUnit(UnitPath());
  EXPECT_EQ(u["MemorySwapMax"], std::vector<std::string>{"0"});
}

}  // namespace
}  // namespace footfall::testing
