// Purpose: the MQTT side of the sensor (paho.mqtt.cpp 1.2 async client). A
// retained <base>/status is "online" once connected and "offline" as the Last
// Will and at a clean shutdown. Messages are published with the configured QoS,
// buffered while the broker is unreachable, and retried with automatic
// reconnect (capped backoff). Paho's callbacks run on paho's thread; this class
// only touches atomics and a mutex-protected count from them.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "transport/publisher.h"

namespace footfall::transport {

struct MqttOptions {
  std::string uri = "tcp://127.0.0.1:1883";
  std::string client_id;      // stable per sensor
  std::string topic_base;     // <prefix>/<site>/<sensor>
  int qos = 1;
  int max_buffered = 100000;  // offline buffer bound (messages)
  std::chrono::seconds keep_alive{30};
  std::chrono::seconds min_retry{1};
  std::chrono::seconds max_retry{60};
};

// Connection events for logs and the status line; called on paho's thread.
struct MqttEvents {
  std::function<void()> on_connected;
  std::function<void(const std::string& why)> on_connection_lost;
  std::function<void(const std::string& why)> on_connect_failed;
};

class MqttPublisher final : public Publisher {
 public:
  // Creates the client and starts connecting in the background (does not wait
  // for the broker). Throws std::runtime_error on an invalid URI or options.
  MqttPublisher(MqttOptions options, MqttEvents events);
  ~MqttPublisher() override;

  void Publish(const std::string& topic_suffix, std::string payload) override;
  std::size_t pending() const override;
  bool connected() const override;
  bool Shutdown(std::chrono::milliseconds timeout) override;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace footfall::transport
