// Purpose: the "ADDRESS:PORT" of a local listener such as the metrics endpoint
// ([metrics] listen): an IPv4 literal or a bracketed IPv6 literal and a port,
// no host names (no resolver at start-up, no surprise about which address is
// bound). Tells whether the address is a loopback one, so the config can
// refuse to expose a listener beyond this host unless asked to. Or
// "unix:/ABSOLUTE/PATH": a Unix-domain socket, created mode 0600 (only
// footfalld's user, and root, may connect).
#pragma once

#include <cstdint>
#include <string>

#include "base/result.h"

namespace footfall::daemon {

struct ListenAddress {
  std::string address;  // the literal, without brackets: "127.0.0.1", "::1"
  std::uint16_t port = 0;
  bool ipv6 = false;
  bool loopback = false;  // 127.0.0.0/8 or ::1, or a Unix socket
  std::string unix_path;  // not empty: a Unix-domain socket at this path (no address, no port)

  std::string ToString() const;  // "127.0.0.1:9464", "[::1]:9464", "unix:/run/x.sock"
  friend bool operator==(const ListenAddress& a, const ListenAddress& b) {
    return a.address == b.address && a.port == b.port && a.ipv6 == b.ipv6 &&
           a.unix_path == b.unix_path;
  }
  friend bool operator!=(const ListenAddress& a, const ListenAddress& b) { return !(a == b); }
};

// Parses "127.0.0.1:9464" or "[::1]:9464" (port 1..65535), or "unix:/PATH",
// or says why not.
Result<ListenAddress> ParseListenAddress(const std::string& text);

}  // namespace footfall::daemon
