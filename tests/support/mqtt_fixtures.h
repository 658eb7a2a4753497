// Purpose: MQTT test fixtures beyond test_support.h's Broker and Subscriber:
// a small PKI made with openssl (a CA, a broker certificate for 127.0.0.1 and
// localhost, a client certificate, and a second CA that signed none of them),
// the mosquitto configuration of a TLS listener with a password file and an
// ACL, broker persistence, a mosquitto bridge from one broker to another, a
// TCP relay whose link a test can cut (a black hole, like a WAN line gone
// dead) and restore, and a mosquitto_sub with any options (a persistent
// session, MQTT 5, TLS) that collects what it receives.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "support/test_support.h"

namespace footfall::testing {

// Extra mosquitto configuration, once per broker before the others: keep
// root's rights when started as root (mosquitto 2 otherwise drops to its own
// user, which cannot read the tests' private temporary directories).
inline constexpr const char* kBrokerKeepsRoot = "user root\n";

struct Pki {
  std::string ca_cert;  // the CA that signed the broker's and the client's certificates
  std::string server_cert;
  std::string server_key;
  std::string client_cert;
  std::string client_key;
  std::string rogue_ca_cert;  // a CA that signed nothing here
};
// Makes the PKI in `dir` with the openssl command (EC P-256 keys, 2 days).
Pki MakePki(const std::string& dir);

// Extra mosquitto configuration (for Broker's constructor): a TLS listener on
// 127.0.0.1:`tls_port` with the PKI's broker certificate that requires a
// client certificate signed by the CA, the user `user` with `password`
// (mosquitto_passwd) and an ACL: `user` may write <acl_prefix>/# and
// homeassistant/# and read homeassistant/status; anonymous clients (the
// tests' observers on the plain listener) may read and write everything.
std::string SecureListenerConfig(const std::string& dir, const Pki& pki, int tls_port,
                                 const std::string& user, const std::string& password,
                                 const std::string& acl_prefix);

// Extra mosquitto configuration: persistence in `dir`, so that sessions and
// their queued messages survive Broker::Stop()/Start().
std::string PersistenceConfig(const std::string& dir);

// Extra mosquitto configuration, last (a bridge block ends the file): a
// bridge `name` to 127.0.0.1:`remote_port` carrying `topic` out at QoS 1, with
// a persistent session (cleansession false) under `client_id`, link
// notifications ($SYS/broker/connection/<client_id>/state, 1 or 0, retained on
// both brokers), a 5 s keep-alive, reconnecting every second.
std::string BridgeConfig(const std::string& name, int remote_port, const std::string& topic,
                         const std::string& client_id);

// A TCP relay on 127.0.0.1:<free port> to 127.0.0.1:`target_port`, on a
// thread of its own. Cut(): the link goes dead — nothing passes either way
// on the open connections, and new ones are refused — until Restore(), which
// closes the dead connections and accepts again on the same port.
class TcpRelay {
 public:
  explicit TcpRelay(int target_port);
  ~TcpRelay();
  TcpRelay(const TcpRelay&) = delete;
  TcpRelay& operator=(const TcpRelay&) = delete;
  int port() const { return port_; }
  void Cut();
  void Restore();
  int connections_accepted() const;

 private:
  struct Pair {
    int a = -1;  // accepted
    int b = -1;  // to the target
  };
  void Loop();
  void Listen();
  void Wake();

  const int target_;
  int port_ = 0;
  int listen_fd_ = -1;
  int wake_[2] = {-1, -1};
  mutable std::mutex mutex_;
  bool cut_ = false;         // guarded by mutex_
  bool restore_ = false;     // guarded by mutex_
  bool stop_ = false;        // guarded by mutex_
  int accepted_ = 0;         // guarded by mutex_
  std::vector<Pair> pairs_;  // the relay's thread only
  std::thread thread_;
};

// A mosquitto_sub with `options` (e.g. {"-c", "-i", "id"} for a persistent
// session, {"-V", "mqttv5"}) on the plain listener, QoS 1, printing each
// message as `format` (mosquitto_sub -F) on one line.
class MqttSub {
 public:
  MqttSub(int port, const std::vector<std::string>& topic_filters,
          const std::vector<std::string>& options = {}, const std::string& format = "%t %p");
  ~MqttSub();
  MqttSub(const MqttSub&) = delete;
  MqttSub& operator=(const MqttSub&) = delete;

  // The lines received so far (the readiness probe excluded).
  std::vector<std::string> Lines() const;
  // For the default format: topic and payload.
  std::vector<MqttMessage> Messages() const;
  std::vector<MqttMessage> WaitFor(const std::function<bool(const std::vector<MqttMessage>&)>& pred,
                                   std::chrono::milliseconds timeout) const;
  std::vector<std::string> WaitForLines(
      const std::function<bool(const std::vector<std::string>&)>& pred,
      std::chrono::milliseconds timeout) const;
  std::string errors() const;

 private:
  TempDir dir_;
  std::unique_ptr<Process> proc_;
};

}  // namespace footfall::testing
