// Purpose: tests of MqttPublisher's security and MQTT 5 features against a
// real mosquitto: TLS with a CA, broker and client certificates made here with
// openssl, a password file and an ACL; a wrong password and an untrusted
// broker certificate give a clear error and endless retries (no crash); MQTT 5
// messages carry the content type and message expiry; a message the broker's
// ACL refuses (MQTT 5 reason code) is not resent forever; a message whose
// expiry passed while buffered is not sent; Home Assistant's birth message
// makes the discovery configs be published again.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "support/mqtt_fixtures.h"
#include "support/test_support.h"
#include "transport/mqtt_publisher.h"

namespace footfall::transport {
namespace {

using footfall::testing::Broker;
using footfall::testing::FreeTcpPort;
using footfall::testing::MqttSub;
using footfall::testing::Occurrences;
using footfall::testing::PayloadsOn;
using footfall::testing::Pki;
using footfall::testing::RunCommand;
using footfall::testing::TempDir;
using namespace std::chrono_literals;

using footfall::testing::Eventually;

// A broker with a plain listener for the observers and a TLS listener with a
// password file and an ACL for the sensor.
class SecureBrokerTest : public ::testing::Test {
 protected:
  SecureBrokerTest()
      : pki_(footfall::testing::MakePki(dir_.path())),
        tls_port_(FreeTcpPort()),
        broker_(std::string(footfall::testing::kBrokerKeepsRoot) +
                footfall::testing::SecureListenerConfig(dir_.path(), pki_, tls_port_, "sensor",
                                                        "s3cret pass", "fft")) {
    EXPECT_TRUE(footfall::testing::WaitForPort(tls_port_, 10s)) << broker_.log();
  }

  MqttOptions Options(const std::string& base) {
    MqttOptions o;
    o.broker = ParseMqttEndpoint("ssl://127.0.0.1:" + std::to_string(tls_port_)).value();
    o.client_id = "tls-" + base.substr(base.rfind('/') + 1);
    o.topic_base = base;
    o.journal_path = dir_.File("journal-" + base.substr(base.rfind('/') + 1));
    o.ca_file = pki_.ca_cert;
    o.cert_file = pki_.client_cert;
    o.key_file = pki_.client_key;
    o.username = "sensor";
    o.password = "s3cret pass";
    o.min_retry = 1s;
    o.max_retry = 2s;
    return o;
  }

  struct Failures {
    std::atomic<int> count{0};
    MqttEvents Events() {
      MqttEvents e;
      e.on_connect_failed = [this](const std::string&) { ++count; };
      return e;
    }
  };

  TempDir dir_;
  Pki pki_;
  int tls_port_;
  Broker broker_;
};

TEST_F(SecureBrokerTest, TlsWithClientCertificatePasswordAndAcl) {
  for (int version : {4, 5}) {
    SCOPED_TRACE("MQTT version " + std::to_string(version));
    const std::string base = "fft/store/tls" + std::to_string(version);
    MqttSub sub(broker_.port(), {base + "/#"});
    MqttOptions options = Options(base);
    options.mqtt_version = version;
    MqttPublisher publisher(options, {});
    ASSERT_TRUE(Eventually([&] { return publisher.connected(); }, 10s))
        << publisher.last_error() << "\n"
        << broker_.log();
    publisher.Publish("counts", "{\"n\":1}");
    auto msgs =
        sub.WaitFor([&](const auto& m) { return !PayloadsOn(m, base + "/counts").empty(); }, 10s);
    EXPECT_EQ(PayloadsOn(msgs, base + "/counts"), std::vector<std::string>{"{\"n\":1}"});
    EXPECT_TRUE(publisher.Shutdown(5s));
    EXPECT_NE(broker_.log().find("as " + options.client_id), std::string::npos);
    EXPECT_NE(broker_.log().find("u'sensor'"), std::string::npos) << broker_.log();
  }
}

TEST_F(SecureBrokerTest, WrongPasswordIsAClearErrorAndRetriedWithoutEnd) {
  for (int version : {4, 5}) {
    SCOPED_TRACE("MQTT version " + std::to_string(version));
    MqttOptions options = Options("fft/store/wrongpw" + std::to_string(version));
    options.password = "not the password";
    options.mqtt_version = version;
    Failures failures;
    MqttPublisher publisher(options, failures.Events());
    publisher.Publish("counts", "{}");
    const std::size_t attempts_before = Occurrences(broker_.log(), "New connection from");
    EXPECT_TRUE(Eventually([&] { return failures.count.load() >= 1; }, 10s)) << failures.count;
    // It keeps trying (backoff 1 s, 2 s, 2 s, ...): the broker sees new attempts.
    EXPECT_TRUE(Eventually(
        [&] { return Occurrences(broker_.log(), "New connection from") >= attempts_before + 2; },
        10s));
    EXPECT_FALSE(publisher.connected());
    const std::string why = publisher.last_error();
    // mosquitto answers "not authorized" (3.1.1 CONNACK code 5) to a wrong password.
    EXPECT_NE(why.find("wrong user name or password"), std::string::npos) << why;
    EXPECT_NE(why.find("password_file"), std::string::npos) << why;
    EXPECT_EQ(why.find("not the password"), std::string::npos) << "the password leaked: " << why;
    EXPECT_EQ(publisher.buffered(), 1u);
  }
}

TEST_F(SecureBrokerTest, UntrustedBrokerCertificateIsAClearErrorAndRetried) {
  for (int version : {4, 5}) {
    SCOPED_TRACE("MQTT version " + std::to_string(version));
    MqttOptions options = Options("fft/store/rogue" + std::to_string(version));
    options.ca_file = pki_.rogue_ca_cert;  // did not sign the broker's certificate
    options.mqtt_version = version;
    Failures failures;
    const std::size_t before = Occurrences(broker_.log(), "OpenSSL Error");
    MqttPublisher publisher(options, failures.Events());
    EXPECT_TRUE(Eventually([&] { return failures.count.load() >= 1; }, 10s)) << failures.count;
    // It keeps trying (backoff 1 s, 2 s, ...), each failure explained.
    EXPECT_TRUE(Eventually([&] { return failures.count.load() >= 3; }, 10s)) << failures.count;
    EXPECT_GE(Occurrences(broker_.log(), "OpenSSL Error"), before + 3);
    EXPECT_FALSE(publisher.connected());
    const std::string why = publisher.last_error();
    EXPECT_NE(why.find("TLS handshake failed"), std::string::npos) << why;
    EXPECT_NE(why.find("certificate verify failed"), std::string::npos) << why;
  }
}

TEST_F(SecureBrokerTest, VerifyOffAcceptsAnUntrustedBroker) {
  const std::string base = "fft/store/noverify";
  MqttOptions options = Options(base);
  options.ca_file = pki_.rogue_ca_cert;
  options.verify = false;
  MqttPublisher publisher(options, {});
  EXPECT_TRUE(Eventually([&] { return publisher.connected(); }, 10s)) << publisher.last_error();
  EXPECT_TRUE(publisher.Shutdown(5s));
}

TEST_F(SecureBrokerTest, AclRefusalUnderMqtt5IsNotResentForever) {
  // The ACL lets "sensor" write fft/# only.
  const std::string base = "forbidden/store/door";
  MqttSub sub(broker_.port(), {"forbidden/#"});
  MqttOptions options = Options(base);
  options.mqtt_version = 5;
  MqttPublisher publisher(options, {});
  ASSERT_TRUE(Eventually([&] { return publisher.connected(); }, 10s)) << publisher.last_error();
  publisher.Publish("counts", "{}");
  // Refused (reason code 0x87): removed from the journal, not resent.
  EXPECT_TRUE(Eventually([&] { return publisher.buffered() == 0; }, 10s));
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(publisher.buffered(), 0u);
  EXPECT_EQ(PayloadsOn(sub.Messages(), base + "/counts"), std::vector<std::string>{});
  publisher.Shutdown(1s);
}

TEST(MqttFiveTest, ContentTypeAndMessageExpiry) {
  Broker broker;
  const std::string base = "fft/store/v5";
  MqttSub sub(broker.port(), {base + "/#"}, {"-V", "mqttv5", "--retain-as-published"},
              "%t|%C|%E|%r|%p");
  TempDir dir;
  MqttOptions o;
  o.broker = ParseMqttEndpoint(broker.uri()).value();
  o.client_id = "v5-props";
  o.topic_base = base;
  o.journal_path = dir.File("journal");
  o.mqtt_version = 5;
  o.message_expiry = 3600s;
  o.retained.push_back({base + "/info", "{\"i\":1}", false});
  MqttPublisher publisher(o, {});
  publisher.Publish("counts", "{\"n\":1}");
  auto lines = sub.WaitForLines([](const auto& l) { return l.size() >= 3; }, 10s);
  ASSERT_EQ(lines.size(), 3u) << broker.log();
  EXPECT_EQ(lines[0], base + "/status|||1|online");                   // text: no content type
  EXPECT_EQ(lines[1], base + "/info|application/json||1|{\"i\":1}");  // retained: no expiry
  // The broker passes on the remaining expiry: 3600 s or a second less.
  EXPECT_TRUE(lines[2] == base + "/counts|application/json|3600|0|{\"n\":1}" ||
              lines[2] == base + "/counts|application/json|3599|0|{\"n\":1}")
      << lines[2];
  EXPECT_TRUE(publisher.Shutdown(5s));
  EXPECT_NE(broker.log().find("v5-props"), std::string::npos);
}

TEST(MqttFiveTest, MessageWhoseExpiryPassedWhileBufferedIsNotSent) {
  Broker broker;
  broker.Stop();
  const std::string base = "fft/store/expiry";
  TempDir dir;
  MqttOptions o;
  o.broker = ParseMqttEndpoint(broker.uri()).value();
  o.client_id = "v5-expiry";
  o.topic_base = base;
  o.journal_path = dir.File("journal");
  o.mqtt_version = 5;
  o.message_expiry = 1s;
  o.min_retry = 1s;
  o.max_retry = 1s;
  o.encode_buffer_report = [](const BufferReport& r) {
    return "expired " + std::to_string(r.expired_total);
  };
  MqttPublisher publisher(o, {});
  publisher.Publish("counts", "old");
  std::this_thread::sleep_for(1500ms);
  broker.Start();
  MqttSub sub(broker.port(), {base + "/#"});
  ASSERT_TRUE(Eventually([&] { return publisher.connected(); }, 10s));
  publisher.Publish("counts", "new");
  auto msgs = sub.WaitFor(
      [&](const auto& m) {
        return !PayloadsOn(m, base + "/counts").empty() &&
               PayloadsOn(m, base + "/buffer").size() >= 2;
      },
      10s);
  EXPECT_EQ(PayloadsOn(msgs, base + "/counts"), std::vector<std::string>{"new"});
  // At the connection, then once the expired message was found.
  EXPECT_EQ(PayloadsOn(msgs, base + "/buffer"),
            (std::vector<std::string>{"expired 0", "expired 1"}));
  EXPECT_TRUE(publisher.Shutdown(5s));
}

TEST(HomeAssistantBirthTest, DiscoveryIsPublishedAgainWhenHomeAssistantSaysOnline) {
  Broker broker;
  const std::string base = "fft/store/ha";
  TempDir dir;
  MqttOptions o;
  o.broker = ParseMqttEndpoint(broker.uri()).value();
  o.client_id = "ha-birth";
  o.topic_base = base;
  o.journal_path = dir.File("journal");
  o.retained.push_back({"hatest/sensor/x/config", "{\"c\":1}", true});
  o.retained.push_back({base + "/info", "{\"i\":1}", false});
  o.ha_status_topic = "hatest/status";
  MqttSub sub(broker.port(), {"hatest/sensor/#", base + "/info"});
  MqttPublisher publisher(o, {});
  auto msgs = sub.WaitFor([](const auto& m) { return m.size() >= 2; }, 10s);
  ASSERT_EQ(msgs.size(), 2u);
  // Wait for the subscription to hatest/status to be in place, then a birth.
  ASSERT_TRUE(Eventually(
      [&] { return broker.log().find("ha-birth 1 hatest/status") != std::string::npos; }, 10s))
      << broker.log();
  ASSERT_EQ(RunCommand({"mosquitto_pub", "-h", "127.0.0.1", "-p", std::to_string(broker.port()),
                        "-t", "hatest/status", "-m", "offline"}),
            0);
  ASSERT_EQ(RunCommand({"mosquitto_pub", "-h", "127.0.0.1", "-p", std::to_string(broker.port()),
                        "-t", "hatest/status", "-m", "online"}),
            0);
  msgs = sub.WaitFor([](const auto& m) { return m.size() >= 3; }, 10s);
  std::this_thread::sleep_for(300ms);
  msgs = sub.Messages();
  // The discovery config again, the info not ("offline" changed nothing).
  EXPECT_EQ(PayloadsOn(msgs, "hatest/sensor/x/config"),
            (std::vector<std::string>{"{\"c\":1}", "{\"c\":1}"}));
  EXPECT_EQ(PayloadsOn(msgs, base + "/info"), std::vector<std::string>{"{\"i\":1}"});
  EXPECT_TRUE(publisher.Shutdown(5s));
}

}  // namespace
}  // namespace footfall::transport
