// Purpose: how aggregates leave the sensor. The daemon hands each encoded
// message to a Publisher; the MQTT implementation (mqtt_publisher.h) keeps
// them until the broker acknowledges them.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace footfall::transport {

// The offline buffer's health, for the status line.
struct BufferHealth {
  // Why the on-disk journal cannot be written (a full disk), or "" if it can.
  std::string journal_error;
  std::size_t memory_only = 0;       // messages held in memory only meanwhile
  std::size_t max_memory_only = 0;   // their bound ([mqtt] max_memory_buffered)
  std::uint64_t memory_dropped = 0;  // dropped beyond that bound, this run
};

class Publisher {
 public:
  virtual ~Publisher() = default;
  // Queues one message for `topic_suffix` under the sensor's topic base
  // ("counts" -> <prefix>/<site>/<sensor>/counts). Never blocks on the network.
  virtual void Publish(const std::string& topic_suffix, std::string payload) = 0;
  // A retained state message for `topic_suffix` ("today", "signal"): only the
  // latest matters, so it is not journaled; it replaces the previous one, is
  // published at once if connected and again at every connection.
  virtual void PublishState(const std::string& topic_suffix, std::string payload) = 0;
  // Messages queued but not yet acknowledged by the broker.
  virtual std::size_t pending() const = 0;
  virtual bool connected() const = 0;
  // Messages dropped because the offline buffer was full (oldest first), over
  // the life of the state directory.
  virtual std::uint64_t dropped() const { return 0; }
  // Data messages to `topic_suffix` the broker acknowledged since the start
  // (some may have been journaled by an earlier run).
  virtual std::uint64_t delivered(const std::string& /*topic_suffix*/) const { return 0; }
  // Data messages the broker refused for good (an MQTT 5 reason code), since
  // the start: counted, logged and in the buffer report, not sent again.
  virtual std::uint64_t rejected() const { return 0; }
  virtual BufferHealth buffer_health() const { return {}; }
  // Why the last connection attempt failed or the connection was lost, or ""
  // while connected (status line, logs). Never contains secrets.
  virtual std::string last_error() const { return ""; }
  // Publishes the retained "offline" status, waits up to `timeout` for every
  // pending message to be acknowledged, then disconnects. Returns true if
  // nothing was left unacknowledged.
  virtual bool Shutdown(std::chrono::milliseconds timeout) = 0;
  // Whether every message still unacknowledged is kept where the next start
  // sends it from (an on-disk journal that has not failed): nothing is lost.
  virtual bool pending_kept() const { return false; }
};

}  // namespace footfall::transport
