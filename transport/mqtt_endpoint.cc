// Purpose: ParseMqttEndpoint (see mqtt_endpoint.h).
#include "transport/mqtt_endpoint.h"

#include "base/host_port.h"

namespace footfall::transport {

Result<MqttEndpoint> ParseMqttEndpoint(std::string_view uri) {
  static constexpr std::string_view kSchemes[] = {"tcp", "ssl", "mqtt", "mqtts", "ws", "wss"};
  MqttEndpoint e;
  e.uri = std::string(uri);
  e.scheme.clear();
  for (std::string_view s : kSchemes) {
    if (uri.size() > s.size() + 3 && uri.substr(0, s.size()) == s &&
        uri.substr(s.size(), 3) == "://") {
      e.scheme = std::string(s);
      break;
    }
  }
  if (e.scheme.empty()) {
    return Fail("must start with tcp://, ssl://, mqtt://, mqtts://, ws:// or wss:// (got \"" +
                std::string(uri) + "\")");
  }
  e.tls = e.scheme == "ssl" || e.scheme == "mqtts" || e.scheme == "wss";
  std::string_view rest = uri.substr(e.scheme.size() + 3);
  const bool websocket = e.scheme == "ws" || e.scheme == "wss";
  const auto slash = rest.find('/');
  if (slash != std::string_view::npos) {
    if (!websocket) return Fail("only ws:// and wss:// URIs may have a path");
    rest = rest.substr(0, slash);
  }
  Result<HostPort> where = SplitHostPort(rest, "scheme://host:port");
  if (!where) return Fail(where.error());
  for (char c : where->host) {
    if (c == ' ' || c == '\t' || c == '@' || c == '/') {
      return Fail("host \"" + where->host + "\" is not a valid host name or address");
    }
  }
  e.host = where->host;
  e.port = where->port;
  return e;
}

}  // namespace footfall::transport
