// Purpose: ScopedNetns and RadiotapTap (see netns.h): `ip netns add` and
// setns(2) for the namespace, /dev/net/tun with TUNSETIFF + TUNSETLINK and
// SIOCSIFFLAGS for the interface.
#include "integration/netns.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include "support/test_support.h"

namespace footfall::testing {
namespace {

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

}  // namespace

ScopedNetns::ScopedNetns() {
  static std::atomic<int> counter{0};
  name_ = "fftest-" + std::to_string(getpid()) + "-" + std::to_string(counter++);
  if (geteuid() != 0) {
    error_ =
        "these tests need root (network namespaces, TAP devices, raw capture); CI runs "
        "them as root";
    return;
  }
  std::string out;
  if (RunCommand({"ip", "netns", "add", name_}, &out) != 0) {
    error_ = "`ip netns add " + name_ + "` failed: " + out;
    name_.clear();
    return;
  }
  original_ = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  const int target = open(("/run/netns/" + name_).c_str(), O_RDONLY | O_CLOEXEC);
  if (original_ < 0 || target < 0) {
    error_ = Errno("cannot open the namespace files");
  } else if (setns(target, CLONE_NEWNET) != 0) {
    error_ = Errno("setns into " + name_);
  } else {
    entered_ = true;
    if (RunCommand({"ip", "link", "set", "lo", "up"}, &out) != 0) {
      error_ = "cannot bring up loopback in " + name_ + ": " + out;
    }
  }
  if (target >= 0) close(target);
}

ScopedNetns::~ScopedNetns() {
  if (entered_ && setns(original_, CLONE_NEWNET) != 0) {
    ADD_FAILURE() << Errno("cannot return to the original network namespace");
  }
  if (original_ >= 0) close(original_);
  if (!name_.empty()) RunCommand({"ip", "netns", "del", name_});
}

RadiotapTap::RadiotapTap(std::string name, int arphrd) : name_(std::move(name)) {
  fd_ = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
  if (fd_ < 0) {
    error_ = Errno("open /dev/net/tun");
    return;
  }
  ifreq ifr{};
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
  std::strncpy(ifr.ifr_name, name_.c_str(), IFNAMSIZ - 1);
  if (ioctl(fd_, TUNSETIFF, &ifr) != 0) {
    error_ = Errno("TUNSETIFF " + name_);
    return;
  }
  if (arphrd != kArphrdEther && ioctl(fd_, TUNSETLINK, static_cast<unsigned long>(arphrd)) != 0) {
    error_ = Errno("TUNSETLINK " + std::to_string(arphrd));
    return;
  }
  const int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ifreq up{};
  std::strncpy(up.ifr_name, name_.c_str(), IFNAMSIZ - 1);
  if (sock < 0 || ioctl(sock, SIOCGIFFLAGS, &up) != 0) {
    error_ = Errno("SIOCGIFFLAGS " + name_);
  } else {
    up.ifr_flags = static_cast<short>(up.ifr_flags | IFF_UP);
    if (ioctl(sock, SIOCSIFFLAGS, &up) != 0) error_ = Errno("SIOCSIFFLAGS " + name_);
  }
  if (sock >= 0) close(sock);
}

RadiotapTap::~RadiotapTap() {
  if (fd_ >= 0) close(fd_);
}

bool RadiotapTap::Write(const std::vector<std::uint8_t>& frame) {
  if (fd_ < 0) return false;
  return write(fd_, frame.data(), frame.size()) == static_cast<ssize_t>(frame.size());
}

}  // namespace footfall::testing
