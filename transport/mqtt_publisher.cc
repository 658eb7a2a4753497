// Purpose: MqttPublisher on paho.mqtt.cpp 1.2's async_client. Messages are
// handed to paho at once (it buffers them while disconnected, up to
// max_buffered) and counted as pending until the broker acknowledges them.
// Reconnection is paho's automatic reconnect; because some paho C releases
// (1.3.9, for one) do not retry when the very first connect fails, failed
// connects that paho reports are also retried here, with capped exponential
// backoff, until the first connection succeeds (Debian's 1.3.12 does retry by
// itself; a redundant connect meanwhile is harmless, as the tests show).
//
// Shutdown queues the retained "offline" as soon as there is a connection
// (preceded by "online" if the connection came up only now, e.g. at the end of
// a short file replay), waits for every acknowledgement until the deadline,
// then disconnects. Nothing is published after "offline".
//
// paho quirks handled here: the connect options (with the Last Will) must
// outlive the client's use of them, so they are members; payloads are always
// std::string (a string literal binds to a pointer+length overload); the action
// listeners are declared before the client so they outlive it. paho C calls
// the connected handler while holding its global mutex, so a callback must
// never wait for a lock that is held around a paho call (lock-order inversion,
// found by ThreadSanitizer): callbacks only touch atomics and short leaf locks,
// and the retained "online" is published by a small worker thread, which also
// runs the connect retries, under the lock that orders it against "offline".
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

namespace footfall::transport {

namespace {

using Clock = std::chrono::steady_clock;

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

// The failure of a completed token, with paho C's message when it has one
// ("TCP/TLS connect failure"). paho 1.2 has no getter for that message:
// it is only in the exception that try_wait() throws for a failed token (which
// is complete, and unlocked, when listeners are called).
std::string Why(const mqtt::token& tok) {
  try {
    const_cast<mqtt::token&>(tok).try_wait();
  } catch (const mqtt::exception& e) {
    return e.what();
  } catch (...) {
  }
  return mqtt::exception::error_str(tok.get_return_code()) + " (code " +
         std::to_string(tok.get_return_code()) + ")";
}

}  // namespace

class MqttPublisher::Impl final {
 public:
  Impl(MqttOptions options, MqttEvents events);
  ~Impl();
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  void Publish(const std::string& topic_suffix, std::string payload);
  std::size_t pending() const;
  bool connected() const { return connected_.load(); }
  bool Shutdown(std::chrono::milliseconds timeout);

 private:
  class ConnectListener final : public mqtt::iaction_listener {
   public:
    explicit ConnectListener(Impl& impl) : impl_(impl) {}
    void on_success(const mqtt::token&) override {}
    void on_failure(const mqtt::token& tok) override { impl_.OnConnectFailed(Why(tok)); }

   private:
    Impl& impl_;
  };
  class PublishListener final : public mqtt::iaction_listener {
   public:
    explicit PublishListener(Impl& impl) : impl_(impl) {}
    void on_success(const mqtt::token&) override { impl_.OnPublishDone(true, ""); }
    void on_failure(const mqtt::token& tok) override { impl_.OnPublishDone(false, Why(tok)); }

   private:
    Impl& impl_;
  };

  void Connect();
  void OnConnected(const std::string& cause);
  void OnConnectionLost(const std::string& cause);
  void OnConnectFailed(const std::string& why);
  void OnPublishDone(bool ok, const std::string& why);
  void WorkerLoop();
  void StopWorker();
  // "online" after each connection, unless "offline" was queued already.
  void PublishOnline();
  bool TakeOnlineDue();
  // During Shutdown: once connected, queues "online" (if still due) and then
  // "offline". True once "offline" is queued.
  bool QueueOfflineIfConnected();
  // Hands one message to paho; false if paho refused it (buffer full).
  bool Enqueue(const std::string& topic, std::string payload, int qos, bool retained);

  const MqttOptions options_;
  const MqttEvents events_;
  const std::string status_topic_;

  std::atomic<bool> connected_{false};
  std::atomic<bool> ever_connected_{false};
  std::atomic<std::int64_t> pending_{0};
  std::atomic<std::uint64_t> dropped_{0};  // refused by paho (buffer full)
  std::atomic<std::uint64_t> failed_{0};   // accepted, then failed by paho
  std::atomic<bool> shut_down_{false};
  std::atomic<std::int64_t> final_pending_{0};

  // Orders the retained "online" (worker thread) against "offline" (Shutdown):
  // nothing is published after "offline". Held around paho calls, so never
  // taken on paho's threads; taken before worker_mutex_.
  std::mutex status_mutex_;
  bool offline_queued_ = false;  // guarded by status_mutex_

  // Wakes Shutdown() when acknowledgements arrive.
  std::mutex drain_mutex_;
  std::condition_variable drain_cv_;

  // The worker: connect retries before the first success, and "online" after
  // each connection. A leaf lock: nothing else is locked while holding it.
  std::mutex worker_mutex_;
  std::condition_variable worker_cv_;
  std::optional<Clock::time_point> retry_at_;  // guarded by worker_mutex_
  std::chrono::seconds backoff_;               // guarded by worker_mutex_
  bool online_due_ = false;                    // guarded by worker_mutex_
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
      status_topic_(options_.topic_base + "/status"),
      backoff_(options_.min_retry) {
  if (options_.topic_base.empty()) throw std::runtime_error("MQTT topic base is empty");
  if (options_.client_id.empty()) throw std::runtime_error("MQTT client id is empty");
  if (options_.qos < 0 || options_.qos > 2) {
    throw std::runtime_error("MQTT QoS must be 0, 1 or 2");
  }
  if (options_.max_buffered < 1) throw std::runtime_error("MQTT max_buffered must be >= 1");
  if (options_.min_retry.count() < 1 || options_.max_retry < options_.min_retry) {
    throw std::runtime_error("MQTT retry interval must satisfy 1 s <= min <= max");
  }

  const auto create_options = mqtt::create_options_builder()
                                  .mqtt_version(MQTTVERSION_3_1_1)
                                  .send_while_disconnected(true, true)
                                  .max_buffered_messages(options_.max_buffered)
                                  .finalize();
  auto builder = mqtt::connect_options_builder();
  builder.mqtt_version(MQTTVERSION_3_1_1)
      .clean_session(false)
      .keep_alive_interval(options_.keep_alive)
      .connect_timeout(std::chrono::seconds(10))
      .automatic_reconnect(options_.min_retry, options_.max_retry)
      .will(mqtt::will_options(status_topic_, std::string("offline"), 1, true));
  const std::string& uri = options_.uri;
  if (uri.rfind("ssl://", 0) == 0 || uri.rfind("mqtts://", 0) == 0 || uri.rfind("wss://", 0) == 0) {
    builder.ssl(mqtt::ssl_options());  // verify the server with the system's CAs
  }
  connect_options_ = builder.finalize();

  try {
    client_ = std::make_unique<mqtt::async_client>(options_.uri, options_.client_id, create_options,
                                                   nullptr);
  } catch (const mqtt::exception& e) {
    throw std::runtime_error("cannot create MQTT client for " + options_.uri + ": " + e.what());
  }
  client_->set_connected_handler([this](const std::string& cause) { OnConnected(cause); });
  client_->set_connection_lost_handler(
      [this](const std::string& cause) { OnConnectionLost(cause); });

  worker_ = std::thread([this] { WorkerLoop(); });
  Connect();
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
    OnConnectFailed(e.what());
  }
}

void MqttPublisher::Impl::OnConnected(const std::string& cause) {
  {
    std::lock_guard<std::mutex> lock(worker_mutex_);
    retry_at_.reset();
    backoff_ = options_.min_retry;
    online_due_ = true;  // before connected_, which Shutdown reads first
  }
  ever_connected_ = true;
  connected_ = true;
  worker_cv_.notify_all();
  spdlog::debug("MQTT connected to {} ({})", options_.uri, cause);
  Notify(events_.on_connected);
}

void MqttPublisher::Impl::OnConnectionLost(const std::string& cause) {
  connected_ = false;
  const std::string why = cause.empty() ? "connection lost" : cause;
  spdlog::debug("MQTT connection to {} lost: {}", options_.uri, why);
  if (!shut_down_.load()) Notify(events_.on_connection_lost, why);
}

void MqttPublisher::Impl::OnConnectFailed(const std::string& why) {
  spdlog::debug("MQTT connect to {} failed: {}", options_.uri, why);
  bool retry = false;
  {
    std::lock_guard<std::mutex> lock(worker_mutex_);
    if (!stop_worker_ && !ever_connected_.load() && !connected_.load()) {
      retry_at_ = Clock::now() + backoff_;
      backoff_ = std::min(backoff_ * 2, options_.max_retry);
      retry = true;
    }
  }
  if (retry) worker_cv_.notify_all();
  if (!shut_down_.load()) Notify(events_.on_connect_failed, why);
}

void MqttPublisher::Impl::WorkerLoop() {
  std::unique_lock<std::mutex> lock(worker_mutex_);
  while (!stop_worker_) {
    if (online_due_) {
      lock.unlock();
      PublishOnline();  // takes online_due_ under both locks
      lock.lock();
      continue;
    }
    if (!retry_at_) {
      worker_cv_.wait(lock);
      continue;
    }
    if (Clock::now() < *retry_at_) {
      worker_cv_.wait_until(lock, *retry_at_);
      continue;  // re-examine: stopped, online due, retry cancelled or due
    }
    retry_at_.reset();
    if (ever_connected_.load() || connected_.load()) continue;
    lock.unlock();
    Connect();  // may call OnConnectFailed, which takes the lock
    lock.lock();
  }
}

void MqttPublisher::Impl::PublishOnline() {
  std::lock_guard<std::mutex> lock(status_mutex_);
  if (TakeOnlineDue() && !offline_queued_ && connected_.load()) {
    Enqueue(status_topic_, "online", 1, true);
  }
}

bool MqttPublisher::Impl::TakeOnlineDue() {
  std::lock_guard<std::mutex> lock(worker_mutex_);
  return std::exchange(online_due_, false);
}

bool MqttPublisher::Impl::QueueOfflineIfConnected() {
  std::lock_guard<std::mutex> lock(status_mutex_);
  if (offline_queued_) return true;
  if (!connected_.load()) return false;
  // Connected just now, before the worker said so: "online" first, so that
  // subscribers see the sensor came up, then "offline" last.
  if (TakeOnlineDue()) Enqueue(status_topic_, "online", 1, true);
  Enqueue(status_topic_, "offline", 1, true);
  offline_queued_ = true;
  return true;
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

bool MqttPublisher::Impl::Enqueue(const std::string& topic, std::string payload, int qos,
                                  bool retained) {
  ++pending_;
  try {
    client_->publish(mqtt::make_message(topic, std::move(payload), qos, retained), nullptr,
                     publish_listener_);
    return true;
  } catch (const mqtt::exception& e) {
    {
      std::lock_guard<std::mutex> lock(drain_mutex_);
      --pending_;
    }
    const auto n = ++dropped_;
    if (n == 1 || n % 1000 == 0) {
      spdlog::warn("MQTT message to {} dropped ({} so far): {}", topic, n, e.what());
    }
    drain_cv_.notify_all();
    return false;
  }
}

void MqttPublisher::Impl::OnPublishDone(bool ok, const std::string& why) {
  if (!ok) {
    // After Shutdown, paho discards what is left; Shutdown already said how many.
    const auto n = ++failed_;
    if (!shut_down_.load() && (n == 1 || n % 1000 == 0)) {
      spdlog::warn("MQTT message not delivered ({} so far): {}", n, why);
    }
  }
  {
    std::lock_guard<std::mutex> lock(drain_mutex_);
    --pending_;
  }
  drain_cv_.notify_all();
}

void MqttPublisher::Impl::Publish(const std::string& topic_suffix, std::string payload) {
  if (shut_down_.load()) {
    spdlog::warn("MQTT message to {}/{} after shutdown dropped", options_.topic_base, topic_suffix);
    return;
  }
  Enqueue(options_.topic_base + "/" + topic_suffix, std::move(payload), options_.qos, false);
}

std::size_t MqttPublisher::Impl::pending() const {
  const std::int64_t n = shut_down_.load() ? final_pending_.load() : pending_.load();
  return n > 0 ? static_cast<std::size_t>(n) : 0;
}

bool MqttPublisher::Impl::Shutdown(std::chrono::milliseconds timeout) {
  std::lock_guard<std::mutex> once(shutdown_mutex_);
  if (shut_down_.load()) return pending() == 0;
  const auto deadline = Clock::now() + timeout;
  // Until the deadline: "offline" as soon as there is a connection (the worker
  // keeps retrying meanwhile), then until everything is acknowledged.
  bool offline = QueueOfflineIfConnected();
  while (true) {
    if (offline && pending_.load() <= 0) break;
    const auto now = Clock::now();
    if (now >= deadline) break;
    std::unique_lock<std::mutex> lock(drain_mutex_);
    drain_cv_.wait_until(lock, std::min(deadline, now + std::chrono::milliseconds(20)),
                         [&] { return offline && pending_.load() <= 0; });
    lock.unlock();
    if (!offline) offline = QueueOfflineIfConnected();
  }
  StopWorker();
  // An "offline" never queued (no connection) counts as unacknowledged too.
  const std::int64_t left = std::max<std::int64_t>(pending_.load(), 0) + (offline ? 0 : 1);
  final_pending_ = left;
  shut_down_ = true;
  if (left > 0) {
    spdlog::warn("MQTT shutdown: {} message(s) not acknowledged by {}", left, options_.uri);
  }
  try {
    // Everything acknowledged (or given up on): a short grace is enough.
    client_->disconnect(std::chrono::milliseconds(500))->wait_for(std::chrono::seconds(2));
  } catch (const mqtt::exception& e) {
    spdlog::debug("MQTT disconnect: {}", e.what());
  }
  connected_ = false;
  return left == 0;
}

MqttPublisher::MqttPublisher(MqttOptions options, MqttEvents events)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(events))) {}

MqttPublisher::~MqttPublisher() = default;

void MqttPublisher::Publish(const std::string& topic_suffix, std::string payload) {
  impl_->Publish(topic_suffix, std::move(payload));
}

std::size_t MqttPublisher::pending() const { return impl_->pending(); }

bool MqttPublisher::connected() const { return impl_->connected(); }

bool MqttPublisher::Shutdown(std::chrono::milliseconds timeout) { return impl_->Shutdown(timeout); }

}  // namespace footfall::transport
