// Purpose: implementation of the MQTT test fixtures (see mqtt_fixtures.h).
#include "support/mqtt_fixtures.h"

#include <sstream>
#include <stdexcept>
#include <thread>

namespace footfall::testing {
namespace {

constexpr const char* kReadyTopic = "footfall-test/ready";

void Run(const std::vector<std::string>& argv) {
  std::string out;
  const int rc = RunCommand(argv, &out);
  if (rc != 0) throw std::runtime_error(argv[0] + " failed (" + std::to_string(rc) + "): " + out);
}

void MakeKey(const std::string& key) {
  Run({"openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out",
       key});
  // footfalld refuses a key file that other users may read (as a password).
  Run({"chmod", "600", key});
}

void MakeCa(const std::string& dir, const std::string& name, std::string* cert) {
  const std::string key = dir + "/" + name + ".key";
  *cert = dir + "/" + name + ".pem";
  MakeKey(key);
  Run({"openssl", "req", "-x509", "-new", "-key", key, "-out", *cert, "-days", "2", "-subj",
       "/CN=footfall test " + name, "-addext", "basicConstraints=critical,CA:TRUE", "-addext",
       "keyUsage=critical,keyCertSign,cRLSign"});
}

// A certificate for `subject` signed by the CA `ca` (its key beside it).
void MakeLeaf(const std::string& dir, const std::string& name, const std::string& subject,
              const std::string& extensions, const std::string& ca, std::string* cert,
              std::string* key) {
  *key = dir + "/" + name + ".key";
  *cert = dir + "/" + name + ".pem";
  const std::string csr = dir + "/" + name + ".csr";
  const std::string ext = dir + "/" + name + ".ext";
  MakeKey(*key);
  Run({"openssl", "req", "-new", "-key", *key, "-out", csr, "-subj", subject});
  WriteFile(ext, extensions);
  const std::string ca_key = ca.substr(0, ca.size() - 4) + ".key";
  Run({"openssl", "x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial",
       "-out", *cert, "-days", "2", "-extfile", ext});
}

}  // namespace

Pki MakePki(const std::string& dir) {
  Pki pki;
  MakeCa(dir, "ca", &pki.ca_cert);
  MakeCa(dir, "rogue-ca", &pki.rogue_ca_cert);
  MakeLeaf(dir, "broker", "/CN=localhost",
           "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n", pki.ca_cert,
           &pki.server_cert, &pki.server_key);
  MakeLeaf(dir, "client", "/CN=footfall-sensor", "extendedKeyUsage=clientAuth\n", pki.ca_cert,
           &pki.client_cert, &pki.client_key);
  return pki;
}

std::string SecureListenerConfig(const std::string& dir, const Pki& pki, int tls_port,
                                 const std::string& user, const std::string& password,
                                 const std::string& acl_prefix) {
  const std::string passwords = dir + "/passwords";
  WriteFile(passwords, "");
  Run({"mosquitto_passwd", "-b", passwords, user, password});
  const std::string acl = dir + "/acl";
  WriteFile(acl, "# anonymous: the tests' observers\ntopic readwrite #\n\nuser " + user +
                     "\ntopic write " + acl_prefix +
                     "/#\ntopic write homeassistant/#\n"
                     "topic read homeassistant/status\n");
  return "password_file " + passwords + "\n" + "acl_file " + acl + "\n" + "listener " +
         std::to_string(tls_port) + " 127.0.0.1\n" + "cafile " + pki.ca_cert + "\n" + "certfile " +
         pki.server_cert + "\n" + "keyfile " + pki.server_key + "\n" + "require_certificate true\n";
}

std::string PersistenceConfig(const std::string& dir) {
  return "persistence true\npersistence_location " + dir + "/\nautosave_interval 1\n";
}

MqttSub::MqttSub(int port, const std::vector<std::string>& topic_filters,
                 const std::vector<std::string>& options, const std::string& format) {
  std::vector<std::string> argv{
      "mosquitto_sub", "-h", "127.0.0.1", "-p", std::to_string(port), "-q", "1", "-F", format};
  argv.insert(argv.end(), options.begin(), options.end());
  for (const auto& t : topic_filters) {
    argv.push_back("-t");
    argv.push_back(t);
  }
  argv.push_back("-t");
  argv.push_back(kReadyTopic);
  proc_ = std::make_unique<Process>(argv, dir_.File("sub.out"), dir_.File("sub.err"));
  // The subscription is active once a message published after it arrives.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    RunCommand({"mosquitto_pub", "-h", "127.0.0.1", "-p", std::to_string(port), "-t", kReadyTopic,
                "-m", "ready"});
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (ReadFile(dir_.File("sub.out")).find(kReadyTopic) != std::string::npos) return;
  }
  throw std::runtime_error("mosquitto_sub did not become ready: " + errors());
}

MqttSub::~MqttSub() = default;

std::string MqttSub::errors() const { return ReadFile(dir_.File("sub.err")); }

std::vector<std::string> MqttSub::Lines() const {
  std::vector<std::string> out;
  std::istringstream in(ReadFile(dir_.File("sub.out")));
  std::string line;
  while (std::getline(in, line)) {
    if (line.find(kReadyTopic) != std::string::npos) continue;
    out.push_back(line);
  }
  return out;
}

std::vector<MqttMessage> MqttSub::Messages() const {
  std::vector<MqttMessage> out;
  for (const std::string& line : Lines()) {
    const auto sp = line.find(' ');
    out.push_back({line.substr(0, sp), sp == std::string::npos ? "" : line.substr(sp + 1)});
  }
  return out;
}

std::vector<MqttMessage> MqttSub::WaitFor(
    const std::function<bool(const std::vector<MqttMessage>&)>& pred,
    std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    auto msgs = Messages();
    if (pred(msgs) || std::chrono::steady_clock::now() >= deadline) return msgs;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

std::vector<std::string> MqttSub::WaitForLines(
    const std::function<bool(const std::vector<std::string>&)>& pred,
    std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    auto lines = Lines();
    if (pred(lines) || std::chrono::steady_clock::now() >= deadline) return lines;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace footfall::testing
