// Purpose: the MQTT delivery policy (see delivery_policy.h).
#include "transport/delivery_policy.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

namespace footfall::transport {

namespace {

// The first of a kind, then every 100th: logs stay readable in a long outage.
bool Worth(std::uint64_t n) { return n == 1 || n % 100 == 0; }

constexpr std::size_t kMaxStale = 10000;

}  // namespace

FailureClass ClassifyFailure(const PublishResult& result, bool mqtt5) {
  if (result.ok || !mqtt5 || result.rc < 0) return FailureClass::kSendAgain;
  switch (result.reason) {
    case 0x80:  // unspecified error
    case 0x83:  // implementation specific error
    case 0x87:  // not authorized
    case 0x90:  // topic name invalid
    case 0x99:  // payload format invalid
      return FailureClass::kFinalRejection;
    default:  // 0x91 packet identifier in use, 0x97 quota exceeded, 255 none, ...
      return FailureClass::kSendAgain;
  }
}

DeliveryPolicy::DeliveryPolicy(DeliveryOptions options, MessageJournal& journal, MqttClient& client,
                               const capture::Clock& clock)
    : options_(std::move(options)),
      journal_(journal),
      client_(client),
      clock_(clock),
      backoff_(options_.min_retry) {
  reported_dropped_ = journal_.dropped_total();
}

void DeliveryPolicy::Enqueue(const std::string& topic, std::string payload, int qos) {
  journal_.Append(
      topic, std::move(payload), qos, false,
      std::chrono::duration_cast<std::chrono::milliseconds>(clock_.Wall().time_since_epoch())
          .count());
  WatchJournal();
}

void DeliveryPolicy::WatchJournal() {
  const bool failing = journal_.failing();
  const std::size_t held = journal_.memory_only();
  const std::uint64_t dropped = journal_.memory_dropped_total();
  if (failing && !journal_failing_) {
    spdlog::error(
        "{}: messages are held in memory only (at most {}, [mqtt] max_memory_buffered; "
        "beyond that the oldest are dropped and counted) until the journal can be written "
        "again; a restart before then loses them",
        journal_.failing_error(), journal_.max_memory_only());
    catch_up_at_ = clock_.Monotonic() + options_.journal_retry;
    episode_peak_ = 0;
  }
  if (failing) episode_peak_ = std::max(episode_peak_, held);
  memory_only_peak_ = std::max(memory_only_peak_, held);
  if (!failing && journal_failing_) {
    spdlog::warn(
        "MQTT journal {} written again: {} message(s) held in memory caught up (at most {} "
        "held at once; {} dropped beyond the bound so far)",
        journal_.path(), memory_only_seen_, episode_peak_, dropped);
  }
  if (dropped > memory_dropped_seen_) {
    // The first, then every 100th.
    if (memory_dropped_seen_ == 0 || dropped / 100 > memory_dropped_seen_ / 100) {
      spdlog::warn(
          "MQTT journal cannot be written and {} message(s) are held in memory: the oldest "
          "of them dropped ({} so far)",
          held, dropped);
    }
  }
  journal_failing_ = failing;
  memory_only_seen_ = held;
  memory_dropped_seen_ = dropped;
}

void DeliveryPolicy::OnConnected() {
  connected_ = true;
  if (offline_queued_) return;
  PublishStatus(options_.status_topic, "online");
  for (const RetainedMessage& m : options_.retained) PublishStatus(m.topic, m.payload);
  for (const auto& [topic, payload] : state_) PublishStatus(topic, payload);
  SendAllAgain();
  // A new connection is a fresh start: no backoff left from the old one.
  feed_not_before_ = {};
  backoff_ = options_.min_retry;
  MaybeReportBuffer(true);
  Feed();
}

void DeliveryPolicy::PublishState(const std::string& topic, std::string payload) {
  if (offline_queued_) return;
  std::string& kept = state_[topic];
  kept = std::move(payload);
  if (connected_) PublishStatus(topic, kept);
}

void DeliveryPolicy::OnConnectionLost() {
  connected_ = false;
  SendAllAgain();
}

void DeliveryPolicy::SendAllAgain() {
  for (auto it = in_flight_.begin(); it != in_flight_.end();) {
    if (it->second.journal_id == 0) {
      ++it;
      continue;
    }
    stale_.emplace(it->first, std::move(it->second));
    it = in_flight_.erase(it);
  }
  // Tokens paho never completes (dropped with a session) are forgotten at
  // last; their messages are in the journal's queue again anyway.
  while (stale_.size() > kMaxStale) stale_.erase(stale_.begin());
  journal_.RequeueAll();
}

void DeliveryPolicy::Backoff(const std::string& why) {
  const auto n = ++send_again_;
  if (Worth(n)) {
    spdlog::warn("MQTT message not delivered, will be sent again ({} so far): {}", n, why);
  }
  feed_not_before_ = clock_.Monotonic() + backoff_;
  backoff_ = std::min(backoff_ * 2, options_.max_retry);
}

void DeliveryPolicy::OnPublishDone(std::uint64_t token, const PublishResult& result) {
  InFlight sent;
  bool current = false;
  if (auto it = in_flight_.find(token); it != in_flight_.end()) {
    sent = std::move(it->second);
    current = true;
    in_flight_.erase(it);
    if (sent.journal_id == 0) {  // an announcement
      --status_pending_;
      if (!result.ok) ++status_failed_;
      return;
    }
  } else if (auto st = stale_.find(token); st != stale_.end()) {
    sent = std::move(st->second);
    stale_.erase(st);
  } else {
    return;  // already taken as lost and its message sent again
  }
  if (result.ok) {
    // Acknowledged, even late on a token given up on: the broker has it.
    if (journal_.Ack(sent.journal_id)) {
      ++delivered_;
      ++delivered_by_topic_[sent.topic];
    }
    if (current) backoff_ = options_.min_retry;
    WatchJournal();
    return;
  }
  if (ClassifyFailure(result, options_.mqtt5) == FailureClass::kFinalRejection) {
    if (journal_.Ack(sent.journal_id)) {
      const auto n = ++rejected_;
      if (Worth(n)) {
        spdlog::error(
            "MQTT broker refused a message for good (MQTT 5 reason code 0x{:02x}, {} so "
            "far): {}",
            result.reason, n, result.why);
      }
    }
    return;
  }
  if (!current) return;  // its message was already queued again
  // Sent again in order: this one and every one after it in flight.
  SendAllAgain();
  Backoff(result.why + " (code " + std::to_string(result.rc) +
          (result.reason != 0 && result.reason != 255 ? ", reason " + std::to_string(result.reason)
                                                      : std::string()) +
          ")");
}

std::uint64_t DeliveryPolicy::delivered(const std::string& topic) const {
  const auto it = delivered_by_topic_.find(topic);
  return it == delivered_by_topic_.end() ? 0 : it->second;
}

void DeliveryPolicy::OnHomeAssistantOnline() {
  if (offline_queued_ || !connected_) return;
  int n = 0;
  for (const RetainedMessage& m : options_.retained) {
    if (m.home_assistant && PublishStatus(m.topic, m.payload)) ++n;
  }
  spdlog::info("Home Assistant came online: {} discovery message(s) published again", n);
}

bool DeliveryPolicy::PublishStatus(const std::string& topic, const std::string& payload) {
  OutgoingMessage m;
  m.topic = topic;
  m.payload = payload;
  m.qos = 1;
  m.retained = true;
  const std::uint64_t token = next_token_++;
  in_flight_[token] = InFlight{0, topic, clock_.Monotonic()};
  ++status_pending_;
  if (const int rc = client_.Publish(m, token); rc != 0) {
    in_flight_.erase(token);
    --status_pending_;
    ++status_failed_;
    spdlog::warn("MQTT message to {} not queued (code {})", topic, rc);
    return false;
  }
  return true;
}

std::optional<capture::MonotonicTime> DeliveryPolicy::Pump() {
  const capture::MonotonicTime now = clock_.Monotonic();
  WatchJournal();
  if (journal_failing_ && now >= catch_up_at_) {
    if (!journal_.CatchUp()) catch_up_at_ = now + options_.journal_retry;
    WatchJournal();
  }
  // Publishes that never completed: lost, sent again.
  bool lost_data = false;
  for (auto it = in_flight_.begin(); it != in_flight_.end();) {
    if (now - it->second.sent_at < options_.lost_after) {
      ++it;
      continue;
    }
    if (it->second.journal_id == 0) {
      --status_pending_;
      ++status_failed_;
      it = in_flight_.erase(it);
    } else {
      lost_data = true;
      ++it;
    }
  }
  if (lost_data) {
    SendAllAgain();
    Backoff("no acknowledgement within " + std::to_string(options_.lost_after.count()) + " ms");
  }
  Feed();
  WatchJournal();  // acknowledgements of expired messages
  MaybeReportBuffer(false);
  std::optional<capture::MonotonicTime> next;
  const auto earliest = [&](capture::MonotonicTime t) { next = next ? std::min(*next, t) : t; };
  if (journal_failing_) earliest(catch_up_at_);
  for (const auto& [token, f] : in_flight_) earliest(f.sent_at + options_.lost_after);
  if (connected_ && journal_.size() > journal_.in_flight() && feed_not_before_ > now) {
    earliest(feed_not_before_);
  }
  return next;
}

void DeliveryPolicy::Feed() {
  if (!connected_ || offline_queued_) return;
  const capture::MonotonicTime now = clock_.Monotonic();
  if (now < feed_not_before_) return;
  const auto wall_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(clock_.Wall().time_since_epoch())
          .count();
  bool again = true;
  while (again) {
    again = false;
    for (const JournalEntry& e : journal_.TakeForSending(options_.max_in_flight)) {
      OutgoingMessage m;
      m.topic = e.topic;
      m.payload = e.payload;
      m.qos = e.qos;
      m.retained = e.retained;
      if (options_.message_expiry.count() > 0) {
        const std::int64_t age_ms = std::max<std::int64_t>(wall_ms - e.created_ms, 0);
        const std::int64_t left_ms = options_.message_expiry.count() * 1000 - age_ms;
        if (left_ms <= 0) {
          journal_.Ack(e.id);
          const auto n = ++expired_;
          if (Worth(n)) {
            spdlog::warn("MQTT message to {} expired before it could be sent ({} so far)", e.topic,
                         n);
          }
          again = true;
          continue;
        }
        m.expiry = std::chrono::seconds((left_ms + 999) / 1000);
      }
      const std::uint64_t token = next_token_++;
      in_flight_[token] = InFlight{e.id, e.topic, now};
      if (const int rc = client_.Publish(m, token); rc != 0) {
        // Refused locally: it and what was taken after it go back, in order.
        in_flight_.erase(token);
        SendAllAgain();
        Backoff("the MQTT client did not take the message (code " + std::to_string(rc) + ")");
        return;
      }
    }
  }
}

void DeliveryPolicy::MaybeReportBuffer(bool force) {
  if (!options_.encode_buffer_report) return;
  const std::uint64_t dropped = journal_.dropped_total();
  if (!force && buffer_reported_ && dropped == reported_dropped_ && expired_ == reported_expired_ &&
      rejected_ == reported_rejected_ && journal_failing_ == reported_failing_ &&
      memory_dropped_seen_ == reported_memory_dropped_) {
    return;
  }
  if (offline_queued_ || !connected_) return;
  BufferReport r;
  r.buffered = journal_.size();
  r.max_buffered = options_.max_buffered;
  r.dropped_total = dropped;
  r.expired_total = expired_;
  r.rejected_total = rejected_;
  r.memory_only = journal_.memory_only();
  r.max_memory_only = journal_.max_memory_only();
  r.memory_dropped_total = memory_dropped_seen_;
  r.journal_error = journal_.failing_error();
  std::string payload;
  try {
    payload = options_.encode_buffer_report(r);
  } catch (const std::exception& e) {
    spdlog::error("MQTT buffer report: {}", e.what());
    return;
  }
  if (PublishStatus(options_.buffer_topic, payload)) {
    buffer_reported_ = true;
    reported_dropped_ = dropped;
    reported_expired_ = expired_;
    reported_rejected_ = rejected_;
    reported_failing_ = journal_failing_;
    reported_memory_dropped_ = memory_dropped_seen_;
  }
}

bool DeliveryPolicy::QueueOffline(bool force) {
  if (offline_queued_) return true;
  if (!connected_) return false;
  if (!force && journal_.size() > 0) return false;
  PublishStatus(options_.status_topic, "offline");
  offline_queued_ = true;
  return true;
}

}  // namespace footfall::transport
