// Purpose: tests of the MQTT security, version and Home Assistant settings:
// their validation (errors as file:line:col), the password from a systemd
// credential or a file (never logged), and the publisher options built from
// them (journal under the state directory, info and discovery messages).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <string>

#include "daemon/config.h"
#include "daemon/mqtt_setup.h"
#include "support/test_support.h"

namespace footfall::daemon {
namespace {

using footfall::testing::TempDir;
using footfall::testing::WriteFile;

std::string Errors(const ConfigResult& r) {
  std::string out;
  for (const auto& e : r.errors) out += e + "\n";
  return out;
}

const char* kSource = "[capture]\nsource = \"pcap:mon0\"\n";

TEST(MqttConfigTest, DefaultsAreMqtt311VerifyOnAndHomeAssistantOn) {
  const ConfigResult r = ParseConfig(kSource, "f.toml");
  ASSERT_TRUE(r.ok()) << Errors(r);
  EXPECT_EQ(r.config.mqtt_version, 4);
  EXPECT_EQ(r.config.message_expiry.count(), 0);
  EXPECT_TRUE(r.config.tls_verify);
  EXPECT_TRUE(r.config.ha_enabled);
  EXPECT_EQ(r.config.ha_prefix, "homeassistant");
  EXPECT_TRUE(r.warnings.empty());
}

TEST(MqttConfigTest, VersionAndExpiry) {
  ConfigResult r = ParseConfig(std::string(kSource) +
                                   "[mqtt]\nversion = 5\nmessage_expiry_s = 600\n"
                                   "[homeassistant]\nenabled = false\nprefix = \"ha/x\"\n",
                               "f.toml");
  ASSERT_TRUE(r.ok()) << Errors(r);
  EXPECT_EQ(r.config.mqtt_version, 5);
  EXPECT_EQ(r.config.message_expiry.count(), 600);
  EXPECT_FALSE(r.config.ha_enabled);
  EXPECT_EQ(r.config.ha_prefix, "ha/x");

  r = ParseConfig(std::string(kSource) + "[mqtt]\nversion = \"3.1.1\"\n", "f.toml");
  ASSERT_TRUE(r.ok()) << Errors(r);
  EXPECT_EQ(r.config.mqtt_version, 4);

  r = ParseConfig(std::string(kSource) +
                      "[mqtt]\nversion = 4\nmessage_expiry_s = 60\n[homeassistant]\nprefix = "
                      "\"#\"\n",
                  "f.toml");
  ASSERT_EQ(r.errors.size(), 3u) << Errors(r);
  EXPECT_NE(r.errors[0].find("f.toml:4:11: error: mqtt.version: must be 5 or \"3.1.1\""),
            std::string::npos)
      << r.errors[0];
  EXPECT_NE(r.errors[1].find("f.toml:5:20: error: mqtt.message_expiry_s: needs MQTT 5"),
            std::string::npos)
      << r.errors[1];
  EXPECT_NE(r.errors[2].find("homeassistant.prefix"), std::string::npos) << r.errors[2];
}

TEST(MqttConfigTest, TlsFilesMustBeReadableAndNeedATlsUri) {
  TempDir dir;
  WriteFile(dir.File("ca.pem"), "x");
  WriteFile(dir.File("pw"), "secret\n");
  chmod(dir.File("pw").c_str(), 0600);  // a password file others may read is refused
  // Relative to the config's directory.
  ConfigResult r = ParseConfig(std::string(kSource) +
                                   "[mqtt]\nuri = \"mqtts://broker:8883\"\nca_file = \"ca.pem\"\n"
                                   "verify = false\nusername = \"u\"\npassword_file = \"pw\"\n",
                               dir.File("f.toml"));
  ASSERT_TRUE(r.ok()) << Errors(r);
  EXPECT_EQ(r.config.ca_file, dir.File("ca.pem"));
  EXPECT_EQ(r.config.password_file, dir.File("pw"));
  EXPECT_FALSE(r.config.tls_verify);

  r = ParseConfig(std::string(kSource) + "[mqtt]\nca_file = \"" + dir.File("ca.pem") +
                      "\"\nkey_file = \"" + dir.File("missing.key") + "\"\npassword_file = \"" +
                      dir.File("pw") + "\"\n",
                  dir.File("g.toml"));
  const std::string errors = Errors(r);
  EXPECT_NE(errors.find("g.toml:4:11: error: mqtt.ca_file: needs a TLS broker URI"),
            std::string::npos)
      << errors;
  EXPECT_NE(errors.find("g.toml:5:12: error: mqtt.key_file: cannot read"), std::string::npos)
      << errors;
  EXPECT_NE(errors.find("mqtt.password_file: needs username"), std::string::npos) << errors;
  EXPECT_EQ(errors.find("secret"), std::string::npos);
}

TEST(MqttConfigTest, PasswordFromCredentialBeforeFile) {
  TempDir dir;
  WriteFile(dir.File("pw"), "from-file\r\nsecond line\n");
  Config c;
  c.username = "u";
  c.password_file = dir.File("pw");
  // Readable by others: refused (issue 15), like the seed file.
  chmod(dir.File("pw").c_str(), 0644);
  EXPECT_THROW(ReadPassword(c, nullptr), std::runtime_error);
  chmod(dir.File("pw").c_str(), 0600);
  Password p = ReadPassword(c, nullptr);
  EXPECT_EQ(p.value, "from-file");
  EXPECT_EQ(p.source, "file " + dir.File("pw"));
  // A credentials directory without the credential: the file still.
  EXPECT_EQ(ReadPassword(c, dir.path().c_str()).value, "from-file");
  WriteFile(dir.File("mqtt-password"), "from-credential\n");
  p = ReadPassword(c, dir.path().c_str());
  EXPECT_EQ(p.value, "from-credential");
  EXPECT_EQ(p.source, "systemd credential mqtt-password");
  c.password_file = dir.File("gone");
  EXPECT_THROW(ReadPassword(c, nullptr), std::runtime_error);
  c.password_file.clear();
  EXPECT_EQ(ReadPassword(c, nullptr).value, "");
}

TEST(MqttConfigTest, PublisherOptionsFromConfig) {
  Config c;
  c.site = "s";
  c.sensor_id = "d";
  c.state_dir = "/var/lib/footfall";
  c.mqtt_version = 5;
  c.message_expiry = std::chrono::seconds(60);
  transport::MqttOptions o = MqttOptionsFrom(c);
  EXPECT_EQ(o.journal_path, "/var/lib/footfall/mqtt-journal");
  EXPECT_EQ(o.client_id, "footfall-s-d");
  EXPECT_EQ(o.mqtt_version, 5);
  EXPECT_EQ(o.message_expiry.count(), 60);
  EXPECT_EQ(o.ha_status_topic, "homeassistant/status");
  ASSERT_EQ(o.retained.size(), 8u);  // info and seven discovery configs
  EXPECT_EQ(o.retained[0].topic, "footfall/s/d/info");
  EXPECT_FALSE(o.retained[0].home_assistant);
  EXPECT_EQ(o.retained[1].topic, "homeassistant/sensor/footfall_s_d_devices/config");
  EXPECT_TRUE(o.retained[1].home_assistant);
  ASSERT_TRUE(o.encode_buffer_report);
  EXPECT_NE(o.encode_buffer_report({}).find("footfall.buffer/1"), std::string::npos);

  c.ha_enabled = false;
  o = MqttOptionsFrom(c);
  EXPECT_EQ(o.retained.size(), 1u);
  EXPECT_EQ(o.ha_status_topic, "");
}

}  // namespace
}  // namespace footfall::daemon
