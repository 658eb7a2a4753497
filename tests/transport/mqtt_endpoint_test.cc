// Purpose: tests of ParseMqttEndpoint: the broker URI's parts and TLS flag,
// parsed once for the publisher, the TLS probe and the info message.
#include "transport/mqtt_endpoint.h"

#include <gtest/gtest.h>

namespace footfall::transport {
namespace {

TEST(MqttEndpointTest, PartsOfEachScheme) {
  struct Case {
    const char* uri;
    const char* scheme;
    const char* host;
    std::uint16_t port;
    bool tls;
  };
  for (const Case& c :
       {Case{"tcp://127.0.0.1:1883", "tcp", "127.0.0.1", 1883, false},
        Case{"mqtt://broker:1883", "mqtt", "broker", 1883, false},
        Case{"ssl://broker.example.com:8883", "ssl", "broker.example.com", 8883, true},
        Case{"mqtts://h:8883", "mqtts", "h", 8883, true},
        Case{"ws://h:80/mqtt", "ws", "h", 80, false},
        Case{"wss://b:443/mqtt", "wss", "b", 443, true},
        Case{"tcp://[::1]:1883", "tcp", "::1", 1883, false}}) {
    const Result<MqttEndpoint> e = ParseMqttEndpoint(c.uri);
    ASSERT_TRUE(e) << c.uri << ": " << e.error();
    EXPECT_EQ(e->uri, c.uri);
    EXPECT_EQ(e->scheme, c.scheme) << c.uri;
    EXPECT_EQ(e->host, c.host) << c.uri;
    EXPECT_EQ(e->port, c.port) << c.uri;
    EXPECT_EQ(e->tls, c.tls) << c.uri;
  }
  // The default is the default [mqtt] uri, parsed.
  const MqttEndpoint d;
  const Result<MqttEndpoint> parsed = ParseMqttEndpoint(d.uri);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->scheme, d.scheme);
  EXPECT_EQ(parsed->host, d.host);
  EXPECT_EQ(parsed->port, d.port);
  EXPECT_EQ(parsed->tls, d.tls);
}

TEST(MqttEndpointTest, RefusedWithAReason) {
  EXPECT_EQ(ParseMqttEndpoint("http://h:80").error(),
            "must start with tcp://, ssl://, mqtt://, mqtts://, ws:// or wss:// (got "
            "\"http://h:80\")");
  EXPECT_EQ(ParseMqttEndpoint("tcp://h:1883/path").error(),
            "only ws:// and wss:// URIs may have a path");
  EXPECT_EQ(ParseMqttEndpoint("tcp://h").error(), "must be scheme://host:port (port missing)");
  EXPECT_EQ(ParseMqttEndpoint("tcp://:1883").error(), "must be scheme://host:port (host missing)");
  EXPECT_EQ(ParseMqttEndpoint("tcp://h:0").error(), "port \"0\" must be a number from 1 to 65535");
  EXPECT_EQ(ParseMqttEndpoint("tcp://a@b:1").error(),
            "host \"a@b\" is not a valid host name or address");
  EXPECT_FALSE(ParseMqttEndpoint("tcp://"));
  EXPECT_FALSE(ParseMqttEndpoint("127.0.0.1:1883"));
}

}  // namespace
}  // namespace footfall::transport
