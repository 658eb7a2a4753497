// Purpose: how the MQTT publisher delivers, apart from paho. The policy
// feeds the on-disk journal (message_journal.h) to a small client interface,
// oldest first and a bounded number in flight; takes a message out of the
// journal only when the broker acknowledged it, or — the one exception — when
// an MQTT 5 broker refused it with an explicit, final reason code (counted,
// logged, in the buffer report); sends everything else again, in order, after
// a capped exponential backoff (every paho C return code, MQTT 3.1.1's
// "no reason code" 255, transient MQTT 5 codes, a connection lost with
// messages in flight, a publish the client refused locally, a token that never
// completes); drops what outlived its message expiry; orders the retained
// "online", the announcements and the buffer report before the data at every
// connection and "offline" after it at shutdown; while the journal cannot be
// written (a full disk) tries again and again to catch it up with what it
// holds in memory, says so in the log and in the buffer report. Time comes from an injected
// capture::Clock. Not thread-safe: the paho adapter (mqtt_publisher.cc) calls
// it from one thread at a time, and tests drive it with a fake client and a
// fake clock.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "capture/clock.h"
#include "transport/message_journal.h"

namespace footfall::transport {

// A retained message published after "online" at every connection.
struct RetainedMessage {
  std::string topic;  // full topic
  std::string payload;
  // Published again when the Home Assistant birth message ("online" on
  // MqttOptions::ha_status_topic) arrives.
  bool home_assistant = false;
};

// What <base>/buffer reports.
struct BufferReport {
  std::uint64_t buffered = 0;        // unacknowledged messages in the journal
  std::uint64_t max_buffered = 0;    // the bound
  std::uint64_t dropped_total = 0;   // dropped because the journal was full, ever
  std::uint64_t expired_total = 0;   // not sent because their expiry had passed, this run
  std::uint64_t rejected_total = 0;  // refused by the broker (final MQTT 5 reason code), this run
  // The journal cannot be written (a full disk): messages held in memory
  // only, their bound, those dropped beyond it (this run), and why ("" if the
  // journal is written).
  std::uint64_t memory_only = 0;
  std::uint64_t max_memory_only = 0;
  std::uint64_t memory_dropped_total = 0;
  std::string journal_error;
};

struct OutgoingMessage {
  std::string topic;
  std::string payload;
  int qos = 1;
  bool retained = false;
  std::chrono::seconds expiry{0};  // MQTT 5 MESSAGE_EXPIRY_INTERVAL; 0 = none
};

// What the policy needs of an MQTT client.
class MqttClient {
 public:
  virtual ~MqttClient() = default;
  // Hands `message` over; its completion comes back as
  // DeliveryPolicy::OnPublishDone(token, ...). Returns 0 if the client took
  // it, else the (paho C) return code with which it refused it locally.
  virtual int Publish(const OutgoingMessage& message, std::uint64_t token) = 0;
};

// How a publish ended, as the client reports it.
struct PublishResult {
  bool ok = false;
  int rc = 0;      // paho C return code of a failure (negative: a client-side condition)
  int reason = 0;  // MQTT 5 reason code of a failure (paho.mqtt.cpp: 255 = none, MQTT 3.1.1)
  std::string why;
};

enum class FailureClass {
  kSendAgain,       // anything the client reports, and transient broker codes
  kFinalRejection,  // an MQTT 5 broker's explicit, final refusal of this message
};
// The one rule of the policy. Final only on MQTT 5 with a non-negative return
// code and one of the PUBACK reason codes that sending again cannot change:
// 0x80 unspecified error, 0x83 implementation specific error, 0x87 not
// authorized, 0x90 topic name invalid, 0x99 payload format invalid.
FailureClass ClassifyFailure(const PublishResult& result, bool mqtt5);

struct DeliveryOptions {
  std::string status_topic;  // <base>/status
  std::string buffer_topic;  // <base>/buffer
  std::vector<RetainedMessage> retained;
  std::size_t max_buffered = 100000;
  bool mqtt5 = false;
  std::chrono::seconds message_expiry{0};
  std::size_t max_in_flight = 20;
  // Backoff before data is sent again after a failure: doubles from min to max.
  std::chrono::milliseconds min_retry{1000};
  std::chrono::milliseconds max_retry{60000};
  // A publish neither acknowledged nor failed after this long is taken as
  // lost and sent again.
  std::chrono::milliseconds lost_after{60000};
  // While the journal cannot be written: how often to try to catch it up.
  std::chrono::milliseconds journal_retry{1000};
  // Encodes the retained <base>/buffer payload; empty: no buffer report.
  std::function<std::string(const BufferReport&)> encode_buffer_report;
};

class DeliveryPolicy final {
 public:
  DeliveryPolicy(DeliveryOptions options, MessageJournal& journal, MqttClient& client,
                 const capture::Clock& clock);

  // A data message: journaled (the oldest dropped and counted if full) and
  // sent when connected.
  void Enqueue(const std::string& topic, std::string payload, int qos);

  // A new connection: the retained "online", the announcements and the buffer
  // report, then every unacknowledged message again, oldest first (what was
  // in flight on the old connection may so arrive twice: consumers drop the
  // repeat by seq). Nothing once "offline" is queued.
  void OnConnected();
  // The connection broke: what is in flight is sent again on the next one.
  void OnConnectionLost();
  void OnPublishDone(std::uint64_t token, const PublishResult& result);
  // The Home Assistant birth message: its discovery messages again.
  void OnHomeAssistantOnline();
  // A retained state message (today, signal): only the latest matters, so it
  // is not journaled; it replaces the previous one of its topic, is published
  // at once if connected and again at every connection. Nothing once
  // "offline" is queued.
  void PublishState(const std::string& topic, std::string payload);
  // Does what is due now (catches up a failing journal, sends data, takes
  // lost publishes as failed, reports the buffer when it changed). Returns
  // when it next has something to do without an event, if ever.
  std::optional<capture::MonotonicTime> Pump();

  // Shutdown: queues the retained "offline" once connected and the journal
  // is empty, or at once with `force` if connected. True once queued; after
  // that nothing else is published.
  bool QueueOffline(bool force);
  bool offline_queued() const { return offline_queued_; }

  bool connected() const { return connected_; }
  // Announcements (status, retained, buffer report) handed over and not yet
  // completed.
  std::size_t status_pending() const { return status_pending_; }
  std::uint64_t delivered() const { return delivered_; }    // data acknowledged, this run
  std::uint64_t delivered(const std::string& topic) const;  // ... to this (full) topic
  std::uint64_t rejected() const { return rejected_; }      // final rejections, this run
  std::uint64_t expired() const { return expired_; }
  std::uint64_t send_again() const { return send_again_; }  // failures that resent data
  std::uint64_t status_failed() const { return status_failed_; }
  // The most messages held in memory only at once while the journal could not
  // be written, this run.
  std::size_t memory_only_peak() const { return memory_only_peak_; }

 private:
  struct InFlight {
    std::uint64_t journal_id = 0;  // 0: an announcement
    std::string topic;
    capture::MonotonicTime sent_at{};
  };

  void Feed();
  bool PublishStatus(const std::string& topic, const std::string& payload);
  void MaybeReportBuffer(bool force);
  // Every data message in flight goes back to the journal's queue, to be sent
  // again oldest first; their tokens become stale (a late acknowledgement
  // still removes the message).
  void SendAllAgain();
  void Backoff(const std::string& why);
  // Logs what changed in the journal's health (failing, caught up, memory
  // drops) and remembers it for the buffer report.
  void WatchJournal();

  const DeliveryOptions options_;
  MessageJournal& journal_;
  MqttClient& client_;
  const capture::Clock& clock_;

  std::uint64_t next_token_ = 1;
  std::map<std::uint64_t, InFlight> in_flight_;  // token -> what
  std::map<std::uint64_t, InFlight> stale_;      // data sent before the last SendAllAgain
  std::map<std::string, std::uint64_t> delivered_by_topic_;
  std::map<std::string, std::string> state_;  // PublishState, by topic
  bool connected_ = false;
  bool offline_queued_ = false;
  std::size_t status_pending_ = 0;
  capture::MonotonicTime feed_not_before_{};
  std::chrono::milliseconds backoff_;
  std::uint64_t delivered_ = 0;
  std::uint64_t rejected_ = 0;
  std::uint64_t expired_ = 0;
  std::uint64_t send_again_ = 0;
  std::uint64_t status_failed_ = 0;
  bool buffer_reported_ = false;
  std::uint64_t reported_dropped_ = 0;
  std::uint64_t reported_expired_ = 0;
  std::uint64_t reported_rejected_ = 0;
  bool journal_failing_ = false;
  bool reported_failing_ = false;
  std::uint64_t memory_dropped_seen_ = 0;
  std::uint64_t reported_memory_dropped_ = 0;
  std::size_t memory_only_seen_ = 0;
  std::size_t memory_only_peak_ = 0;  // this run
  std::size_t episode_peak_ = 0;      // this failure of the journal
  capture::MonotonicTime catch_up_at_{};
};

}  // namespace footfall::transport
