// Purpose: the MQTT side of the sensor (paho.mqtt.cpp 1.2 async client). A
// retained <base>/status is "online" once connected and "offline" as the Last
// Will and at a clean shutdown; after "online", at every connection, the
// retained announcements (info, Home Assistant discovery) and the buffer
// report (<base>/buffer) are published. Data messages go through an on-disk
// journal (message_journal.h) under the state directory: they survive a
// restart of footfalld until the broker acknowledges them, and when the
// journal is full the oldest are dropped and counted; while the journal cannot
// be written (a full disk) they are held in memory, up to a bound, until it
// can. What is sent when, what
// is sent again and what counts as delivered is the delivery policy's
// (delivery_policy.h); this class is the thin adapter that runs it over paho
// on a worker thread. Reconnects are automatic
// with capped backoff. Optional TLS, user name and password, MQTT 3.1.1 or 5
// (content type, message expiry). Paho's callbacks run on paho's thread; this
// class only touches atomics and short leaf locks from them.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "transport/delivery_policy.h"
#include "transport/mqtt_endpoint.h"
#include "transport/publisher.h"

namespace footfall::transport {

struct MqttOptions {
  MqttEndpoint broker;       // parsed [mqtt] uri (mqtt_endpoint.h)
  std::string client_id;     // stable per sensor
  std::string topic_base;    // <prefix>/<site>/<sensor>
  std::string journal_path;  // the on-disk buffer, e.g. <state_dir>/mqtt-journal
  int qos = 1;
  int max_buffered = 100000;  // journal bound (messages)
  // While the journal cannot be written (a full disk): messages held in
  // memory only, at most (beyond that the oldest of them are dropped).
  int max_memory_buffered = 10000;
  int mqtt_version = 4;  // 4 = MQTT 3.1.1, 5 = MQTT 5
  // MQTT 5 only: MESSAGE_EXPIRY_INTERVAL of the data messages (0 = none),
  // counted from when the message was journaled.
  std::chrono::seconds message_expiry{0};
  std::chrono::seconds keep_alive{30};
  std::chrono::seconds min_retry{1};
  std::chrono::seconds max_retry{60};
  // TLS (ssl://, mqtts://, wss://). Empty ca_file: the system's CAs.
  std::string ca_file;
  std::string cert_file;  // client certificate (PEM), with key_file
  std::string key_file;
  bool verify = true;  // verify the server's certificate and host name
  std::string username;
  std::string password;  // a secret: never logged
  std::vector<RetainedMessage> retained;
  std::string ha_status_topic;  // e.g. "homeassistant/status"; empty: not watched
  // Encodes the retained <base>/buffer payload; empty: no buffer report.
  std::function<std::string(const BufferReport&)> encode_buffer_report;
};

// Connection events for logs; called on paho's or the worker's thread.
struct MqttEvents {
  std::function<void()> on_connected;
  std::function<void(const std::string& why)> on_connection_lost;
  std::function<void(const std::string& why)> on_connect_failed;
};

class MqttPublisher final : public Publisher {
 public:
  // Opens the journal (resending what it holds once connected), creates the
  // client and starts connecting in the background (does not wait for the
  // broker). Throws std::runtime_error on an invalid URI or options, or an
  // unusable journal.
  MqttPublisher(MqttOptions options, MqttEvents events);
  ~MqttPublisher() override;

  void Publish(const std::string& topic_suffix, std::string payload) override;
  void PublishState(const std::string& topic_suffix, std::string payload) override;
  std::size_t pending() const override;
  bool connected() const override;
  std::uint64_t dropped() const override;
  std::string last_error() const override;
  bool Shutdown(std::chrono::milliseconds timeout) override;
  bool pending_kept() const override;

  std::uint64_t delivered(const std::string& topic_suffix) const override;
  std::uint64_t rejected() const override;
  BufferHealth buffer_health() const override;

  // Messages the journal holds (unacknowledged data messages).
  std::size_t buffered() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace footfall::transport
