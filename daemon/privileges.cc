// Purpose: dropping privileges (see privileges.h) with the raw capget/capset
// system calls and prctl, so no extra library is needed; every step is
// checked, and the result is verified (capget, getresuid, a setuid(0) that
// must fail) before the daemon goes on.
#include "daemon/privileges.h"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace footfall::daemon {
namespace {

constexpr std::uint64_t Bit(int cap) { return std::uint64_t{1} << cap; }

[[noreturn]] void Fail(const std::string& what) {
  throw std::runtime_error("dropping privileges: " + what + ": " + std::strerror(errno));
}

void SetCapabilities(const CapabilitySets& s) {
  __user_cap_header_struct header{};
  header.version = _LINUX_CAPABILITY_VERSION_3;
  header.pid = 0;
  __user_cap_data_struct data[2]{};
  for (int i = 0; i < 2; ++i) {
    data[i].effective = static_cast<std::uint32_t>(s.effective >> (32 * i));
    data[i].permitted = static_cast<std::uint32_t>(s.permitted >> (32 * i));
    data[i].inheritable = static_cast<std::uint32_t>(s.inheritable >> (32 * i));
  }
  if (syscall(SYS_capset, &header, data) != 0) Fail("capset");
}

int LastCapability() {
  std::ifstream in("/proc/sys/kernel/cap_last_cap");
  int last = -1;
  if (in >> last && last >= 0 && last < 64) return last;
  return CAP_LAST_CAP;
}

// Drops every capability but those in `keep` from the bounding set.
void TrimBoundingSet(std::uint64_t keep) {
  const int last = LastCapability();
  for (int cap = 0; cap <= last; ++cap) {
    if ((keep & Bit(cap)) != 0) continue;
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL) {
      Fail("PR_CAPBSET_DROP " + std::to_string(cap));
    }
  }
}

void ClearAmbient() {
  // EINVAL: a kernel without ambient capabilities, which then has none.
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) {
    Fail("PR_CAP_AMBIENT_CLEAR_ALL");
  }
}

void NoNewPrivsAndNoDumps() {
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) Fail("PR_SET_NO_NEW_PRIVS");
  // A uid change resets "dumpable" to fs.suid_dumpable: set it again.
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) Fail("PR_SET_DUMPABLE");
}

// Hands `fd` (a directory) and what is below it to uid:gid, without following
// symbolic links and without touching files with several hard links.
void ChownTree(int fd, uid_t uid, gid_t gid, int depth) {
  if (fchown(fd, uid, gid) != 0) Fail("chown of the state directory");
  if (depth > 8) return;
  const int list_fd = dup(fd);
  if (list_fd < 0) Fail("dup");
  DIR* dir = fdopendir(list_fd);
  if (dir == nullptr) {
    close(list_fd);
    Fail("opendir");
  }
  while (dirent* e = readdir(dir)) {
    const std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    struct stat st {};
    if (fstatat(fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      const int sub = openat(fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (sub < 0) continue;
      ChownTree(sub, uid, gid, depth + 1);
      close(sub);
    } else if (S_ISREG(st.st_mode) && st.st_nlink == 1 && st.st_uid != uid) {
      if (fchownat(fd, name.c_str(), uid, gid, AT_SYMLINK_NOFOLLOW) != 0) {
        closedir(dir);
        Fail("chown of " + name + " in the state directory");
      }
    }
  }
  closedir(dir);
}

void HandOver(const PrivilegeRequest& r, uid_t uid, gid_t gid) {
  if (!r.state_dir.empty()) {
    const int fd = open(r.state_dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) Fail("cannot open the state directory " + r.state_dir);
    try {
      ChownTree(fd, uid, gid, 0);
    } catch (...) {
      close(fd);
      throw;
    }
    close(fd);
  }
  for (const std::string& file : r.extra_files) {
    struct stat st {};
    if (lstat(file.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1) continue;
    if (lchown(file.c_str(), uid, gid) != 0) Fail("chown of " + file);
  }
}

// The calling thread's bounding set.
std::uint64_t BoundingSet() {
  std::uint64_t set = 0;
  const int last = LastCapability();
  for (int cap = 0; cap <= last; ++cap) {
    if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1) set |= Bit(cap);
  }
  return set;
}

void RequireSingleThread() {
  const int n = ThreadCount();
  if (n != 1) {
    errno = 0;
    throw std::runtime_error("dropping privileges: the process already has " + std::to_string(n) +
                             " threads; privileges must be dropped before any thread starts");
  }
}

PrivilegeOutcome DropRootToUser(const PrivilegeRequest& r) {
  passwd pw{};
  passwd* found = nullptr;
  char buf[4096];
  errno = 0;
  if (getpwnam_r(r.user.c_str(), &pw, buf, sizeof buf, &found) != 0 || found == nullptr) {
    throw std::runtime_error("process.user: no user \"" + r.user + "\" on this system");
  }
  const uid_t uid = pw.pw_uid;
  const gid_t gid = pw.pw_gid;
  if (uid == 0) throw std::runtime_error("process.user: \"" + r.user + "\" has uid 0");
  RequireSingleThread();
  HandOver(r, uid, gid);

  if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0) Fail("PR_SET_KEEPCAPS");
  TrimBoundingSet(0);  // needs CAP_SETPCAP: before the uid change
  ClearAmbient();
  if (setgroups(1, &gid) != 0) Fail("setgroups");
  if (setresgid(gid, gid, gid) != 0) Fail("setresgid");
  if (setresuid(uid, uid, uid) != 0) Fail("setresuid");
  SetCapabilities({});
  NoNewPrivsAndNoDumps();

  // Verify: nothing left, and no way back.
  const CapabilitySets now = CurrentCapabilities();
  uid_t ru = 0, eu = 0, su = 0;
  gid_t rg = 0, eg = 0, sg = 0;
  if (getresuid(&ru, &eu, &su) != 0 || getresgid(&rg, &eg, &sg) != 0) Fail("getresuid");
  errno = EPERM;
  if (now.effective != 0 || now.permitted != 0 || now.inheritable != 0 || ru != uid || eu != uid ||
      su != uid || rg != gid || eg != gid || sg != gid) {
    Fail("the process still holds privileges after the switch");
  }
  if (setuid(0) == 0) {
    errno = EPERM;
    Fail("setuid(0) still succeeds");
  }
  PrivilegeOutcome out;
  out.summary = "running as user " + r.user + " (uid " + std::to_string(uid) + ", gid " +
                std::to_string(gid) + ") with no capabilities and no_new_privs";
  return out;
}

PrivilegeOutcome KeepOnlyNetRaw(const PrivilegeRequest& r) {
  PrivilegeOutcome out;
  if (!r.user.empty()) {
    passwd pw{};
    passwd* found = nullptr;
    char buf[4096];
    if (getpwnam_r(r.user.c_str(), &pw, buf, sizeof buf, &found) != 0 || found == nullptr ||
        found->pw_uid != getuid()) {
      out.warning = "process.user \"" + r.user + "\" ignored: footfalld was not started as root";
    }
  }
  RequireSingleThread();
  CapabilitySets caps = CurrentCapabilities();
  const std::uint64_t keep = caps.permitted & Bit(CAP_NET_RAW);
  if ((caps.permitted & Bit(CAP_SETPCAP)) != 0) {
    caps.effective = caps.permitted;  // CAP_SETPCAP must be effective to trim the bounding set
    SetCapabilities(caps);
    TrimBoundingSet(keep);
  } else if ((BoundingSet() & ~keep) != 0) {
    // Without CAP_SETPCAP the bounding set cannot shrink; no_new_privs below
    // makes it moot (nothing executed can gain a capability).
    out.warning =
        "capability bounding set left as it is (trimming it needs CAP_SETPCAP); "
        "no_new_privs keeps it unusable";
  }
  ClearAmbient();
  SetCapabilities({keep, keep, 0});
  NoNewPrivsAndNoDumps();
  const CapabilitySets now = CurrentCapabilities();
  if (now.effective != keep || now.permitted != keep || now.inheritable != 0) {
    errno = EPERM;
    Fail("capabilities other than CAP_NET_RAW remain");
  }
  out.summary = "running as uid " + std::to_string(getuid()) + " with " +
                (keep != 0 ? "only CAP_NET_RAW" : "no capabilities") + " and no_new_privs";
  return out;
}

}  // namespace

CapabilitySets CurrentCapabilities() {
  __user_cap_header_struct header{};
  header.version = _LINUX_CAPABILITY_VERSION_3;
  header.pid = 0;
  __user_cap_data_struct data[2]{};
  if (syscall(SYS_capget, &header, data) != 0) Fail("capget");
  CapabilitySets s;
  for (int i = 0; i < 2; ++i) {
    s.effective |= std::uint64_t{data[i].effective} << (32 * i);
    s.permitted |= std::uint64_t{data[i].permitted} << (32 * i);
    s.inheritable |= std::uint64_t{data[i].inheritable} << (32 * i);
  }
  return s;
}

int ThreadCount() {
  DIR* dir = opendir("/proc/self/task");
  if (dir == nullptr) Fail("cannot list /proc/self/task");
  int n = 0;
  while (dirent* e = readdir(dir)) {
    if (e->d_name[0] != '.') ++n;
  }
  closedir(dir);
  return n;
}

PrivilegeOutcome DropPrivileges(const PrivilegeRequest& request) {
  if (geteuid() == 0 && !request.user.empty()) return DropRootToUser(request);
  if (geteuid() == 0) {
    PrivilegeOutcome out;
    out.summary = "running as root with every capability";
    out.warning =
        "running as root: set [process] user (e.g. \"footfall\") so footfalld drops to "
        "it once the capture is open";
    return out;
  }
  return KeepOnlyNetRaw(request);
}

}  // namespace footfall::daemon
