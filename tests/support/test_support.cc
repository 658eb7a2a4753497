// Purpose: implementation of the shared test helpers (see test_support.h).
#include "support/test_support.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace footfall::testing {
namespace {

[[noreturn]] void Fail(const std::string& what) { throw std::runtime_error(what); }

}  // namespace

ScopedTz::ScopedTz(const char* tz) {
  if (const char* old = std::getenv("TZ"); old != nullptr) old_ = old;
  setenv("TZ", tz, 1);
  tzset();
}

ScopedTz::~ScopedTz() {
  if (old_) {
    setenv("TZ", old_->c_str(), 1);
  } else {
    unsetenv("TZ");
  }
  tzset();
}

bool Eventually(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

std::size_t Occurrences(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
  return n;
}

std::string Hex(const std::uint8_t* p, std::size_t n, bool upper, char sep) {
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0 && sep != '\0') out += sep;
    out += digits[p[i] >> 4];
    out += digits[p[i] & 15];
  }
  return out;
}

std::string Hex(const std::string& bytes, bool upper) {
  return Hex(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size(), upper);
}

std::string CapturesDir() { return FOOTFALL_CAPTURES_DIR; }
std::string SourceDir() { return FOOTFALL_SOURCE_DIR; }
std::string FootfalldPath() { return FOOTFALLD_PATH; }

std::vector<std::map<std::string, std::string>> ReadTsv(const std::string& path) {
  std::ifstream in(path);
  if (!in) Fail("cannot read " + path);
  std::string line;
  std::vector<std::string> header;
  std::vector<std::map<std::string, std::string>> rows;
  auto split = [](const std::string& s) {
    std::vector<std::string> out;
    std::string cell;
    std::istringstream ss(s);
    while (std::getline(ss, cell, '\t')) out.push_back(cell);
    if (!s.empty() && s.back() == '\t') out.emplace_back();
    return out;
  };
  if (!std::getline(in, line)) return rows;
  header = split(line);
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    auto cells = split(line);
    std::map<std::string, std::string> row;
    for (size_t i = 0; i < header.size(); ++i) row[header[i]] = i < cells.size() ? cells[i] : "";
    rows.push_back(std::move(row));
  }
  return rows;
}

PcapFile ReadPcap(const std::string& path) {
  PcapFile file;
  char err[PCAP_ERRBUF_SIZE] = {};
  pcap_t* p = pcap_open_offline(path.c_str(), err);
  if (p == nullptr) Fail("pcap_open_offline " + path + ": " + err);
  file.link_type = pcap_datalink(p);
  pcap_pkthdr* hdr = nullptr;
  const u_char* data = nullptr;
  int rc;
  while ((rc = pcap_next_ex(p, &hdr, &data)) == 1) {
    PcapRecord r;
    r.ts_us = static_cast<std::int64_t>(hdr->ts.tv_sec) * 1000000 + hdr->ts.tv_usec;
    r.bytes.assign(data, data + hdr->caplen);
    r.wirelen = hdr->len;
    file.records.push_back(std::move(r));
  }
  if (rc == PCAP_ERROR) file.error = pcap_geterr(p);
  pcap_close(p);
  return file;
}

void WritePcap(const std::string& path, int link_type, const std::vector<PcapRecord>& records) {
  pcap_t* dead = pcap_open_dead(link_type, 65535);
  if (dead == nullptr) Fail("pcap_open_dead");
  pcap_dumper_t* d = pcap_dump_open(dead, path.c_str());
  if (d == nullptr) {
    std::string e = pcap_geterr(dead);
    pcap_close(dead);
    Fail("pcap_dump_open " + path + ": " + e);
  }
  for (const auto& r : records) {
    pcap_pkthdr h{};
    h.ts.tv_sec = static_cast<time_t>(r.ts_us / 1000000);
    h.ts.tv_usec = static_cast<suseconds_t>(r.ts_us % 1000000);
    h.caplen = static_cast<bpf_u_int32>(r.bytes.size());
    h.len = r.wirelen ? r.wirelen : h.caplen;
    pcap_dump(reinterpret_cast<u_char*>(d), &h, r.bytes.data());
  }
  pcap_dump_close(d);
  pcap_close(dead);
}

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "footfall-test-XXXXXX").string();
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data()) == nullptr) Fail("mkdtemp failed");
  path_ = buf.data();
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) Fail("cannot write " + path);
  out << content;
}

Process::Process(const std::vector<std::string>& argv, const std::string& stdout_path,
                 const std::string& stderr_path, const std::vector<std::string>& extra_env) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) env.emplace_back(*e);
  for (const auto& kv : extra_env) {
    auto key = kv.substr(0, kv.find('=') + 1);
    env.erase(std::remove_if(env.begin(), env.end(),
                             [&](const std::string& s) { return s.rfind(key, 0) == 0; }),
              env.end());
    env.push_back(kv);
  }
  pid_ = fork();
  if (pid_ < 0) Fail("fork failed");
  if (pid_ == 0) {
    int out = open(stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int err = open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (out < 0 || err < 0) _exit(126);
    dup2(out, 1);
    dup2(err, 2);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, 0);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    std::vector<char*> envp;
    for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
    // Clear the signal mask gtest or the parent may have set.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execvpe(args[0], args.data(), envp.data());
    _exit(127);
  }
}

Process::~Process() {
  if (pid_ > 0 && !reaped_) {
    kill(pid_, SIGKILL);
    waitpid(pid_, &status_, 0);
  }
}

void Process::Signal(int sig) {
  if (pid_ > 0 && !reaped_) kill(pid_, sig);
}

int Process::Wait(std::chrono::milliseconds timeout) {
  if (reaped_) return status_;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int st = 0;
    pid_t r = waitpid(pid_, &st, WNOHANG);
    if (r == pid_) {
      reaped_ = true;
      status_ = st;
      return status_;
    }
    if (std::chrono::steady_clock::now() >= deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

bool Process::running() { return Wait(std::chrono::milliseconds(0)) == -1; }

int ExitCode(int wait_status) { return WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1; }

std::map<std::string, std::string> ProcStatusFields(const std::string& path) {
  std::map<std::string, std::string> m;
  std::istringstream in(ReadFile(path));
  for (std::string line; std::getline(in, line);) {
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string v = line.substr(colon + 1);
    v.erase(0, v.find_first_not_of(" \t"));
    v.erase(v.find_last_not_of(" \t") + 1);
    m[line.substr(0, colon)] = v;
  }
  return m;
}

void ExpectNoCapabilities(const std::map<std::string, std::string>& status) {
  const auto field = [&](const char* name) {
    const auto it = status.find(name);
    return it == status.end() ? std::string("(missing)") : it->second;
  };
  for (const char* set : {"CapEff", "CapPrm", "CapInh", "CapAmb", "CapBnd"}) {
    EXPECT_EQ(field(set), "0000000000000000") << set;
  }
  EXPECT_EQ(field("NoNewPrivs"), "1");
}

int RunCommand(const std::vector<std::string>& argv, std::string* out,
               std::chrono::milliseconds timeout) {
  TempDir dir;
  Process p(argv, dir.File("out"), dir.File("err"));
  int st = p.Wait(timeout);
  if (out != nullptr) *out = ReadFile(dir.File("out")) + ReadFile(dir.File("err"));
  if (st == -1) return -1;
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int FreeTcpPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) Fail("bind");
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

bool WaitForPort(int port, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    int rc = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    close(fd);
    if (rc == 0) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

// ---- HTTP ------------------------------------------------------------------

std::string HttpExchange(int port, const std::string& request, const std::string& unix_path,
                         std::chrono::seconds timeout) {
  int fd = -1;
  int connected = -1;
  if (unix_path.empty()) {
    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    connected = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  } else {
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, unix_path.c_str(), sizeof addr.sun_path - 1);
    connected = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  }
  if (connected != 0) {
    close(fd);
    return "";
  }
  timeval tv{static_cast<time_t>(timeout.count()), 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    close(fd);
    return "";
  }
  std::string all;
  char buf[4096];
  ssize_t n;
  while ((n = recv(fd, buf, sizeof buf, 0)) > 0) all.append(buf, static_cast<std::size_t>(n));
  close(fd);
  return all;
}

HttpResponse HttpRequest(int port, const std::string& method, const std::string& target,
                         const std::string& token) {
  const std::string all =
      HttpExchange(port,
                   method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
                       (token.empty() ? std::string() : "Authorization: Bearer " + token + "\r\n") +
                       "Connection: close\r\n\r\n",
                   "", std::chrono::seconds(5));
  HttpResponse r;
  const auto end = all.find("\r\n\r\n");
  if (all.rfind("HTTP/1.1 ", 0) != 0 || end == std::string::npos) return r;
  r.status = std::stoi(all.substr(9, 3));
  r.head = all.substr(0, end);
  r.body = all.substr(end + 4);
  return r;
}

Broker::Broker(const std::string& extra_config) : port_(FreeTcpPort()), extra_(extra_config) {
  Start();
}

Broker::~Broker() { Stop(); }

void Broker::Start() {
  std::string conf = dir_.File("mosquitto.conf");
  WriteFile(conf, "listener " + std::to_string(port_) +
                      " 127.0.0.1\nallow_anonymous true\npersistence false\n"
                      "log_dest stderr\nlog_type all\n" +
                      extra_);
  proc_ = std::make_unique<Process>(std::vector<std::string>{"mosquitto", "-c", conf},
                                    dir_.File("broker.out"), dir_.File("broker.log"));
  if (!WaitForPort(port_, std::chrono::seconds(10))) {
    Fail("mosquitto did not start on port " + std::to_string(port_) + ": " + log());
  }
}

void Broker::Stop() {
  if (!proc_) return;
  proc_->Signal(SIGTERM);
  proc_->Wait(std::chrono::seconds(10));
  proc_.reset();
}

void Broker::Kill() {
  if (!proc_) return;
  proc_->Signal(SIGKILL);
  proc_->Wait(std::chrono::seconds(10));
  proc_.reset();
}

std::string Broker::log() const { return ReadFile(dir_.File("broker.log")); }

Subscriber::Subscriber(int port, const std::string& topic_filter) {
  const std::string ready_topic = "footfall-test/ready";
  proc_ = std::make_unique<Process>(
      std::vector<std::string>{"mosquitto_sub", "-h", "127.0.0.1", "-p", std::to_string(port), "-q",
                               "1", "-v", "-t", topic_filter, "-t", ready_topic},
      dir_.File("sub.out"), dir_.File("sub.err"));
  // The subscription is active once a message published after it arrives.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    RunCommand({"mosquitto_pub", "-h", "127.0.0.1", "-p", std::to_string(port), "-t", ready_topic,
                "-m", "ready"});
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (raw_output().find(ready_topic + " ready") != std::string::npos) return;
  }
  Fail("mosquitto_sub did not become ready: " + ReadFile(dir_.File("sub.err")));
}

Subscriber::~Subscriber() = default;

std::string Subscriber::raw_output() const { return ReadFile(dir_.File("sub.out")); }

std::vector<MqttMessage> Subscriber::Messages() const {
  std::vector<MqttMessage> out;
  std::istringstream in(raw_output());
  std::string line;
  while (std::getline(in, line)) {
    auto sp = line.find(' ');
    MqttMessage m;
    m.topic = line.substr(0, sp);
    m.payload = sp == std::string::npos ? "" : line.substr(sp + 1);
    if (m.topic == "footfall-test/ready") continue;
    out.push_back(std::move(m));
  }
  return out;
}

std::vector<std::string> PayloadsOn(const std::vector<MqttMessage>& messages,
                                    const std::string& topic) {
  std::vector<std::string> out;
  for (const MqttMessage& m : messages) {
    if (m.topic == topic) out.push_back(m.payload);
  }
  return out;
}

bool EndsOffline(const std::vector<MqttMessage>& messages) {
  return !messages.empty() && messages.back().topic == "footfall/store-7/door/status" &&
         messages.back().payload == "offline";
}

std::vector<nlohmann::json> CountsOf(const std::vector<MqttMessage>& messages,
                                     const std::string& topic) {
  std::vector<nlohmann::json> out;
  for (const std::string& payload : PayloadsOn(messages, topic)) {
    out.push_back(nlohmann::json::parse(payload));
  }
  return out;
}

std::vector<MqttMessage> Subscriber::WaitFor(
    const std::function<bool(const std::vector<MqttMessage>&)>& pred,
    std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    auto msgs = Messages();
    if (pred(msgs) || std::chrono::steady_clock::now() >= deadline) return msgs;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

std::vector<TsharkProbe> TsharkProbes(const std::string& file) {
  std::string out;
  int rc = RunCommand(
      {"tshark", "-n", "-r", file, "-Y", "wlan.fc.type_subtype == 4", "-T", "fields", "-E",
       "separator=/t", "-e", "frame.time_epoch", "-e", "wlan.sa", "-e", "radiotap.dbm_antsignal"},
      &out, std::chrono::seconds(120));
  EXPECT_EQ(rc, 0) << "tshark failed";
  std::vector<TsharkProbe> probes;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::string cell;
    std::istringstream ls(line);
    while (std::getline(ls, cell, '\t')) f.push_back(cell);
    if (f.size() < 2 || f[0].empty() || f[0].find_first_not_of("0123456789.") != std::string::npos)
      continue;  // tshark's own notices
    TsharkProbe p;
    auto dot = f[0].find('.');
    p.ts_us = std::stoll(f[0].substr(0, dot)) * 1000000 +
              std::stoll((f[0].substr(dot + 1) + "000000").substr(0, 6));
    p.sa = f[1];
    if (f.size() > 2 && !f[2].empty()) p.signal = std::stoi(f[2].substr(0, f[2].find(',')));
    probes.push_back(p);
  }
  return probes;
}

// ---- Memory ----------------------------------------------------------------

std::string VmFlagsOf(const void* p) {
  const auto addr = reinterpret_cast<std::uintptr_t>(p);
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    const auto dash = line.find('-');
    const auto space = line.find(' ');
    if (dash != std::string::npos && space != std::string::npos && dash < space &&
        line.find_first_not_of("0123456789abcdef") == dash) {
      const std::uintptr_t lo = std::stoull(line.substr(0, dash), nullptr, 16);
      const std::uintptr_t hi = std::stoull(line.substr(dash + 1, space - dash - 1), nullptr, 16);
      inside = lo <= addr && addr < hi;
      continue;
    }
    if (inside && line.rfind("VmFlags:", 0) == 0) return line.substr(8) + " ";
  }
  return "";
}

void WriteWithoutCore(std::uint8_t* p) {
  rlimit no_core{};
  setrlimit(RLIMIT_CORE, &no_core);
  *static_cast<volatile std::uint8_t*>(p) = 0x42;
}

}  // namespace footfall::testing
