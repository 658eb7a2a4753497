// Purpose: tests of MqttPublisher against a real mosquitto and a real
// mosquitto_sub: retained online/offline status, QoS 1 delivery in order,
// buffering while the broker is absent or restarting, the journal's bound
// (oldest dropped, counted and reported) and its survival across a restart,
// Shutdown's drain, and the Last Will when the client process dies (a
// re-executed copy of this binary).
#include "transport/mqtt_publisher.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <mutex>
#include <regex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support/test_support.h"

namespace footfall::transport {
namespace {

using footfall::testing::Broker;
using footfall::testing::PayloadsOn;
using footfall::testing::Process;
using footfall::testing::Subscriber;
using footfall::testing::TempDir;
using namespace std::chrono_literals;

using footfall::testing::Eventually;

// A fresh journal for every publisher of this process.
std::string FreshJournal() {
  static TempDir dir;
  static std::atomic<int> n{0};
  return dir.File("journal-" + std::to_string(++n));
}

MqttOptions Options(const std::string& uri, const std::string& base) {
  MqttOptions o;
  o.broker = ParseMqttEndpoint(uri).value();
  o.client_id = "test-" + base.substr(base.rfind('/') + 1) + "-" + std::to_string(getpid());
  o.topic_base = base;
  o.journal_path = FreshJournal();
  o.qos = 1;
  o.keep_alive = 5s;
  o.min_retry = 1s;
  o.max_retry = 2s;
  return o;
}

struct EventCounts {
  std::atomic<int> connected{0};
  std::atomic<int> lost{0};
  std::atomic<int> failed{0};
  std::mutex mutex;
  std::string last_failure;  // guarded by mutex
  MqttEvents Events() {
    MqttEvents e;
    e.on_connected = [this] { ++connected; };
    e.on_connection_lost = [this](const std::string&) { ++lost; };
    e.on_connect_failed = [this](const std::string& why) {
      std::lock_guard<std::mutex> lock(mutex);
      last_failure = why;
      ++failed;
    };
    return e;
  }
  std::string LastFailure() {
    std::lock_guard<std::mutex> lock(mutex);
    return last_failure;
  }
};

std::vector<std::string> Numbers(int from, int to) {
  std::vector<std::string> out;
  for (int i = from; i <= to; ++i) out.push_back("m" + std::to_string(i));
  return out;
}

// Topics of the PUBLISHes the broker received from `client`, with their
// "q<qos>, r<retain>" flags, in order.
std::vector<std::string> ReceivedFrom(const Broker& broker, const std::string& client) {
  std::vector<std::string> out;
  const std::regex re("Received PUBLISH from " + client +
                      R"( \(d\d, (q\d), (r\d), m\d+, '([^']*)')");
  const std::string log = broker.log();
  for (auto it = std::sregex_iterator(log.begin(), log.end(), re); it != std::sregex_iterator();
       ++it) {
    out.push_back((*it)[3].str() + " " + (*it)[1].str() + " " + (*it)[2].str());
  }
  return out;
}

TEST(MqttPublisherTest, OnlineRetainedOrderedQos1DeliveryAndCleanShutdown) {
  Broker broker;
  const std::string base = "fft/store/online";
  EventCounts events;
  const MqttOptions options = Options(broker.uri(), base);
  MqttPublisher publisher(options, events.Events());
  ASSERT_TRUE(Eventually([&] { return publisher.connected(); }, 10s));
  ASSERT_TRUE(Eventually([&] { return publisher.pending() == 0; }, 10s));
  EXPECT_TRUE(Eventually([&] { return events.connected.load() == 1; }, 5s))
      << events.connected.load();
  EXPECT_EQ(events.failed.load(), 0);

  // A subscriber arriving later still sees the retained status.
  Subscriber sub(broker.port(), base + "/#");
  auto msgs =
      sub.WaitFor([&](const auto& m) { return !PayloadsOn(m, base + "/status").empty(); }, 5s);
  EXPECT_EQ(PayloadsOn(msgs, base + "/status"), std::vector<std::string>{"online"});

  for (int i = 1; i <= 50; ++i) publisher.Publish("counts", "m" + std::to_string(i));
  msgs =
      sub.WaitFor([&](const auto& m) { return PayloadsOn(m, base + "/counts").size() >= 50; }, 10s);
  EXPECT_EQ(PayloadsOn(msgs, base + "/counts"), Numbers(1, 50));
  EXPECT_TRUE(Eventually([&] { return publisher.pending() == 0; }, 5s));

  EXPECT_TRUE(publisher.Shutdown(5s));
  EXPECT_EQ(publisher.pending(), 0u);
  EXPECT_FALSE(publisher.connected());
  msgs =
      sub.WaitFor([&](const auto& m) { return PayloadsOn(m, base + "/status").size() >= 2; }, 5s);
  EXPECT_EQ(PayloadsOn(msgs, base + "/status"), (std::vector<std::string>{"online", "offline"}));
  EXPECT_EQ(events.lost.load(), 0);  // a clean disconnect is not a lost connection

  // The broker saw QoS 1 everywhere, retained status and non-retained counts.
  const auto received = ReceivedFrom(broker, options.client_id);
  ASSERT_EQ(received.size(), 52u) << broker.log();
  EXPECT_EQ(received.front(), base + "/status q1 r1");
  EXPECT_EQ(received[1], base + "/counts q1 r0");
  EXPECT_EQ(received.back(), base + "/status q1 r1");

  // Retained "offline" for anyone who looks later; Shutdown is idempotent and
  // later messages are dropped.
  Subscriber late(broker.port(), base + "/status");
  msgs = late.WaitFor([](const auto& m) { return !m.empty(); }, 5s);
  EXPECT_EQ(PayloadsOn(msgs, base + "/status"), std::vector<std::string>{"offline"});
  EXPECT_TRUE(publisher.Shutdown(1s));
  publisher.Publish("counts", "after");
  EXPECT_EQ(publisher.pending(), 0u);
}

TEST(MqttPublisherTest, QosZeroAndMqttScheme) {
  Broker broker;
  const std::string base = "fft/store/qos0";
  MqttOptions options = Options("mqtt://127.0.0.1:" + std::to_string(broker.port()), base);
  options.qos = 0;
  MqttPublisher publisher(options, {});  // empty event callbacks are fine
  ASSERT_TRUE(Eventually([&] { return publisher.connected(); }, 10s));
  Subscriber sub(broker.port(), base + "/counts");
  for (int i = 1; i <= 5; ++i) publisher.Publish("counts", "m" + std::to_string(i));
  auto msgs = sub.WaitFor([](const auto& m) { return m.size() >= 5; }, 5s);
  EXPECT_EQ(PayloadsOn(msgs, base + "/counts"), Numbers(1, 5));
  EXPECT_TRUE(publisher.Shutdown(5s));
  const auto received = ReceivedFrom(broker, options.client_id);
  ASSERT_EQ(received.size(), 7u) << broker.log();
  EXPECT_EQ(received[1], base + "/counts q0 r0");
}

TEST(MqttPublisherTest, BrokerAbsentAtStartThenStarted) {
  Broker broker;
  broker.Stop();
  const std::string base = "fft/store/late";
  EventCounts events;
  const MqttOptions options = Options(broker.uri(), base);
  MqttPublisher publisher(options, events.Events());
  for (int i = 1; i <= 5; ++i) publisher.Publish("counts", "m" + std::to_string(i));
  EXPECT_EQ(publisher.pending(), 5u);
  // It keeps trying: backoff 1 s, 2 s, 2 s, ...
  EXPECT_TRUE(Eventually([&] { return events.failed.load() >= 3; }, 8s)) << events.failed.load();
  EXPECT_NE(events.LastFailure().find("connect failure"), std::string::npos)
      << events.LastFailure();
  EXPECT_FALSE(publisher.connected());
  EXPECT_EQ(publisher.pending(), 5u);
  for (int i = 6; i <= 10; ++i) publisher.Publish("counts", "m" + std::to_string(i));

  broker.Start();
  ASSERT_TRUE(Eventually([&] { return publisher.connected(); }, 10s));
  ASSERT_TRUE(Eventually([&] { return publisher.pending() == 0; }, 10s)) << publisher.pending();
  EXPECT_TRUE(Eventually([&] { return events.connected.load() == 1; }, 5s))
      << events.connected.load();
  // "online", then all ten buffered messages, once, in order.
  std::vector<std::string> expected{base + "/status q1 r1"};
  expected.insert(expected.end(), 10, base + "/counts q1 r0");
  EXPECT_EQ(ReceivedFrom(broker, options.client_id), expected) << broker.log();
  Subscriber sub(broker.port(), base + "/status");
  auto msgs = sub.WaitFor([](const auto& m) { return !m.empty(); }, 5s);
  EXPECT_EQ(PayloadsOn(msgs, base + "/status"), std::vector<std::string>{"online"});
  EXPECT_TRUE(publisher.Shutdown(5s));
}

TEST(MqttPublisherTest, BrokerRestartBuffersAndRedelivers) {
  Broker broker;
  const std::string base = "fft/store/restart";
  EventCounts events;
  const MqttOptions options = Options(broker.uri(), base);
  MqttPublisher publisher(options, events.Events());
  ASSERT_TRUE(Eventually([&] { return publisher.connected() && publisher.pending() == 0; }, 10s));
  publisher.Publish("counts", "m1");
  ASSERT_TRUE(Eventually([&] { return publisher.pending() == 0; }, 5s));

  broker.Stop();
  ASSERT_TRUE(Eventually([&] { return !publisher.connected(); }, 10s));
  // connected() turns false just before the callback runs on paho's thread.
  EXPECT_TRUE(Eventually([&] { return events.lost.load() == 1; }, 5s)) << events.lost.load();
  for (int i = 2; i <= 4; ++i) publisher.Publish("counts", "m" + std::to_string(i));
  EXPECT_EQ(publisher.pending(), 3u);
  std::this_thread::sleep_for(1500ms);  // a reconnect attempt or two fail meanwhile
  EXPECT_EQ(publisher.pending(), 3u);

  broker.Start();
  ASSERT_TRUE(Eventually([&] { return publisher.connected(); }, 10s));
  ASSERT_TRUE(Eventually([&] { return publisher.pending() == 0; }, 10s)) << publisher.pending();
  EXPECT_TRUE(Eventually([&] { return events.connected.load() == 2; }, 5s))
      << events.connected.load();
  // The restarted broker (no persistence) got a fresh "online" and the three
  // buffered messages.
  std::vector<std::string> expected{base + "/status q1 r1"};
  expected.insert(expected.end(), 3, base + "/counts q1 r0");
  EXPECT_EQ(ReceivedFrom(broker, options.client_id), expected) << broker.log();
  EXPECT_TRUE(publisher.Shutdown(5s));
}

TEST(MqttPublisherTest, ShutdownBeforeTheConnectionCompletesStillSaysOnlineThenOffline) {
  // A short file replay: every window is published and Shutdown called before
  // the first connection is up.
  Broker broker;
  const std::string base = "fft/store/quick";
  Subscriber sub(broker.port(), base + "/#");
  MqttPublisher publisher(Options(broker.uri(), base), {});
  for (int i = 1; i <= 3; ++i) publisher.Publish("counts", "m" + std::to_string(i));
  EXPECT_TRUE(publisher.Shutdown(5s));
  EXPECT_EQ(publisher.pending(), 0u);
  auto msgs = sub.WaitFor([](const auto& m) { return m.size() >= 5; }, 5s);
  EXPECT_EQ(PayloadsOn(msgs, base + "/counts"), Numbers(1, 3));
  EXPECT_EQ(PayloadsOn(msgs, base + "/status"), (std::vector<std::string>{"online", "offline"}));
  ASSERT_FALSE(msgs.empty());
  EXPECT_EQ(msgs.back().payload, "offline");
}

TEST(MqttPublisherTest, ShutdownWithoutBrokerTimesOutAndReportsPending) {
  Broker broker;
  broker.Stop();
  MqttPublisher publisher(Options(broker.uri(), "fft/store/absent"), {});
  publisher.Publish("counts", "m1");
  publisher.Publish("counts", "m2");
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(publisher.Shutdown(700ms));
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, 650ms);
  EXPECT_LT(took, 5s);
  EXPECT_EQ(publisher.pending(), 3u);  // m1, m2 and the "offline" never sent
  EXPECT_FALSE(publisher.connected());
}

TEST(MqttPublisherTest, BufferBoundDropsTheOldestCountsAndReportsThem) {
  Broker broker;
  broker.Stop();
  const std::string base = "fft/store/bound";
  MqttOptions options = Options(broker.uri(), base);
  options.max_buffered = 3;
  options.encode_buffer_report = [](const BufferReport& r) {
    return "{\"buffered\":" + std::to_string(r.buffered) +
           ",\"dropped\":" + std::to_string(r.dropped_total) + "}";
  };
  MqttPublisher publisher(options, {});
  for (int i = 1; i <= 10; ++i) publisher.Publish("counts", "m" + std::to_string(i));
  EXPECT_EQ(publisher.pending(), 3u);
  EXPECT_EQ(publisher.dropped(), 7u);
  EXPECT_FALSE(publisher.connected());
  EXPECT_TRUE(Eventually([&] { return !publisher.last_error().empty(); }, 5s));
  EXPECT_NE(publisher.last_error().find("connect failure"), std::string::npos)
      << publisher.last_error();

  broker.Start();
  Subscriber sub(broker.port(), base + "/#");
  auto msgs =
      sub.WaitFor([&](const auto& m) { return PayloadsOn(m, base + "/counts").size() >= 3; }, 15s);
  // The newest three arrive; the report says seven were dropped (retained).
  EXPECT_EQ(PayloadsOn(msgs, base + "/counts"), Numbers(8, 10));
  EXPECT_EQ(PayloadsOn(msgs, base + "/buffer"),
            std::vector<std::string>{"{\"buffered\":3,\"dropped\":7}"});
  EXPECT_TRUE(publisher.Shutdown(5s));
  EXPECT_EQ(publisher.dropped(), 7u);
  EXPECT_EQ(publisher.last_error(), "");
}

TEST(MqttPublisherTest, UnacknowledgedMessagesSurviveARestartOfThePublisher) {
  Broker broker;
  broker.Stop();
  const std::string base = "fft/store/journal";
  MqttOptions options = Options(broker.uri(), base);
  {
    MqttPublisher publisher(options, {});
    for (int i = 1; i <= 4; ++i) publisher.Publish("counts", "m" + std::to_string(i));
    EXPECT_FALSE(publisher.Shutdown(200ms));
    EXPECT_EQ(publisher.pending(), 5u);  // four and "offline"
  }
  broker.Start();
  Subscriber sub(broker.port(), base + "/counts");
  MqttPublisher publisher(options, {});  // same journal
  EXPECT_EQ(publisher.buffered(), 4u);
  publisher.Publish("counts", "m5");
  auto msgs = sub.WaitFor([](const auto& m) { return m.size() >= 5; }, 15s);
  EXPECT_EQ(PayloadsOn(msgs, base + "/counts"), Numbers(1, 5));
  EXPECT_TRUE(publisher.Shutdown(5s));
  EXPECT_EQ(publisher.buffered(), 0u);
  // Nothing is left for a third run.
  MqttPublisher third(options, {});
  EXPECT_EQ(third.buffered(), 0u);
}

TEST(MqttPublisherTest, InvalidOptionsThrow) {
  EXPECT_THROW(MqttPublisher(Options("http://127.0.0.1:1", "fft/x"), {}), std::runtime_error);
  MqttOptions no_base = Options("tcp://127.0.0.1:1", "fft/x");
  no_base.topic_base.clear();
  EXPECT_THROW(MqttPublisher(no_base, {}), std::runtime_error);
  MqttOptions bad_qos = Options("tcp://127.0.0.1:1", "fft/x");
  bad_qos.qos = 3;
  EXPECT_THROW(MqttPublisher(bad_qos, {}), std::runtime_error);
}

// The child process of LastWillWhenTheProcessDies: when this test binary is
// started with FOOTFALL_LWT_HELPER_URI set, it connects like a sensor and
// then vanishes without DISCONNECT, before gtest runs anything.
void RunLastWillChild(const char* uri) {
  MqttOptions options;
  options.broker = ParseMqttEndpoint(uri).value();
  options.topic_base = "fft/store/lwt";
  options.client_id = "test-lwt-child";
  options.journal_path = std::string(std::getenv("FOOTFALL_LWT_HELPER_DIR")) + "/journal";
  MqttPublisher publisher(options, {});
  if (!Eventually([&] { return publisher.connected() && publisher.pending() == 0; }, 10s)) {
    std::_Exit(2);
  }
  std::cout << "connected" << std::endl;
  raise(SIGKILL);
}

const bool kLastWillChild = [] {
  if (const char* uri = std::getenv("FOOTFALL_LWT_HELPER_URI")) RunLastWillChild(uri);
  return false;
}();

TEST(MqttPublisherTest, LastWillWhenTheProcessDies) {
  Broker broker;
  const std::string base = "fft/store/lwt";
  Subscriber sub(broker.port(), base + "/status");
  TempDir dir;
  char self[4096] = {};
  ASSERT_GT(readlink("/proc/self/exe", self, sizeof self - 1), 0);
  Process child(
      {self}, dir.File("out"), dir.File("err"),
      {"FOOTFALL_LWT_HELPER_URI=" + broker.uri(), "FOOTFALL_LWT_HELPER_DIR=" + dir.path()});
  const int status = child.Wait(15s);
  ASSERT_TRUE(WIFSIGNALED(status)) << status << " " << footfall::testing::ReadFile(dir.File("err"));
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
  auto msgs = sub.WaitFor([](const auto& m) { return m.size() >= 2; }, 10s);
  EXPECT_EQ(PayloadsOn(msgs, base + "/status"), (std::vector<std::string>{"online", "offline"}));
  // And it is retained.
  Subscriber late(broker.port(), base + "/status");
  msgs = late.WaitFor([](const auto& m) { return !m.empty(); }, 5s);
  EXPECT_EQ(PayloadsOn(msgs, base + "/status"), std::vector<std::string>{"offline"});
}

}  // namespace
}  // namespace footfall::transport
