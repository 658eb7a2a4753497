// Purpose: explains a failed TLS connection to the broker. paho reports only
// "TCP/TLS connect failure", and paho.mqtt.cpp 1.2's SSL error callback would
// call into a connect_options copy that is gone by then (use after free), so
// after such a failure footfalld makes one TLS handshake of its own, with the
// same CA, client certificate and verification, and reports OpenSSL's reason
// ("certificate verify failed: unable to get local issuer certificate").
#pragma once

#include <chrono>
#include <string>

#include "base/result.h"
#include "transport/mqtt_endpoint.h"

namespace footfall::transport {

struct TlsProbeOptions {
  MqttEndpoint broker;  // its host and port
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  bool verify = true;
  std::chrono::milliseconds timeout{3000};
};

// Success if the TCP connection and the handshake succeeded (the failure was
// elsewhere), else why the handshake failed, or why the TCP connection did.
Status ProbeTls(const TlsProbeOptions& options);

}  // namespace footfall::transport
