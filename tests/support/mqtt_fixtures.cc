// Purpose: implementation of the MQTT test fixtures (see mqtt_fixtures.h).
#include "support/mqtt_fixtures.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <utility>

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

std::string BridgeConfig(const std::string& name, int remote_port, const std::string& topic,
                         const std::string& client_id) {
  return "connection " + name + "\naddress 127.0.0.1:" + std::to_string(remote_port) + "\ntopic " +
         topic + " out 1\ncleansession false\nremote_clientid " + client_id +
         "\nbridge_protocol_version mqttv311\nnotifications true\nkeepalive_interval 5\n"
         "restart_timeout 1\n";
}

namespace {

sockaddr_in Loopback(int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  return addr;
}

// Writes all of `data` (blocking); false if the peer is gone.
bool SendAll(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = send(fd, data, size, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

TcpRelay::TcpRelay(int target_port) : target_(target_port) {
  if (pipe(wake_) != 0) throw std::runtime_error("pipe failed");
  Listen();
  thread_ = std::thread([this] { Loop(); });
}

TcpRelay::~TcpRelay() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  Wake();
  if (thread_.joinable()) thread_.join();
  for (const Pair& p : pairs_) {
    close(p.a);
    close(p.b);
  }
  if (listen_fd_ >= 0) close(listen_fd_);
  close(wake_[0]);
  close(wake_[1]);
}

void TcpRelay::Listen() {
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr = Loopback(port_);
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      listen(listen_fd_, 16) != 0) {
    throw std::runtime_error(std::string("TCP relay: cannot listen: ") + std::strerror(errno));
  }
  socklen_t len = sizeof addr;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
}

void TcpRelay::Wake() {
  const char c = 1;
  (void)!write(wake_[1], &c, 1);
}

void TcpRelay::Cut() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    cut_ = true;
  }
  Wake();
}

void TcpRelay::Restore() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    cut_ = false;
    restore_ = true;
  }
  Wake();
}

int TcpRelay::connections_accepted() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return accepted_;
}

void TcpRelay::Loop() {
  while (true) {
    bool cut = false;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stop_) return;
      cut = cut_;
      if (cut && listen_fd_ >= 0) {
        close(listen_fd_);  // new connections are refused
        listen_fd_ = -1;
      }
      if (std::exchange(restore_, false)) {
        // The dead connections go; the endpoints have given up on them.
        for (const Pair& p : pairs_) {
          close(p.a);
          close(p.b);
        }
        pairs_.clear();
        try {
          if (listen_fd_ < 0) Listen();
        } catch (const std::exception&) {
          listen_fd_ = -1;  // the port was taken meanwhile: connections are refused
        }
      }
    }
    std::vector<pollfd> fds{{wake_[0], POLLIN, 0}};
    if (!cut) {
      fds.push_back({listen_fd_, POLLIN, 0});
      for (const Pair& p : pairs_) {
        fds.push_back({p.a, POLLIN, 0});
        fds.push_back({p.b, POLLIN, 0});
      }
    }
    if (poll(fds.data(), fds.size(), 1000) < 0) continue;
    if (fds[0].revents != 0) {
      char buf[64];
      (void)!read(wake_[0], buf, sizeof buf);
      continue;  // the state may have changed
    }
    if (cut) continue;
    if (fds[1].revents & POLLIN) {
      const int a = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (a >= 0) {
        const int b = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr = Loopback(target_);
        if (connect(b, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
          pairs_.push_back({a, b});
          std::lock_guard<std::mutex> lock(mutex_);
          ++accepted_;
        } else {
          close(a);
          close(b);
        }
      }
    }
    std::vector<Pair> alive;
    for (std::size_t i = 0; i < pairs_.size(); ++i) {
      const Pair& p = pairs_[i];
      bool ok = true;
      for (int side = 0; side < 2 && ok; ++side) {
        const pollfd& f = fds[2 + 2 * i + side];
        if ((f.revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
        char buf[65536];
        const ssize_t n = recv(f.fd, buf, sizeof buf, 0);
        ok = n > 0 && SendAll(side == 0 ? p.b : p.a, buf, static_cast<std::size_t>(n));
      }
      if (ok) {
        alive.push_back(p);
      } else {
        close(p.a);
        close(p.b);
      }
    }
    pairs_.swap(alive);
  }
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
