// Purpose: ParseListenAddress (see listen_address.h), with inet_pton.
#include "daemon/listen_address.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include "base/host_port.h"

namespace footfall::daemon {

std::string ListenAddress::ToString() const {
  if (!unix_path.empty()) return "unix:" + unix_path;
  return (ipv6 ? "[" + address + "]" : address) + ":" + std::to_string(port);
}

Result<ListenAddress> ParseListenAddress(const std::string& text) {
  auto fail = [](const std::string& reason) -> Result<ListenAddress> { return Fail(reason); };
  ListenAddress out;
  if (text.rfind("unix:", 0) == 0) {
    out.unix_path = text.substr(5);
    if (out.unix_path.empty() || out.unix_path.front() != '/') {
      return fail("a Unix socket needs an absolute path, e.g. \"unix:/run/footfall/metrics.sock\"");
    }
    if (out.unix_path.size() >= 108) return fail("the Unix socket path is too long");
    out.loopback = true;
    return out;
  }
  Result<HostPort> where = SplitHostPort(text, "ADDRESS:PORT");
  if (!where) return fail(where.error());
  out.address = where->host;
  out.port = where->port;
  out.ipv6 = where->bracketed;
  if (!out.ipv6 && out.address.find(':') != std::string::npos) {
    return fail("an IPv6 address must be in brackets, e.g. \"[::1]:9464\"");
  }
  if (out.ipv6) {
    in6_addr a6{};
    if (inet_pton(AF_INET6, out.address.c_str(), &a6) != 1) {
      return fail("\"" + out.address + "\" is not an IPv6 address");
    }
    out.loopback = IN6_IS_ADDR_LOOPBACK(&a6);
  } else {
    in_addr a4{};
    if (inet_pton(AF_INET, out.address.c_str(), &a4) != 1) {
      return fail("\"" + out.address +
                  "\" is not an IPv4 address (host names are not accepted; e.g. 127.0.0.1)");
    }
    out.loopback = (ntohl(a4.s_addr) >> 24) == 127;
  }
  return out;
}

}  // namespace footfall::daemon
