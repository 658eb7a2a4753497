// Purpose: the broker's address, parsed once from [mqtt] uri
// ("scheme://host:port", ws/wss with an optional path): its scheme, host,
// port and whether it is TLS. The publisher hands `uri` to paho; the TLS
// probe and the info message use the parsed parts, so nothing parses the
// text again.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace footfall::transport {

struct MqttEndpoint {
  std::string uri = "tcp://127.0.0.1:1883";  // as given (paho, logs)
  std::string scheme = "tcp";                // tcp, mqtt, ssl, mqtts, ws, wss
  std::string host = "127.0.0.1";            // without brackets around an IPv6 address
  std::uint16_t port = 1883;
  bool tls = false;  // ssl, mqtts, wss

  friend bool operator==(const MqttEndpoint& a, const MqttEndpoint& b) { return a.uri == b.uri; }
  friend bool operator!=(const MqttEndpoint& a, const MqttEndpoint& b) { return !(a == b); }
};

// Accepts tcp://, mqtt://, ssl://, mqtts://, ws:// and wss:// (only ws/wss
// may have a path), a host name or address ([IPv6] in brackets) and a port
// 1..65535; else says why.
Result<MqttEndpoint> ParseMqttEndpoint(std::string_view uri);

}  // namespace footfall::transport
