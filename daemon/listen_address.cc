// Purpose: ParseListenAddress (see listen_address.h), with inet_pton.
#include "daemon/listen_address.h"

#include <arpa/inet.h>
#include <netinet/in.h>

namespace footfall::daemon {

std::string ListenAddress::ToString() const {
  if (!unix_path.empty()) return "unix:" + unix_path;
  return (ipv6 ? "[" + address + "]" : address) + ":" + std::to_string(port);
}

std::optional<ListenAddress> ParseListenAddress(const std::string& text, std::string* why) {
  auto fail = [&](const std::string& reason) -> std::optional<ListenAddress> {
    if (why != nullptr) *why = reason;
    return std::nullopt;
  };
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
  std::string port;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string::npos) return fail("unterminated [IPv6 address]");
    out.address = text.substr(1, close - 1);
    if (text.compare(close + 1, 1, ":") != 0) return fail("must be ADDRESS:PORT (port missing)");
    port = text.substr(close + 2);
    out.ipv6 = true;
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos) return fail("must be ADDRESS:PORT (port missing)");
    out.address = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (out.address.find(':') != std::string::npos) {
      return fail("an IPv6 address must be in brackets, e.g. \"[::1]:9464\"");
    }
  }
  if (port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string::npos || std::stoi(port) < 1 ||
      std::stoi(port) > 65535) {
    return fail("port \"" + port + "\" must be a number from 1 to 65535");
  }
  out.port = static_cast<std::uint16_t>(std::stoi(port));
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
