// Purpose: MqttPublisher, the thin adapter of the delivery policy
// (delivery_policy.h) over paho.mqtt.cpp 1.2's async_client.
//
// Publish appends to the on-disk journal through the policy (never blocks on
// the network). paho's callbacks (connected, connection lost, a publish
// completed, the Home Assistant birth message) only queue an event and wake
// the worker thread; the worker hands the events to the policy in order, under
// one lock, and lets it send what is due. What is sent again, when, and what
// counts as delivered is the policy's; this file only turns paho's tokens into
// PublishResults (return code, MQTT 5 reason code, message) and the policy's
// messages into paho messages. paho's own file persistence is not used: it
// restores messages buffered while disconnected, but it drops the oldest
// silently when full and reports neither what it dropped nor what it
// restored, so the "oldest dropped and counted" rule and the pending count
// could not be kept (tried with paho C 1.3.12; see docs/mqtt.md).
//
// Reconnection is paho's automatic reconnect; because some paho C releases
// (1.3.9, for one) do not retry when the very first connect fails, failed
// connects are also retried here, with capped exponential backoff, until the
// first connection succeeds.
//
// Shutdown waits (until its deadline) for a connection and for the journal to
// drain, then queues the retained "offline" and waits for its acknowledgement.
// Nothing is published after "offline". What is left stays in the journal for
// the next start.
//
// paho quirks handled here: the connect options (with the Last Will and the
// SSL options) must outlive the client's use of them, so they are members;
// payloads are always std::string; MQTT 5 is set in both the create and the
// connect options; the MQTT 5 connect properties are set on the member last
// (a copy of connect_options in 1.2 still points at the original's); the action listeners are
// declared before the client so they outlive it. paho C calls the connected handler while holding
// its global mutex, so a callback must never wait for a lock that is held around a paho call:
// callbacks only touch atomics and short leaf locks and wake the worker, which does everything
// else.
#include "transport/mqtt_publisher.h"

#include <mqtt/async_client.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <utility>

#include "capture/clock.h"
#include "transport/delivery_policy.h"
#include "transport/message_journal.h"
#include "transport/tls_probe.h"

namespace footfall::transport {

namespace {

using Clock = std::chrono::steady_clock;

// Data messages handed to paho and not yet acknowledged, at most.
constexpr std::size_t kMaxInFlight = 20;
// A publish paho neither completed nor failed after this long is lost.
constexpr std::chrono::seconds kLostAfter{120};
// paho's own buffer (announcements and in-flight data while reconnecting).
constexpr int kPahoBuffer = 1000;
// MQTT 5 session expiry: the broker keeps the session (subscription and
// in-flight state) this long after a disconnection.
constexpr int kSessionExpirySeconds = 7 * 24 * 3600;

// Runs an event callback, if set, never letting an exception reach paho.
template <typename F, typename... Args>
void Notify(const F& callback, const Args&... args) noexcept {
  if (!callback) return;
  try {
    callback(args...);
  } catch (const std::exception& e) {
    spdlog::error("MQTT event handler threw: {}", e.what());
  } catch (...) {
    spdlog::error("MQTT event handler threw");
  }
}

// paho C's message of a completed, failed token ("TCP/TLS connect failure").
// paho 1.2 has no getter for it: it is only in the exception that try_wait()
// throws for a failed token (complete, and unlocked, when listeners run).
std::string PahoMessage(const mqtt::token& tok) {
  try {
    const_cast<mqtt::token&>(tok).try_wait();
  } catch (const mqtt::exception& e) {
    return e.what();
  } catch (...) {
  }
  return mqtt::exception::error_str(tok.get_return_code()) + " (code " +
         std::to_string(tok.get_return_code()) + ")";
}

// A connect failure in words an operator can act on. `rc` is paho's return
// code (for MQTT 3.1.1, the CONNACK code), `reason` the MQTT 5 reason code.
std::string DescribeConnectFailure(int rc, int reason, const std::string& paho,
                                   const std::string& tls_error) {
  // MQTT 5 refusals come as the return code or as the reason code.
  const auto is = [&](int v3_code, int v5_code) {
    return rc == v3_code || rc == v5_code || reason == v5_code;
  };
  const bool bad_credentials = is(4, 0x86);
  const bool not_authorized = is(5, 0x87);
  if (bad_credentials) {
    return "the broker refused the user name or password ([mqtt] username, password_file; " + paho +
           ")";
  }
  if (not_authorized) {
    return "the broker did not authorize this client: wrong user name or password, or not "
           "allowed ([mqtt] username, password_file, the broker's ACL; " +
           paho + ")";
  }
  if (is(1, 0x84)) {
    return "the broker does not support this MQTT version (try [mqtt] version = \"3.1.1\"; " +
           paho + ")";
  }
  if (is(2, 0x85)) return "the broker rejected the client id (" + paho + ")";
  if (tls_error.rfind("certificate verify failed", 0) == 0) {
    return "TLS handshake failed: " + tls_error +
           " (is [mqtt] ca_file the CA that signed the broker's certificate, and does the "
           "certificate name the host of [mqtt] uri?)";
  }
  if (tls_error.rfind("cannot ", 0) == 0) return tls_error + " (" + paho + ")";
  if (!tls_error.empty()) return "TLS handshake failed: " + tls_error + " (" + paho + ")";
  return paho;
}

void* IdContext(std::uint64_t id) {
  return reinterpret_cast<void*>(static_cast<std::uintptr_t>(id));
}

}  // namespace

class MqttPublisher::Impl final : public MqttClient {
 public:
  Impl(MqttOptions options, MqttEvents events);
  ~Impl() override;
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  void Publish(const std::string& topic_suffix, std::string payload);
  void PublishState(const std::string& topic_suffix, std::string payload);
  std::size_t pending() const;
  bool journal_kept() const { return !journal_->failing(); }
  BufferHealth buffer_health() const {
    BufferHealth h;
    h.journal_error = journal_->failing_error();
    h.memory_only = journal_->memory_only();
    h.max_memory_only = journal_->max_memory_only();
    h.memory_dropped = journal_->memory_dropped_total();
    return h;
  }
  std::size_t buffered() const { return journal_->size(); }
  bool connected() const { return connected_.load(); }
  std::uint64_t dropped() const { return journal_->dropped_total(); }
  std::uint64_t delivered(const std::string& topic_suffix) {
    std::lock_guard<std::mutex> lock(policy_mutex_);
    return policy_->delivered(options_.topic_base + "/" + topic_suffix);
  }
  std::uint64_t rejected() const { return rejected_.load(); }
  std::string last_error() const;
  bool Shutdown(std::chrono::milliseconds timeout);

 private:
  class ConnectListener final : public mqtt::iaction_listener {
   public:
    explicit ConnectListener(Impl& impl) : impl_(impl) {}
    void on_success(const mqtt::token&) override {}
    void on_failure(const mqtt::token& tok) override {
      impl_.OnConnectFailed(tok.get_return_code(), static_cast<int>(tok.get_reason_code()),
                            PahoMessage(tok));
    }

   private:
    Impl& impl_;
  };
  class PublishListener final : public mqtt::iaction_listener {
   public:
    explicit PublishListener(Impl& impl) : impl_(impl) {}
    void on_success(const mqtt::token& tok) override { impl_.OnPublishDone(tok, true); }
    void on_failure(const mqtt::token& tok) override { impl_.OnPublishDone(tok, false); }

   private:
    Impl& impl_;
  };
  // What paho's thread tells the worker, in order.
  struct Event {
    enum Kind { kConnected, kConnectionLost, kPublishDone, kHomeAssistantOnline } kind;
    std::uint64_t token = 0;
    PublishResult result;
  };

  // MqttClient, for the policy (the worker's thread, under policy_mutex_).
  int Publish(const OutgoingMessage& message, std::uint64_t token) override;

  mqtt::connect_options MakeConnectOptions();
  void Connect();
  // paho's thread:
  void OnConnected(const std::string& cause);
  void OnConnectionLost(const std::string& cause);
  void OnConnectFailed(int rc, int reason, const std::string& paho);
  void OnPublishDone(const mqtt::token& tok, bool ok);
  void OnMessage(mqtt::const_message_ptr msg);
  void Post(Event event);
  void Wake();
  void SetLastError(const std::string& text);
  // The worker's thread:
  void WorkerLoop();
  void StopWorker();
  // Hands the queued events to the policy and lets it send; returns when it
  // next wants to run.
  std::optional<Clock::time_point> RunPolicy();
  void Mirror();  // needs policy_mutex_
  void Subscribe();
  void ExplainTlsFailure(const std::string& paho_why);
  void CompactJournal();  // logs a rewrite that failed
  mqtt::message_ptr MakeMessage(const OutgoingMessage& m) const;

  const MqttOptions options_;
  const MqttEvents events_;
  const bool v5_;
  std::unique_ptr<MessageJournal> journal_;

  std::atomic<bool> connected_{false};
  std::atomic<bool> ever_connected_{false};
  std::atomic<bool> shutting_down_{false};  // Publish refuses from now on
  std::atomic<bool> shut_down_{false};
  std::atomic<std::int64_t> final_pending_{0};
  std::atomic<std::size_t> status_pending_{0};  // mirrors of the policy's figures
  std::atomic<std::uint64_t> rejected_{0};
  std::atomic<std::uint64_t> drops_this_run_{0};

  // Leaf lock for the texts of errors (paho's thread writes them).
  mutable std::mutex error_mutex_;
  std::string last_error_;  // guarded by error_mutex_

  // The policy. Held around paho calls, so never taken on paho's threads.
  std::mutex policy_mutex_;
  std::unique_ptr<DeliveryPolicy> policy_;  // guarded by policy_mutex_

  // Wakes Shutdown() when events have been processed.
  std::mutex drain_mutex_;
  std::condition_variable drain_cv_;

  // Events from paho's thread; a leaf lock.
  std::mutex event_mutex_;
  std::vector<Event> events_queue_;  // guarded by event_mutex_

  // The worker. A leaf lock: nothing else is locked while holding it.
  std::mutex worker_mutex_;
  std::condition_variable worker_cv_;
  std::optional<Clock::time_point> retry_at_;  // guarded by worker_mutex_
  std::chrono::seconds backoff_;               // guarded by worker_mutex_
  bool subscribe_due_ = false;                 // guarded by worker_mutex_
  std::optional<std::string> tls_probe_due_;   // guarded by worker_mutex_
  bool wake_ = false;                          // guarded by worker_mutex_
  bool stop_worker_ = false;                   // guarded by worker_mutex_
  std::thread worker_;

  std::mutex shutdown_mutex_;  // serializes Shutdown() calls

  // Declared before the client, which calls them, so they outlive it.
  ConnectListener connect_listener_{*this};
  PublishListener publish_listener_{*this};
  mqtt::connect_options connect_options_;
  std::unique_ptr<mqtt::async_client> client_;
};

MqttPublisher::Impl::Impl(MqttOptions options, MqttEvents events)
    : options_(std::move(options)),
      events_(std::move(events)),
      v5_(options_.mqtt_version == 5),
      backoff_(options_.min_retry) {
  if (options_.topic_base.empty()) throw std::runtime_error("MQTT topic base is empty");
  if (options_.client_id.empty()) throw std::runtime_error("MQTT client id is empty");
  if (options_.journal_path.empty()) throw std::runtime_error("MQTT journal path is empty");
  if (options_.qos < 0 || options_.qos > 2) {
    throw std::runtime_error("MQTT QoS must be 0, 1 or 2");
  }
  if (options_.mqtt_version != 4 && options_.mqtt_version != 5) {
    throw std::runtime_error("MQTT version must be 4 (3.1.1) or 5");
  }
  if (options_.max_buffered < 1) throw std::runtime_error("MQTT max_buffered must be >= 1");
  if (options_.max_memory_buffered < 1) {
    throw std::runtime_error("MQTT max_memory_buffered must be >= 1");
  }
  if (options_.min_retry.count() < 1 || options_.max_retry < options_.min_retry) {
    throw std::runtime_error("MQTT retry interval must satisfy 1 s <= min <= max");
  }
  const bool tls = options_.broker.tls;
  if (!tls &&
      (!options_.ca_file.empty() || !options_.cert_file.empty() || !options_.key_file.empty())) {
    throw std::runtime_error("MQTT TLS files are set but " + options_.broker.uri +
                             " is not a TLS URI (ssl://, mqtts:// or wss://)");
  }

  journal_ = std::make_unique<MessageJournal>(
      options_.journal_path, static_cast<std::size_t>(options_.max_buffered),
      static_cast<std::size_t>(options_.max_memory_buffered));
  if (!journal_->open_note().empty()) spdlog::warn("{}", journal_->open_note());
  if (journal_->size() > 0) {
    spdlog::info("MQTT journal {}: {} unacknowledged message(s) from an earlier run will be sent",
                 journal_->path(), journal_->size());
  }

  DeliveryOptions d;
  d.status_topic = options_.topic_base + "/status";
  d.buffer_topic = options_.topic_base + "/buffer";
  d.retained = options_.retained;
  d.max_buffered = static_cast<std::size_t>(options_.max_buffered);
  d.mqtt5 = v5_;
  d.message_expiry = options_.message_expiry;
  d.max_in_flight = kMaxInFlight;
  d.min_retry = options_.min_retry;
  d.max_retry = options_.max_retry;
  d.lost_after = std::max<std::chrono::milliseconds>(kLostAfter, 3 * options_.keep_alive);
  d.encode_buffer_report = options_.encode_buffer_report;
  policy_ =
      std::make_unique<DeliveryPolicy>(std::move(d), *journal_, *this, capture::SystemClock());

  const int version = v5_ ? MQTTVERSION_5 : MQTTVERSION_3_1_1;
  const auto create_options = mqtt::create_options_builder()
                                  .mqtt_version(version)
                                  .send_while_disconnected(true, true)
                                  .max_buffered_messages(kPahoBuffer)
                                  .finalize();
  connect_options_ = MakeConnectOptions();
  if (v5_) {
    // Set on the member itself, last: paho.mqtt.cpp 1.2 does not re-point a
    // copy's C struct at the copy's properties, so every copy (connect()
    // takes the options by value) must find them here, alive.
    connect_options_.set_properties(
        mqtt::properties{{mqtt::property::SESSION_EXPIRY_INTERVAL, kSessionExpirySeconds}});
  }

  try {
    client_ = std::make_unique<mqtt::async_client>(options_.broker.uri, options_.client_id,
                                                   create_options, nullptr);
  } catch (const mqtt::exception& e) {
    throw std::runtime_error("cannot create MQTT client for " + options_.broker.uri + ": " +
                             e.what());
  }
  client_->set_connected_handler([this](const std::string& cause) { OnConnected(cause); });
  client_->set_connection_lost_handler(
      [this](const std::string& cause) { OnConnectionLost(cause); });
  client_->set_message_callback([this](mqtt::const_message_ptr msg) { OnMessage(msg); });

  worker_ = std::thread([this] { WorkerLoop(); });
  Connect();
}

mqtt::connect_options MqttPublisher::Impl::MakeConnectOptions() {
  const std::string status_topic = options_.topic_base + "/status";
  auto builder = mqtt::connect_options_builder();
  builder.mqtt_version(v5_ ? MQTTVERSION_5 : MQTTVERSION_3_1_1)
      .clean_session(false)
      .keep_alive_interval(options_.keep_alive)
      .connect_timeout(std::chrono::seconds(10))
      .automatic_reconnect(options_.min_retry, options_.max_retry)
      .will(mqtt::will_options(status_topic, std::string("offline"), 1, true));
  if (v5_) builder.clean_start(false);
  if (!options_.username.empty()) builder.user_name(options_.username);
  if (!options_.password.empty()) builder.password(mqtt::binary_ref(options_.password));
  if (options_.broker.tls) {
    mqtt::ssl_options ssl;
    if (!options_.ca_file.empty()) ssl.set_trust_store(options_.ca_file);
    if (!options_.cert_file.empty()) ssl.set_key_store(options_.cert_file);
    if (!options_.key_file.empty()) ssl.set_private_key(options_.key_file);
    ssl.set_enable_server_cert_auth(options_.verify);
    ssl.set_verify(options_.verify);  // the host name too
    builder.ssl(std::move(ssl));
  }
  return builder.finalize();
}

MqttPublisher::Impl::~Impl() {
  if (!shut_down_.load()) Shutdown(std::chrono::seconds(1));
  StopWorker();
  try {
    client_->disable_callbacks();
  } catch (...) {
  }
  client_.reset();
}

void MqttPublisher::Impl::Connect() {
  try {
    client_->connect(connect_options_, nullptr, connect_listener_);
  } catch (const mqtt::exception& e) {
    OnConnectFailed(e.get_return_code(), 0, e.what());
  }
}

void MqttPublisher::Impl::Wake() {
  {
    std::lock_guard<std::mutex> lock(worker_mutex_);
    wake_ = true;
  }
  worker_cv_.notify_all();
}

void MqttPublisher::Impl::Post(Event event) {
  {
    std::lock_guard<std::mutex> lock(event_mutex_);
    events_queue_.push_back(std::move(event));
  }
  Wake();
}

void MqttPublisher::Impl::SetLastError(const std::string& text) {
  std::lock_guard<std::mutex> lock(error_mutex_);
  last_error_ = text;
}

std::string MqttPublisher::Impl::last_error() const {
  std::lock_guard<std::mutex> lock(error_mutex_);
  return last_error_;
}

void MqttPublisher::Impl::OnConnected(const std::string& cause) {
  {
    std::lock_guard<std::mutex> lock(worker_mutex_);
    retry_at_.reset();
    backoff_ = options_.min_retry;
    subscribe_due_ = !options_.ha_status_topic.empty();
  }
  SetLastError("");
  ever_connected_ = true;
  connected_ = true;
  Post(Event{Event::kConnected, 0, {}});
  spdlog::debug("MQTT connected to {} ({})", options_.broker.uri, cause);
  Notify(events_.on_connected);
}

void MqttPublisher::Impl::OnConnectionLost(const std::string& cause) {
  connected_ = false;
  const std::string why = cause.empty() ? "connection lost" : cause;
  SetLastError("connection lost: " + why);
  Post(Event{Event::kConnectionLost, 0, {}});
  spdlog::debug("MQTT connection to {} lost: {}", options_.broker.uri, why);
  if (!shut_down_.load()) Notify(events_.on_connection_lost, why);
}

void MqttPublisher::Impl::OnConnectFailed(int rc, int reason, const std::string& paho) {
  const std::string why = DescribeConnectFailure(rc, reason, paho, "");
  SetLastError(why);
  spdlog::debug("MQTT connect to {} failed: {}", options_.broker.uri, why);
  // paho says only "TCP/TLS connect failure": the worker finds out why with a
  // handshake of its own (tls_probe.h), then reports.
  const bool probe = options_.broker.tls && rc == MQTTASYNC_FAILURE;
  {
    std::lock_guard<std::mutex> lock(worker_mutex_);
    if (!stop_worker_ && !ever_connected_.load() && !connected_.load()) {
      retry_at_ = Clock::now() + backoff_;
      backoff_ = std::min(backoff_ * 2, options_.max_retry);
    }
    if (probe) tls_probe_due_ = why;
    wake_ = true;
  }
  worker_cv_.notify_all();
  if (!probe && !shut_down_.load()) Notify(events_.on_connect_failed, why);
}

void MqttPublisher::Impl::ExplainTlsFailure(const std::string& paho_why) {
  TlsProbeOptions probe;
  probe.broker = options_.broker;
  probe.ca_file = options_.ca_file;
  probe.cert_file = options_.cert_file;
  probe.key_file = options_.key_file;
  probe.verify = options_.verify;
  const Status tls = ProbeTls(probe);
  const std::string why = tls ? paho_why : DescribeConnectFailure(-1, 0, paho_why, tls.error());
  if (!connected_.load()) SetLastError(why);
  if (!shut_down_.load()) Notify(events_.on_connect_failed, why);
}

void MqttPublisher::Impl::OnPublishDone(const mqtt::token& tok, bool ok) {
  Event e{Event::kPublishDone,
          static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(tok.get_user_context())),
          {}};
  e.result.ok = ok;
  if (!ok) {
    e.result.rc = tok.get_return_code();
    e.result.reason = static_cast<int>(tok.get_reason_code());
    e.result.why = PahoMessage(tok);
  }
  Post(std::move(e));
}

void MqttPublisher::Impl::OnMessage(mqtt::const_message_ptr msg) {
  if (!msg || options_.ha_status_topic.empty()) return;
  if (msg->get_topic() == options_.ha_status_topic && msg->to_string() == "online") {
    Post(Event{Event::kHomeAssistantOnline, 0, {}});
  }
}

int MqttPublisher::Impl::Publish(const OutgoingMessage& message, std::uint64_t token) {
  try {
    client_->publish(MakeMessage(message), IdContext(token), publish_listener_);
    return 0;
  } catch (const mqtt::exception& e) {
    spdlog::debug("MQTT publish to {} not queued: {}", message.topic, e.what());
    return e.get_return_code() != 0 ? e.get_return_code() : MQTTASYNC_FAILURE;
  }
}

void MqttPublisher::Impl::Mirror() {
  status_pending_ = policy_->status_pending();
  rejected_ = policy_->rejected();
}

std::optional<Clock::time_point> MqttPublisher::Impl::RunPolicy() {
  std::vector<Event> events;
  {
    std::lock_guard<std::mutex> lock(event_mutex_);
    events.swap(events_queue_);
  }
  std::optional<Clock::time_point> next;
  {
    std::lock_guard<std::mutex> lock(policy_mutex_);
    for (const Event& e : events) {
      switch (e.kind) {
        case Event::kConnected:
          policy_->OnConnected();
          break;
        case Event::kConnectionLost:
          policy_->OnConnectionLost();
          break;
        case Event::kPublishDone:
          policy_->OnPublishDone(e.token, e.result);
          break;
        case Event::kHomeAssistantOnline:
          policy_->OnHomeAssistantOnline();
          break;
      }
    }
    next = policy_->Pump();
    Mirror();
  }
  drain_cv_.notify_all();
  return next;
}

void MqttPublisher::Impl::Subscribe() {
  try {
    client_->subscribe(options_.ha_status_topic, 1);
  } catch (const mqtt::exception& e) {
    spdlog::warn("MQTT subscribe to {} failed: {}", options_.ha_status_topic, e.what());
  }
}

void MqttPublisher::Impl::WorkerLoop() {
  std::unique_lock<std::mutex> lock(worker_mutex_);
  while (!stop_worker_) {
    if (tls_probe_due_) {
      const std::string why = *std::exchange(tls_probe_due_, std::nullopt);
      lock.unlock();
      ExplainTlsFailure(why);
      lock.lock();
      continue;
    }
    if (retry_at_ && Clock::now() >= *retry_at_) {
      retry_at_.reset();
      if (!ever_connected_.load() && !connected_.load()) {
        lock.unlock();
        Connect();  // may call OnConnectFailed, which takes the lock
        lock.lock();
      }
      continue;
    }
    const bool subscribe = std::exchange(subscribe_due_, false);
    wake_ = false;
    lock.unlock();
    const std::optional<Clock::time_point> next = RunPolicy();
    if (subscribe) Subscribe();
    CompactJournal();
    journal_->MaybeSync();
    lock.lock();
    if (wake_ || stop_worker_) continue;
    // Sleep until woken, a retry is due, the policy has something to do, or
    // a second passed (journal flush).
    auto until = Clock::now() + std::chrono::seconds(1);
    if (retry_at_) until = std::min(until, *retry_at_);
    if (next) until = std::min(until, *next);
    worker_cv_.wait_until(lock, until);
  }
}

void MqttPublisher::Impl::StopWorker() {
  {
    std::lock_guard<std::mutex> lock(worker_mutex_);
    stop_worker_ = true;
    retry_at_.reset();
  }
  worker_cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

mqtt::message_ptr MqttPublisher::Impl::MakeMessage(const OutgoingMessage& m) const {
  auto msg = mqtt::make_message(m.topic, m.payload, m.qos, m.retained);
  if (v5_) {
    mqtt::properties props;
    if (!m.payload.empty() && m.payload.front() == '{') {
      props.add(mqtt::property(mqtt::property::CONTENT_TYPE, std::string("application/json")));
    }
    if (m.expiry.count() > 0) {
      props.add(mqtt::property(mqtt::property::MESSAGE_EXPIRY_INTERVAL,
                               static_cast<int>(m.expiry.count())));
    }
    msg->set_properties(props);
  }
  return msg;
}

void MqttPublisher::Impl::CompactJournal() {
  // A rewrite not written lost nothing (the old file is kept); a journal that
  // cannot be written at all is failing(), the policy's to report.
  if (const Status compacted = journal_->MaybeCompact(); !compacted) {
    spdlog::error("{}", compacted.error());
  }
}

void MqttPublisher::Impl::Publish(const std::string& topic_suffix, std::string payload) {
  if (shutting_down_.load()) {
    spdlog::warn("MQTT message to {}/{} after shutdown dropped", options_.topic_base, topic_suffix);
    return;
  }
  const std::uint64_t dropped_before = journal_->dropped_total();
  {
    std::lock_guard<std::mutex> lock(policy_mutex_);
    policy_->Enqueue(options_.topic_base + "/" + topic_suffix, std::move(payload), options_.qos);
  }
  const std::uint64_t dropped_now = journal_->dropped_total();
  if (dropped_now != dropped_before) {
    // The first drop of this run, then every 1000th.
    const auto n = ++drops_this_run_;
    if (n == 1 || n % 1000 == 0) {
      spdlog::warn("MQTT buffer full ({} messages): the oldest message dropped ({} in total)",
                   options_.max_buffered, dropped_now);
    }
  }
  CompactJournal();
  Wake();
}

void MqttPublisher::Impl::PublishState(const std::string& topic_suffix, std::string payload) {
  if (shutting_down_.load()) return;  // the last state stays retained
  std::lock_guard<std::mutex> lock(policy_mutex_);
  policy_->PublishState(options_.topic_base + "/" + topic_suffix, std::move(payload));
}

std::size_t MqttPublisher::Impl::pending() const {
  const std::int64_t n = shut_down_.load() ? final_pending_.load()
                                           : static_cast<std::int64_t>(journal_->size()) +
                                                 static_cast<std::int64_t>(status_pending_.load());
  return n > 0 ? static_cast<std::size_t>(n) : 0;
}

bool MqttPublisher::Impl::Shutdown(std::chrono::milliseconds timeout) {
  std::lock_guard<std::mutex> once(shutdown_mutex_);
  if (shut_down_.load()) return pending() == 0;
  shutting_down_ = true;
  const auto deadline = Clock::now() + timeout;
  Wake();
  const auto queue_offline = [&](bool force) {
    std::lock_guard<std::mutex> lock(policy_mutex_);
    const bool queued = policy_->QueueOffline(force);
    Mirror();
    return queued;
  };
  bool offline = false;
  while (true) {
    if (!offline) offline = queue_offline(false);
    if (offline && status_pending_.load() == 0) break;
    const auto now = Clock::now();
    if (now >= deadline) {
      // Out of time: still say "offline" if there is a connection, briefly.
      if (!offline && queue_offline(true)) {
        offline = true;
        Wake();
        std::unique_lock<std::mutex> lock(drain_mutex_);
        drain_cv_.wait_for(lock, std::chrono::milliseconds(500),
                           [&] { return status_pending_.load() == 0; });
      }
      break;
    }
    std::unique_lock<std::mutex> lock(drain_mutex_);
    drain_cv_.wait_until(lock, std::min(deadline, now + std::chrono::milliseconds(20)));
  }
  StopWorker();
  try {
    // Everything acknowledged (or given up on): a short grace is enough.
    client_->disconnect(std::chrono::milliseconds(500))->wait_for(std::chrono::seconds(2));
  } catch (const mqtt::exception& e) {
    spdlog::debug("MQTT disconnect: {}", e.what());
  }
  connected_ = false;
  RunPolicy();  // late acknowledgements (the policy sends nothing after "offline")
  if (const Status tidied = journal_->Tidy(); !tidied) spdlog::error("{}", tidied.error());
  journal_->Sync();
  const std::size_t memory_only = journal_->memory_only();
  if (memory_only > 0) {
    spdlog::error("MQTT shutdown: {} unacknowledged message(s) held in memory only are lost: {}",
                  memory_only, journal_->failing_error());
  }
  const std::size_t kept = journal_->size() - memory_only;
  // An "offline" never queued (no connection) counts as unacknowledged too.
  const std::int64_t left = static_cast<std::int64_t>(kept + memory_only) +
                            static_cast<std::int64_t>(status_pending_.load()) + (offline ? 0 : 1);
  final_pending_ = left;
  shut_down_ = true;
  if (left > 0) {
    spdlog::warn(
        "MQTT shutdown: {} message(s) not acknowledged by {}; {} kept in {} for the next "
        "start",
        left, options_.broker.uri, kept, journal_->path());
  }
  return left == 0;
}

MqttPublisher::MqttPublisher(MqttOptions options, MqttEvents events)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(events))) {}

MqttPublisher::~MqttPublisher() = default;

void MqttPublisher::Publish(const std::string& topic_suffix, std::string payload) {
  impl_->Publish(topic_suffix, std::move(payload));
}

void MqttPublisher::PublishState(const std::string& topic_suffix, std::string payload) {
  impl_->PublishState(topic_suffix, std::move(payload));
}

std::size_t MqttPublisher::pending() const { return impl_->pending(); }
bool MqttPublisher::pending_kept() const { return impl_->journal_kept(); }
BufferHealth MqttPublisher::buffer_health() const { return impl_->buffer_health(); }

bool MqttPublisher::connected() const { return impl_->connected(); }

std::uint64_t MqttPublisher::dropped() const { return impl_->dropped(); }

std::uint64_t MqttPublisher::delivered(const std::string& topic_suffix) const {
  return impl_->delivered(topic_suffix);
}

std::uint64_t MqttPublisher::rejected() const { return impl_->rejected(); }

std::string MqttPublisher::last_error() const { return impl_->last_error(); }

bool MqttPublisher::Shutdown(std::chrono::milliseconds timeout) { return impl_->Shutdown(timeout); }

std::size_t MqttPublisher::buffered() const { return impl_->buffered(); }

}  // namespace footfall::transport
