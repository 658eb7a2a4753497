// Purpose: tests of daemon/privileges.h. Each drop happens in a forked child
// (it cannot be undone), which reports what /proc/self/status, capget and
// the file system say afterwards through a pipe; the parent asserts. Needs
// root, as CI runs: without it the test fails with a message rather than
// skipping, since least privilege would then be unproven.
#include "daemon/privileges.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/capability.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <thread>

#include "support/test_support.h"

namespace footfall::daemon {
namespace {

using footfall::testing::TempDir;
using footfall::testing::WriteFile;

// Runs `body` in a child; returns what it wrote (key=value lines) as a map.
std::map<std::string, std::string> InChild(const std::function<std::string()>& body) {
  int fds[2];
  EXPECT_EQ(pipe(fds), 0);
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    std::string out;
    try {
      out = body();
    } catch (const std::exception& e) {
      out = std::string("exception=") + e.what() + "\n";
    }
    const ssize_t w = write(fds[1], out.data(), out.size());
    _exit(w == static_cast<ssize_t>(out.size()) ? 0 : 1);
  }
  close(fds[1]);
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0) text.append(buf, static_cast<std::size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_EQ(footfall::testing::ExitCode(status), 0);
  std::map<std::string, std::string> m;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    const auto eq = line.find('=');
    if (eq != std::string::npos) m[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return m;
}

// The named lines of /proc/self/status, e.g. "Uid" -> "65534\t65534\t65534\t65534".
std::string ProcStatus() {
  const auto fields = footfall::testing::ProcStatusFields("/proc/self/status");
  std::string out;
  for (const char* key :
       {"Uid", "Gid", "Groups", "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", "NoNewPrivs"}) {
    const auto it = fields.find(key);
    if (it != fields.end()) out += std::string(key) + "=" + it->second + "\n";
  }
  return out;
}

uid_t NobodyUid() {
  const passwd* pw = getpwnam("nobody");
  return pw != nullptr ? pw->pw_uid : 0;
}

constexpr const char* kNetRawOnly = "0000000000002000";  // bit 13, CAP_NET_RAW

class PrivilegesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(geteuid(), 0u) << "these tests need root (CI runs as root): least privilege "
                                "cannot be proven otherwise";
    ASSERT_NE(NobodyUid(), 0u) << "the system has no user 'nobody'";
  }
};

TEST_F(PrivilegesTest, RootDropsToTheUserWithNothingLeft) {
  TempDir dir;
  ASSERT_EQ(chmod(dir.path().c_str(), 0711), 0);  // nobody may reach the state below it
  const std::string state = dir.File("state");
  ASSERT_EQ(mkdir(state.c_str(), 0700), 0);
  ASSERT_EQ(mkdir((state + "/sub").c_str(), 0700), 0);
  WriteFile(state + "/seq", "41\n");
  WriteFile(state + "/sub/journal", "x");
  WriteFile(dir.File("seed"), "s");
  // A hard link to a root file inside the state directory must not be handed over.
  WriteFile(dir.File("precious"), "root's");
  ASSERT_EQ(link(dir.File("precious").c_str(), (state + "/linked").c_str()), 0);

  auto r = InChild([&] {
    PrivilegeRequest req;
    req.user = "nobody";
    req.state_dir = state;
    req.extra_files = {dir.File("seed")};
    const PrivilegeOutcome o = DropPrivileges(req);
    std::string out = ProcStatus();
    out += "warning=" + o.warning + "\n";
    out += "dumpable=" + std::to_string(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0)) + "\n";
    out += std::string("setuid0=") + (setuid(0) == 0 ? "succeeded" : "failed") + "\n";
    // The state stays usable for the new user.
    const int fd = open((state + "/seq").c_str(), O_WRONLY | O_TRUNC);
    out += std::string("state_writable=") + (fd >= 0 ? "yes" : "no") + "\n";
    if (fd >= 0) close(fd);
    return out;
  });
  ASSERT_EQ(r.count("exception"), 0u) << r["exception"];
  const std::string nobody = std::to_string(NobodyUid());
  EXPECT_EQ(r["Uid"], nobody + "\t" + nobody + "\t" + nobody + "\t" + nobody);
  const std::string nogroup = std::to_string(getpwnam("nobody")->pw_gid);
  EXPECT_EQ(r["Gid"], nogroup + "\t" + nogroup + "\t" + nogroup + "\t" + nogroup);
  EXPECT_EQ(r["Groups"], nogroup) << "supplementary groups kept";
  footfall::testing::ExpectNoCapabilities(r);
  EXPECT_EQ(r["dumpable"], "0");
  EXPECT_EQ(r["setuid0"], "failed");
  EXPECT_EQ(r["state_writable"], "yes");
  EXPECT_EQ(r["warning"], "");

  struct stat st {};
  for (const std::string& p :
       {state, state + "/seq", state + "/sub", state + "/sub/journal", dir.File("seed")}) {
    ASSERT_EQ(lstat(p.c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, NobodyUid()) << "not handed over: " << p;
  }
  ASSERT_EQ(lstat(dir.File("precious").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 0u) << "a hard-linked file was handed over";
}

TEST_F(PrivilegesTest, RefusesOnceAThreadExists) {
  auto r = InChild([] {
    std::thread t([] { pause(); });
    t.detach();
    PrivilegeRequest req;
    req.user = "nobody";
    DropPrivileges(req);
    return std::string("dropped=yes\n");
  });
  EXPECT_NE(r["exception"].find("before any thread starts"), std::string::npos) << r["exception"];
}

TEST_F(PrivilegesTest, UnknownUserIsAStartupError) {
  auto r = InChild([] {
    PrivilegeRequest req;
    req.user = "footfall-no-such-user";
    DropPrivileges(req);
    return std::string("dropped=yes\n");
  });
  EXPECT_NE(r["exception"].find("no user \"footfall-no-such-user\""), std::string::npos)
      << r["exception"];
}

TEST_F(PrivilegesTest, RootWithoutAUserChangesNothingAndWarns) {
  auto r = InChild([] {
    const PrivilegeOutcome o = DropPrivileges({});
    return ProcStatus() + "warning=" + o.warning + "\n";
  });
  EXPECT_EQ(r["Uid"], "0\t0\t0\t0");
  EXPECT_NE(r["warning"].find("set [process] user"), std::string::npos);
}

// Becomes nobody while keeping the given capabilities (as systemd's
// AmbientCapabilities= would start the daemon), then drops.
std::map<std::string, std::string> AsNobodyWith(std::uint64_t caps) {
  const uid_t nobody = NobodyUid();
  return InChild([caps, nobody] {
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) return std::string("exception=keepcaps\n");
    if (setresgid(nobody, nobody, nobody) != 0 || setresuid(nobody, nobody, nobody) != 0) {
      return std::string("exception=setresuid\n");
    }
    __user_cap_header_struct h{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct d[2]{};
    d[0].effective = d[0].permitted = d[0].inheritable = static_cast<std::uint32_t>(caps);
    if (syscall(SYS_capset, &h, d) != 0) return std::string("exception=capset\n");
    std::string before = ProcStatus();
    const PrivilegeOutcome o = DropPrivileges({});
    return "before_eff=" + before.substr(before.find("CapEff=") + 7, 16) + "\n" + ProcStatus() +
           "warning=" + o.warning + "\n";
  });
}

TEST_F(PrivilegesTest, NonRootKeepsOnlyNetRawAndTrimsTheBoundingSetWhenItMay) {
  const std::uint64_t caps = (1u << CAP_NET_RAW) | (1u << CAP_NET_ADMIN) | (1u << CAP_SYS_ADMIN) |
                             (1u << CAP_DAC_OVERRIDE) | (1u << CAP_SETPCAP);
  auto r = AsNobodyWith(caps);
  ASSERT_EQ(r.count("exception"), 0u) << r["exception"];
  EXPECT_EQ(r["before_eff"], "0000000000203102") << "the child did not start with those caps";
  EXPECT_EQ(r["CapEff"], kNetRawOnly);
  EXPECT_EQ(r["CapPrm"], kNetRawOnly);
  EXPECT_EQ(r["CapInh"], "0000000000000000");
  EXPECT_EQ(r["CapAmb"], "0000000000000000");
  EXPECT_EQ(r["CapBnd"], kNetRawOnly);
  EXPECT_EQ(r["NoNewPrivs"], "1");
  EXPECT_EQ(r["warning"], "");
}

TEST_F(PrivilegesTest, NonRootWithoutSetpcapStillKeepsOnlyNetRaw) {
  auto r = AsNobodyWith((1u << CAP_NET_RAW) | (1u << CAP_NET_ADMIN));
  ASSERT_EQ(r.count("exception"), 0u) << r["exception"];
  EXPECT_EQ(r["CapEff"], kNetRawOnly);
  EXPECT_EQ(r["CapPrm"], kNetRawOnly);
  EXPECT_EQ(r["NoNewPrivs"], "1");
  EXPECT_NE(r["warning"].find("bounding set"), std::string::npos);
}

TEST_F(PrivilegesTest, NonRootWithoutNetRawKeepsNothing) {
  auto r = AsNobodyWith(1u << CAP_NET_ADMIN);
  ASSERT_EQ(r.count("exception"), 0u) << r["exception"];
  EXPECT_EQ(r["CapEff"], "0000000000000000");
  EXPECT_EQ(r["CapPrm"], "0000000000000000");
}

}  // namespace
}  // namespace footfall::daemon
