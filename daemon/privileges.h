// Purpose: least privilege for footfalld. The only privilege the daemon ever
// needs is CAP_NET_RAW, to open a live capture; once its captures, its state
// directory and its listening sockets are open, DropPrivileges() gives up the
// rest, before any thread exists (capabilities and no_new_privs are
// per-thread):
//  - started as root with [process] user set: hands the state directory (and
//    the shared seed file) to that user, then drops to its uid and gid with no
//    supplementary groups, empty capability sets (effective, permitted,
//    inheritable, ambient, bounding) and PR_SET_NO_NEW_PRIVS;
//  - started as another user (e.g. by systemd with AmbientCapabilities=
//    CAP_NET_RAW): keeps at most CAP_NET_RAW in the effective and permitted
//    sets, nothing inheritable or ambient, trims the bounding set to
//    CAP_NET_RAW if it may (CAP_SETPCAP), and sets PR_SET_NO_NEW_PRIVS;
//  - started as root without a user: changes nothing and says so.
// Either way the process stays non-dumpable (PR_SET_DUMPABLE 0, which a uid
// change resets).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace footfall::daemon {

struct PrivilegeRequest {
  std::string user;                      // [process] user; "" = keep the user
  std::string state_dir;                 // handed to `user` (recursively) before the switch
  std::vector<std::string> extra_files;  // further files to hand over (the seed file)
};

struct PrivilegeOutcome {
  std::string summary;  // one line for the log: uid, gid, capabilities left
  std::string warning;  // "" or why the drop was less than it could be
};

// Throws std::runtime_error (a fatal start-up error) if a step fails, if the
// user does not exist, or if the process already has more than one thread.
PrivilegeOutcome DropPrivileges(const PrivilegeRequest& request);

// The calling thread's capability sets, as 64-bit masks (bit n = capability n).
struct CapabilitySets {
  std::uint64_t effective = 0;
  std::uint64_t permitted = 0;
  std::uint64_t inheritable = 0;
};
CapabilitySets CurrentCapabilities();

// Threads of this process (from /proc/self/task).
int ThreadCount();

}  // namespace footfall::daemon
