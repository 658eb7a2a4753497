// Purpose: the MQTT delivery policy with a fake client and a fake clock:
// every failure the client can report (each paho C return code, each MQTT 5
// reason code, 3.1.1's "no reason code" 255 — the -11 bug —, a connection lost
// mid-flight, a publish refused locally, a token that never completes) ends in
// the message being sent again, in order, and it stays in the journal; only an
// MQTT 5 broker's explicit, final rejection takes it out, counted, logged and
// in the buffer report. Also: online, announcements and the buffer report
// before the data, "offline" after it, backoff, expiry, late acknowledgements.
// A full disk (a journal file whose writes fail): messages held in memory are
// still delivered, the journal is caught up every journal_retry once the disk
// takes writes again, the log and the buffer report say what is held, failing
// and dropped beyond the memory bound.
#include "transport/delivery_policy.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "support/failing_journal_file.h"
#include "support/fake_clock.h"
#include "support/test_support.h"

namespace footfall::transport {
namespace {

using footfall::testing::DiskFaults;
using footfall::testing::FailingJournalFile;
using footfall::testing::FakeClock;
using footfall::testing::TempDir;
using namespace std::chrono_literals;

struct Sent {
  OutgoingMessage message;
  std::uint64_t token;
};

class FakeClient final : public MqttClient {
 public:
  int Publish(const OutgoingMessage& message, std::uint64_t token) override {
    if (refuse_next > 0) {
      --refuse_next;
      return refuse_code;
    }
    sent.push_back({message, token});
    return 0;
  }
  // The data messages (not retained) sent, payloads in order.
  std::vector<std::string> Data() const {
    std::vector<std::string> out;
    for (const Sent& s : sent) {
      if (!s.message.retained) out.push_back(s.message.payload);
    }
    return out;
  }
  const Sent* Last(const std::string& payload) const {
    for (auto it = sent.rbegin(); it != sent.rend(); ++it) {
      if (it->message.payload == payload && !it->message.retained) return &*it;
    }
    return nullptr;
  }
  std::vector<Sent> sent;
  int refuse_next = 0;
  int refuse_code = -3;
};

PublishResult Ok() {
  PublishResult r;
  r.ok = true;
  return r;
}
PublishResult Failed(int rc, int reason, std::string why = "failed") {
  PublishResult r;
  r.rc = rc;
  r.reason = reason;
  r.why = std::move(why);
  return r;
}

class DeliveryPolicyTest : public ::testing::Test {
 protected:
  void Make(bool mqtt5, std::size_t max_in_flight = 20, std::size_t max_memory = 1000) {
    journal_ = std::make_unique<MessageJournal>(
        dir_.File("journal"), 1000, max_memory,
        std::make_unique<FailingJournalFile>(dir_.File("journal"), faults_));
    DeliveryOptions o;
    o.status_topic = "b/status";
    o.buffer_topic = "b/buffer";
    o.retained = {{"b/info", "{}", false}};
    o.max_buffered = 1000;
    o.mqtt5 = mqtt5;
    o.max_in_flight = max_in_flight;
    o.min_retry = 1000ms;
    o.max_retry = 8000ms;
    o.lost_after = 30000ms;
    o.journal_retry = 5000ms;
    o.encode_buffer_report = [](const BufferReport& r) {
      std::string s = "buffered=" + std::to_string(r.buffered) +
                      " rejected=" + std::to_string(r.rejected_total) +
                      " expired=" + std::to_string(r.expired_total);
      if (!r.journal_error.empty() || r.memory_dropped_total > 0) {
        s += " memory_only=" + std::to_string(r.memory_only) + "/" +
             std::to_string(r.max_memory_only) +
             " memory_dropped=" + std::to_string(r.memory_dropped_total) +
             (r.journal_error.empty() ? "" : " failing");
      }
      return s;
    };
    options_ = o;
    policy_ = std::make_unique<DeliveryPolicy>(o, *journal_, client_, clock_);
  }
  void Enqueue(int n) {
    for (int i = 0; i < n; ++i) policy_->Enqueue("b/counts", "m" + std::to_string(next_++), 1);
  }
  // Acknowledges every data message in flight, oldest first.
  void AckAll() {
    for (const Sent& s : std::vector<Sent>(client_.sent)) {
      if (!s.message.retained) policy_->OnPublishDone(s.token, Ok());
    }
  }
  std::vector<std::string> BufferReports() const {
    std::vector<std::string> out;
    for (const Sent& s : client_.sent) {
      if (s.message.topic == "b/buffer") out.push_back(s.message.payload);
    }
    return out;
  }

  TempDir dir_;
  std::shared_ptr<DiskFaults> faults_ = std::make_shared<DiskFaults>();
  FakeClock clock_;
  FakeClient client_;
  DeliveryOptions options_;
  std::unique_ptr<MessageJournal> journal_;
  std::unique_ptr<DeliveryPolicy> policy_;
  int next_ = 1;
};

// Every paho C return code (MQTTAsync.h, -1 .. -19).
std::vector<int> PahoReturnCodes() {
  std::vector<int> codes;
  for (int rc = -1; rc >= -19; --rc) codes.push_back(rc);
  return codes;
}
// Every MQTT 5 reason code a failure can carry (0x80 .. 0xA2), and 255.
std::vector<int> FailureReasonCodes() {
  std::vector<int> codes;
  for (int r = 0x80; r <= 0xA2; ++r) codes.push_back(r);
  codes.push_back(255);
  return codes;
}

TEST(ClassifyFailureTest, OnlyAnMqtt5BrokersFinalReasonCodeIsFinal) {
  const std::vector<int> final_codes = {0x80, 0x83, 0x87, 0x90, 0x99};
  for (int reason : FailureReasonCodes()) {
    const bool final_code =
        std::find(final_codes.begin(), final_codes.end(), reason) != final_codes.end();
    // From the broker (a PUBACK): the return code is not negative.
    for (int rc : {0, reason}) {
      EXPECT_EQ(ClassifyFailure(Failed(rc, reason), true),
                final_code ? FailureClass::kFinalRejection : FailureClass::kSendAgain)
          << "v5 reason " << reason << " rc " << rc;
      EXPECT_EQ(ClassifyFailure(Failed(rc, reason), false), FailureClass::kSendAgain)
          << "3.1.1 reason " << reason;
    }
    // A client-side condition with whatever reason code paho left in the token.
    for (int rc : PahoReturnCodes()) {
      EXPECT_EQ(ClassifyFailure(Failed(rc, reason), true), FailureClass::kSendAgain)
          << "rc " << rc << " reason " << reason;
    }
  }
  // The -11 bug: "operation incomplete" with paho.mqtt.cpp's 255 on 3.1.1.
  EXPECT_EQ(ClassifyFailure(Failed(-11, 255), false), FailureClass::kSendAgain);
  EXPECT_EQ(ClassifyFailure(Failed(-11, 255), true), FailureClass::kSendAgain);
}

TEST_F(DeliveryPolicyTest, OnlineAnnouncementsAndBufferReportComeBeforeTheDataAndOfflineLast) {
  Make(false);
  Enqueue(2);
  policy_->Pump();
  EXPECT_TRUE(client_.sent.empty());  // not connected
  policy_->OnConnected();
  ASSERT_EQ(client_.sent.size(), 5u);
  EXPECT_EQ(client_.sent[0].message.topic, "b/status");
  EXPECT_EQ(client_.sent[0].message.payload, "online");
  EXPECT_TRUE(client_.sent[0].message.retained);
  EXPECT_EQ(client_.sent[1].message.topic, "b/info");
  EXPECT_EQ(client_.sent[2].message.topic, "b/buffer");
  EXPECT_EQ(client_.sent[2].message.payload, "buffered=2 rejected=0 expired=0");
  EXPECT_EQ(client_.Data(), (std::vector<std::string>{"m1", "m2"}));
  EXPECT_FALSE(policy_->QueueOffline(false));  // the journal is not empty
  AckAll();
  EXPECT_EQ(journal_->size(), 0u);
  EXPECT_EQ(policy_->delivered(), 2u);
  EXPECT_EQ(policy_->delivered("b/counts"), 2u);
  EXPECT_TRUE(policy_->QueueOffline(false));
  EXPECT_EQ(client_.sent.back().message.payload, "offline");
  // Nothing after "offline".
  const std::size_t n = client_.sent.size();
  Enqueue(1);
  policy_->Pump();
  policy_->OnConnected();
  EXPECT_EQ(client_.sent.size(), n);
}

// Each paho C return code, on 3.1.1 and 5, and each reason code that is not a
// final one: the message stays in the journal and is sent again, in order,
// after the backoff; it leaves the journal only when acknowledged.
TEST_F(DeliveryPolicyTest, EveryClientSideFailureAndTransientReasonCodeSendsAgain) {
  struct Case {
    bool v5;
    int rc;
    int reason;
  };
  std::vector<Case> cases;
  for (int rc : PahoReturnCodes()) {
    cases.push_back({false, rc, 255});  // paho.mqtt.cpp on 3.1.1: reason 255
    cases.push_back({true, rc, 0});
    cases.push_back({true, rc, 0x80});  // a reason code left in a client-side failure
  }
  for (int reason : FailureReasonCodes()) {
    if (reason == 0x80 || reason == 0x83 || reason == 0x87 || reason == 0x90 || reason == 0x99) {
      continue;
    }
    cases.push_back({true, 0, reason});
    cases.push_back({false, 0, reason});
  }
  for (const Case& c : cases) {
    SCOPED_TRACE("v5 " + std::to_string(c.v5) + " rc " + std::to_string(c.rc) + " reason " +
                 std::to_string(c.reason));
    client_.sent.clear();
    next_ = 1;
    std::filesystem::remove(dir_.File("journal"));
    Make(c.v5);
    Enqueue(3);
    policy_->OnConnected();
    ASSERT_EQ(client_.Data(), (std::vector<std::string>{"m1", "m2", "m3"}));
    // m1 succeeds, m2 fails: m2 and m3 go again, in order, after the backoff.
    policy_->OnPublishDone(client_.Last("m1")->token, Ok());
    policy_->OnPublishDone(client_.Last("m2")->token, Failed(c.rc, c.reason));
    EXPECT_EQ(journal_->size(), 2u);
    EXPECT_EQ(policy_->rejected(), 0u);
    EXPECT_EQ(policy_->send_again(), 1u);
    policy_->Pump();
    EXPECT_EQ(client_.Data().size(), 3u) << "sent again before the backoff";
    clock_.Advance(1001ms);
    policy_->Pump();
    EXPECT_EQ(client_.Data(), (std::vector<std::string>{"m1", "m2", "m3", "m2", "m3"}));
    // m3's first attempt completes late, successfully: it is delivered, once.
    policy_->OnPublishDone(client_.sent[5].token, Ok());
    EXPECT_EQ(journal_->size(), 1u);
    policy_->OnPublishDone(client_.Last("m2")->token, Ok());
    policy_->OnPublishDone(client_.Last("m3")->token, Ok());
    EXPECT_EQ(journal_->size(), 0u);
    EXPECT_EQ(policy_->delivered(), 3u);
  }
}

TEST_F(DeliveryPolicyTest, OnlyAFinalMqtt5RejectionTakesAMessageOutCountedLoggedAndReported) {
  auto ring = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(100);
  auto logger = std::make_shared<spdlog::logger>("test", ring);
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(logger);
  for (int reason : {0x80, 0x83, 0x87, 0x90, 0x99}) {
    SCOPED_TRACE(reason);
    client_.sent.clear();
    std::filesystem::remove(dir_.File("journal"));
    Make(true);
    Enqueue(2);
    policy_->OnConnected();
    const std::string first = client_.Data()[0];
    policy_->OnPublishDone(client_.Last(first)->token, Failed(reason, reason, "refused"));
    EXPECT_EQ(journal_->size(), 1u);
    EXPECT_EQ(policy_->rejected(), 1u);
    EXPECT_EQ(policy_->delivered(), 0u);
    policy_->Pump();
    ASSERT_FALSE(BufferReports().empty());
    EXPECT_EQ(BufferReports().back(), "buffered=1 rejected=1 expired=0");
    // Not sent again; the other one is unaffected.
    clock_.Advance(10s);
    policy_->Pump();
    EXPECT_EQ(client_.Data().size(), 2u);
  }
  const auto lines = ring->last_formatted();
  spdlog::set_default_logger(previous);
  int logged = 0;
  for (const auto& l : lines) {
    if (l.find("MQTT broker refused a message for good") != std::string::npos) ++logged;
  }
  EXPECT_EQ(logged, 5);
  // The 3.1.1 case of the issue is never taken as a refusal.
  client_.sent.clear();
  std::filesystem::remove(dir_.File("journal"));
  Make(false);
  Enqueue(1);
  policy_->OnConnected();
  policy_->OnPublishDone(client_.Last("m" + std::to_string(next_ - 1))->token,
                         Failed(-11, 255, "MQTT error [-11]"));
  EXPECT_EQ(journal_->size(), 1u);
  EXPECT_EQ(policy_->rejected(), 0u);
}

TEST_F(DeliveryPolicyTest, ConnectionLostMidFlightSendsEverythingAgainOnTheNextConnection) {
  Make(false);
  Enqueue(3);
  policy_->OnConnected();
  const auto old_m1 = client_.Last("m1")->token;
  const auto old_m2 = client_.Last("m2")->token;
  policy_->OnConnectionLost();
  Enqueue(1);
  policy_->Pump();
  EXPECT_EQ(client_.Data().size(), 3u);  // nothing while disconnected
  // paho fails the old tokens with -3 / -11 after the reconnect: no effect.
  policy_->OnConnected();
  policy_->OnPublishDone(old_m2, Failed(-11, 255));
  EXPECT_EQ(client_.Data(), (std::vector<std::string>{"m1", "m2", "m3", "m1", "m2", "m3", "m4"}));
  EXPECT_EQ(journal_->size(), 4u);
  // A late success of an old token still counts: the broker has it.
  policy_->OnPublishDone(old_m1, Ok());
  EXPECT_EQ(journal_->size(), 3u);
  AckAll();
  EXPECT_EQ(journal_->size(), 0u);
  EXPECT_EQ(policy_->delivered(), 4u);
}

TEST_F(DeliveryPolicyTest, APublishRefusedLocallyIsSentAgainAfterTheBackoff) {
  Make(false);
  Enqueue(3);
  client_.refuse_next = 2;    // "online" goes through later; see below
  client_.refuse_code = -12;  // MQTTASYNC_MAX_BUFFERED_MESSAGES
  policy_->OnConnected();     // online and info refused; buffer report, m1, m2, m3 taken
  client_.refuse_next = 1;
  Enqueue(1);
  policy_->Pump();  // m4 refused
  EXPECT_EQ(client_.Data(), (std::vector<std::string>{"m1", "m2", "m3"}));
  EXPECT_EQ(journal_->size(), 4u);
  clock_.Advance(1001ms);
  policy_->Pump();
  // In order again from the oldest: m1..m3 were in flight, sent again with m4.
  EXPECT_EQ(client_.Data(), (std::vector<std::string>{"m1", "m2", "m3", "m1", "m2", "m3", "m4"}));
  AckAll();
  EXPECT_EQ(journal_->size(), 0u);
}

TEST_F(DeliveryPolicyTest, ATokenThatNeverCompletesIsTakenAsLostAndSentAgain) {
  Make(false);
  Enqueue(2);
  policy_->OnConnected();
  EXPECT_EQ(client_.Data().size(), 2u);
  const auto next = policy_->Pump();
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(*next - clock_.Monotonic(), std::chrono::milliseconds(30000));
  clock_.Advance(29s);
  policy_->Pump();
  EXPECT_EQ(client_.Data().size(), 2u);
  clock_.Advance(1s);
  policy_->Pump();  // lost: back off
  clock_.Advance(1001ms);
  policy_->Pump();
  EXPECT_EQ(client_.Data(), (std::vector<std::string>{"m1", "m2", "m1", "m2"}));
  EXPECT_EQ(journal_->size(), 2u);
  EXPECT_EQ(policy_->status_pending(), 0u);  // the announcements were given up too
  AckAll();
  EXPECT_EQ(journal_->size(), 0u);
}

TEST_F(DeliveryPolicyTest, BackoffDoublesUpToTheMaximumAndResetsOnSuccess) {
  Make(false, 1);
  Enqueue(1);
  policy_->OnConnected();
  std::vector<std::chrono::milliseconds> waits;
  for (int i = 0; i < 6; ++i) {
    policy_->OnPublishDone(client_.sent.back().token, Failed(-1, 255));
    const std::size_t before = client_.Data().size();
    std::chrono::milliseconds waited{0};
    while (client_.Data().size() == before) {
      clock_.Advance(100ms);
      waited += 100ms;
      policy_->Pump();
    }
    waits.push_back(waited);
  }
  EXPECT_EQ(waits, (std::vector<std::chrono::milliseconds>{1000ms, 2000ms, 4000ms, 8000ms, 8000ms,
                                                           8000ms}));
  policy_->OnPublishDone(client_.sent.back().token, Ok());
  Enqueue(1);
  policy_->Pump();
  policy_->OnPublishDone(client_.sent.back().token, Failed(-3, 255));
  clock_.Advance(1001ms);
  policy_->Pump();
  EXPECT_EQ(client_.Data().back(), "m2");
  EXPECT_EQ(client_.Data().size(), 9u);
}

TEST_F(DeliveryPolicyTest, ExpiredMessagesAreDroppedCountedAndReported) {
  journal_ = std::make_unique<MessageJournal>(dir_.File("journal"), 10);
  DeliveryOptions o;
  o.status_topic = "b/status";
  o.buffer_topic = "b/buffer";
  o.mqtt5 = true;
  o.message_expiry = 60s;
  o.encode_buffer_report = [](const BufferReport& r) {
    return "expired=" + std::to_string(r.expired_total);
  };
  policy_ = std::make_unique<DeliveryPolicy>(o, *journal_, client_, clock_);
  Enqueue(1);
  clock_.Advance(30s);
  Enqueue(1);
  clock_.Advance(31s);  // m1 is 61 s old, m2 31 s
  policy_->OnConnected();
  EXPECT_EQ(client_.Data(), std::vector<std::string>{"m2"});
  EXPECT_EQ(client_.Last("m2")->message.expiry, 29s);
  EXPECT_EQ(policy_->expired(), 1u);
  policy_->Pump();
  EXPECT_EQ(BufferReports().back(), "expired=1");
}

TEST_F(DeliveryPolicyTest, StateMessagesKeepTheLatestAndAreSentAgainAtEveryConnection) {
  Make(false);
  auto sent_to = [&](const std::string& topic) {
    std::vector<std::string> out;
    for (const Sent& s : client_.sent) {
      if (s.message.topic == topic) {
        EXPECT_TRUE(s.message.retained);
        out.push_back(s.message.payload);
      }
    }
    return out;
  };
  policy_->PublishState("b/today", "t1");  // not connected: kept, not sent
  EXPECT_TRUE(sent_to("b/today").empty());
  policy_->PublishState("b/today", "t2");  // replaces t1
  policy_->OnConnected();
  EXPECT_EQ(sent_to("b/today"), (std::vector<std::string>{"t2"}));
  policy_->PublishState("b/today", "t3");  // connected: at once
  EXPECT_EQ(sent_to("b/today"), (std::vector<std::string>{"t2", "t3"}));
  EXPECT_EQ(journal_->size(), 0u) << "a state message is not journaled";
  policy_->OnConnectionLost();
  policy_->OnConnected();  // the latest again on the new connection
  EXPECT_EQ(sent_to("b/today"), (std::vector<std::string>{"t2", "t3", "t3"}));
  ASSERT_TRUE(policy_->QueueOffline(true));
  policy_->PublishState("b/today", "t4");  // after "offline": nothing
  EXPECT_EQ(sent_to("b/today").back(), "t3");
}

// Captures what is logged while it lives.
class LogCapture {
 public:
  LogCapture()
      : ring_(std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(200)),
        previous_(spdlog::default_logger()) {
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("test", ring_));
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  int Count(const std::string& text) const {
    int n = 0;
    for (const auto& l : ring_->last_formatted()) n += l.find(text) != std::string::npos ? 1 : 0;
    return n;
  }

 private:
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> ring_;
  std::shared_ptr<spdlog::logger> previous_;
};

TEST_F(DeliveryPolicyTest, ADiskFullWhileTheBrokerIsDownIsCaughtUpOnceTheDiskTakesWrites) {
  LogCapture log;
  Make(false);
  Enqueue(2);  // on disk
  faults_->full = true;
  Enqueue(3);  // held in memory
  EXPECT_EQ(log.Count("messages are held in memory only (at most 1000"), 1);
  EXPECT_EQ(log.Count("No space left on device"), 1) << "said once, not per message";
  EXPECT_EQ(journal_->memory_only(), 3u);
  // Tried again every journal_retry, on the injected clock.
  const int tries = faults_->appends_failed;
  auto next = policy_->Pump();
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(*next, clock_.Monotonic() + 5s);
  EXPECT_EQ(faults_->appends_failed, tries) << "not before journal_retry";
  clock_.Advance(5s);
  next = policy_->Pump();
  EXPECT_EQ(faults_->appends_failed, tries + 1);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(*next, clock_.Monotonic() + 5s);
  EXPECT_TRUE(journal_->failing());
  // Space again: caught up at the next try, said once.
  faults_->full = false;
  clock_.Advance(5s);
  next = policy_->Pump();
  EXPECT_FALSE(journal_->failing());
  EXPECT_FALSE(next.has_value()) << "nothing left to do without an event";
  EXPECT_EQ(log.Count("written again: 3 message(s) held in memory caught up (at most 3 held"), 1);
  EXPECT_EQ(policy_->memory_only_peak(), 3u);
  // The broker back: every message once, in order; the buffer report is clean.
  policy_->OnConnected();
  EXPECT_EQ(client_.Data(), (std::vector<std::string>{"m1", "m2", "m3", "m4", "m5"}));
  EXPECT_EQ(BufferReports().back(), "buffered=5 rejected=0 expired=0");
  AckAll();
  EXPECT_EQ(policy_->delivered(), 5u);
  EXPECT_EQ(journal_->size(), 0u);
  TempDir copy;
  std::filesystem::copy_file(dir_.File("journal"), copy.File("j"));
  EXPECT_EQ(MessageJournal(copy.File("j"), 10).size(), 0u) << "the acknowledgements written";
}

TEST_F(DeliveryPolicyTest, ADiskFullWhileConnectedStillDeliversAndTheBufferReportSaysSo) {
  LogCapture log;
  Make(false);
  policy_->OnConnected();
  faults_->full = true;
  Enqueue(3);
  policy_->Pump();
  // Sent from memory, and the buffer report says the journal is failing.
  EXPECT_EQ(client_.Data(), (std::vector<std::string>{"m1", "m2", "m3"}));
  ASSERT_FALSE(BufferReports().empty());
  EXPECT_EQ(BufferReports().back(),
            "buffered=3 rejected=0 expired=0 memory_only=3/1000 "
            "memory_dropped=0 failing");
  AckAll();
  EXPECT_EQ(policy_->delivered(), 3u);
  EXPECT_EQ(journal_->memory_only(), 0u);
  faults_->full = false;
  clock_.Advance(5s);
  policy_->Pump();
  EXPECT_FALSE(journal_->failing());
  EXPECT_EQ(log.Count("held in memory caught up (at most 3 held at once"), 1);
  // The recovery is reported too.
  EXPECT_EQ(BufferReports().back(), "buffered=0 rejected=0 expired=0");
}

TEST_F(DeliveryPolicyTest, BeyondTheMemoryBoundTheOldestAreDroppedCountedLoggedAndReported) {
  LogCapture log;
  Make(false, 20, /*max_memory=*/4);
  faults_->full = true;
  Enqueue(10);  // m1..m10: m1..m6 dropped
  EXPECT_EQ(journal_->memory_dropped_total(), 6u);
  EXPECT_EQ(log.Count("the oldest of them dropped (1 so far)"), 1);
  EXPECT_EQ(log.Count("dropped ("), 1) << "the first, then every 100th";
  Enqueue(100);  // 106 dropped in all: the 100th is logged
  EXPECT_EQ(log.Count("the oldest of them dropped (100 so far)"), 1);
  EXPECT_EQ(log.Count("dropped ("), 2);
  policy_->OnConnected();
  EXPECT_EQ(BufferReports().back(),
            "buffered=4 rejected=0 expired=0 memory_only=4/4 "
            "memory_dropped=106 failing");
  // The newest four are sent; the dropped ones never.
  EXPECT_EQ(client_.Data(), (std::vector<std::string>{"m107", "m108", "m109", "m110"}));
  faults_->full = false;
  clock_.Advance(5s);
  policy_->Pump();
  EXPECT_FALSE(journal_->failing());
  EXPECT_EQ(BufferReports().back(),
            "buffered=4 rejected=0 expired=0 memory_only=0/4 "
            "memory_dropped=106");
  EXPECT_EQ(policy_->memory_only_peak(), 4u);
}

}  // namespace
}  // namespace footfall::transport
