// Purpose: real network interfaces for the live-capture tests, isolated from
// the host. ScopedNetns makes a network namespace for one test and moves the
// test's thread into it, so that every process the test starts from then on
// (mosquitto, mosquitto_sub, footfalld, ip) lives there with its own
// loopback. RadiotapTap makes a TAP device whose hardware type is
// IEEE 802.11 + radiotap (ARPHRD 803, set with TUNSETLINK): libpcap reports
// link type 127 on it, and every frame the test writes to it is captured as
// if a Wi-Fi card had received it — the live path end to end, without Wi-Fi
// hardware. Both need root (CAP_NET_ADMIN, CAP_SYS_ADMIN); ok() and error()
// say what failed, and the tests fail (never skip) without them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace footfall::testing {

class ScopedNetns final {
 public:
  ScopedNetns();
  ~ScopedNetns();  // back to the original namespace, then the namespace is deleted
  ScopedNetns(const ScopedNetns&) = delete;
  ScopedNetns& operator=(const ScopedNetns&) = delete;

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  const std::string& name() const { return name_; }

 private:
  std::string name_;
  std::string error_;
  int original_ = -1;  // fd of the thread's original network namespace
  bool entered_ = false;
};

class RadiotapTap final {
 public:
  static constexpr int kArphrdRadiotap = 803;  // ARPHRD_IEEE80211_RADIOTAP
  static constexpr int kArphrdEther = 1;       // a plain TAP: link type 1

  // Creates the TAP `name` in the calling thread's namespace with hardware
  // type `arphrd`, and brings it up.
  explicit RadiotapTap(std::string name, int arphrd = kArphrdRadiotap);
  ~RadiotapTap();  // closing the last fd removes the (non-persistent) device
  RadiotapTap(const RadiotapTap&) = delete;
  RadiotapTap& operator=(const RadiotapTap&) = delete;

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

  // Hands one frame to the interface as received; false if it is gone.
  bool Write(const std::vector<std::uint8_t>& frame);

 private:
  std::string name_;
  std::string error_;
  int fd_ = -1;
};

}  // namespace footfall::testing
