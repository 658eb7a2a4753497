// Purpose: helpers shared by the test suites: the real captures and their
// tshark oracle (tests/data/*.tsv), reading pcap files, temporary
// directories, child processes with real signals, an HTTP client, memory
// mapping flags, and a private mosquitto on
// a free loopback port with a real mosquitto_sub (and the counts messages
// among what it received).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/utc_time.h"

namespace footfall::testing {

// ---- Time ------------------------------------------------------------------
// The instant of a UTC calendar date and time (base/utc_time.h).
using footfall::Utc;

// Sets TZ (and calls tzset) for the scope; restores the previous value.
class ScopedTz final {
 public:
  explicit ScopedTz(const char* tz);
  ~ScopedTz();
  ScopedTz(const ScopedTz&) = delete;
  ScopedTz& operator=(const ScopedTz&) = delete;

 private:
  std::optional<std::string> old_;
};

// Polls `pred` every 20 ms until it holds (true) or `timeout` passes (false).
bool Eventually(const std::function<bool()>& pred, std::chrono::milliseconds timeout);

// ---- Text ------------------------------------------------------------------
// How often `what` occurs in `text` (overlapping occurrences too).
std::size_t Occurrences(const std::string& text, const std::string& what);

// The `n` bytes at `p` in hexadecimal, two digits each, lower or upper case,
// with `sep` between bytes unless it is '\0'.
std::string Hex(const std::uint8_t* p, std::size_t n, bool upper = false, char sep = '\0');
// The bytes of `bytes` in hexadecimal, as above.
std::string Hex(const std::string& bytes, bool upper = false);

// ---- Captures ------------------------------------------------------------
std::string CapturesDir();  // FOOTFALL_CAPTURES_DIR: tests/data of the source tree
std::string SourceDir();    // FOOTFALL_SOURCE_DIR
std::string FootfalldPath();
// The capture most tests replay, relative to CapturesDir(): one of the Argo
// simulator's probe-request captures (tests/data/README.md).
inline constexpr char kArgoF[] = "/real/Diegomangasco+Argo__thesis_tests__F_test_1.pcap";

// One probe request as tshark dissects it.
struct TsharkProbe {
  std::int64_t ts_us = 0;  // capture time, microseconds since the epoch
  std::string sa;          // "aa:bb:cc:dd:ee:ff" — never printed
  std::optional<int> signal;
};
// Every probe request of a capture, by a real tshark (fails the test if
// tshark fails).
std::vector<TsharkProbe> TsharkProbes(const std::string& file);

// Rows of a tab-separated file with a header line, as column -> value.
std::vector<std::map<std::string, std::string>> ReadTsv(const std::string& path);

struct PcapRecord {
  std::int64_t ts_us = 0;  // microseconds since the epoch
  std::vector<std::uint8_t> bytes;
  std::uint32_t wirelen = 0;
};
struct PcapFile {
  int link_type = -1;
  std::vector<PcapRecord> records;
  std::string error;  // libpcap's error if it stopped early (truncated file)
};
// Reads every record with libpcap (pcap or pcapng). Fails the test on open errors.
PcapFile ReadPcap(const std::string& path);
// Writes records as a classic pcap file with the given link type.
void WritePcap(const std::string& path, int link_type, const std::vector<PcapRecord>& records);

// ---- Files and processes ---------------------------------------------------
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::string& content);

// A child process with stdout and stderr redirected to files.
class Process {
 public:
  Process(const std::vector<std::string>& argv, const std::string& stdout_path,
          const std::string& stderr_path, const std::vector<std::string>& extra_env = {});
  ~Process();  // SIGKILLs the child if still running
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  void Signal(int sig);
  // Waits up to `timeout`; returns the exit status as from waitpid (use
  // WIFEXITED/WEXITSTATUS), or -1 on timeout (the child keeps running).
  int Wait(std::chrono::milliseconds timeout);
  bool running();

 private:
  pid_t pid_ = -1;
  int status_ = -1;
  bool reaped_ = false;
};

// The exit code in a waitpid status as Process::Wait returns it, or -1 if
// the child did not exit (killed by a signal, or -1: still running).
int ExitCode(int wait_status);

// The fields of a /proc/<pid>/status (or /proc/<pid>/task/<tid>/status)
// file, name -> value without the blanks around it, e.g.
// "Uid" -> "65534\t65534\t65534\t65534".
std::map<std::string, std::string> ProcStatusFields(const std::string& path);
// Expects such fields to show no capability in any of the five sets and
// no_new_privs set.
void ExpectNoCapabilities(const std::map<std::string, std::string>& status);

// Runs a command to completion; returns its exit code, stdout in *out.
int RunCommand(const std::vector<std::string>& argv, std::string* out = nullptr,
               std::chrono::milliseconds timeout = std::chrono::seconds(60));

// A TCP port on 127.0.0.1 that was free a moment ago.
int FreeTcpPort();
// Polls until something accepts TCP connections on 127.0.0.1:port.
bool WaitForPort(int port, std::chrono::milliseconds timeout);

// ---- HTTP ------------------------------------------------------------------
// Sends the raw `request` on a fresh connection to 127.0.0.1:port (or to the
// Unix socket `unix_path` if it is not empty) and returns everything read until
// the server closes it or `timeout` passes without a byte; "" if it cannot
// connect.
std::string HttpExchange(int port, const std::string& request, const std::string& unix_path = "",
                         std::chrono::seconds timeout = std::chrono::seconds(3));

struct HttpResponse {
  int status = 0;  // 0: no connection, or not an HTTP/1.1 answer
  std::string head;
  std::string body;
};
// One `method target` HTTP/1.1 request with "Connection: close", and the
// bearer token unless `token` is empty.
HttpResponse HttpRequest(int port, const std::string& method, const std::string& target,
                         const std::string& token);

// ---- Memory ----------------------------------------------------------------
// The VmFlags of the mapping in /proc/self/smaps that contains `p` (with a
// space on each side of every flag: " lo " locked, " dd " not dumped), or "".
std::string VmFlagsOf(const void* p);
// Writes a byte to `p` without leaving a core file: for a death-test child
// that must die of SIGSEGV on read-only memory.
void WriteWithoutCore(std::uint8_t* p);

// ---- MQTT --------------------------------------------------------------
// A private mosquitto on 127.0.0.1:<free port>, anonymous access, in a temp dir.
class Broker {
 public:
  explicit Broker(const std::string& extra_config = "");
  ~Broker();
  int port() const { return port_; }
  std::string uri() const { return "tcp://127.0.0.1:" + std::to_string(port_); }
  void Stop();   // SIGTERM and wait
  void Kill();   // SIGKILL and wait (no clean shutdown, no last save)
  void Start();  // (re)start on the same port
  std::string log() const;

 private:
  TempDir dir_;
  int port_;
  std::string extra_;
  std::unique_ptr<Process> proc_;
};

// A real `mosquitto_sub -v` on a topic filter; collects "topic payload" lines.
struct MqttMessage {
  std::string topic;
  std::string payload;
};
class Subscriber {
 public:
  Subscriber(int port, const std::string& topic_filter);
  ~Subscriber();
  // Waits until `pred(messages)` holds or the timeout passes; returns the messages.
  std::vector<MqttMessage> WaitFor(const std::function<bool(const std::vector<MqttMessage>&)>& pred,
                                   std::chrono::milliseconds timeout);
  std::vector<MqttMessage> Messages() const;
  std::string raw_output() const;

 private:
  TempDir dir_;
  std::unique_ptr<Process> proc_;
};

// The payloads of the messages on `topic`, in arrival order.
std::vector<std::string> PayloadsOn(const std::vector<MqttMessage>& messages,
                                    const std::string& topic);

// Whether the last of `messages` is sensor "door" at site "store-7" saying
// "offline" on its status topic: footfalld has stopped (as the integration
// tests configure it).
bool EndsOffline(const std::vector<MqttMessage>& messages);

// The counts messages among `messages` (those on `topic`: by default the
// counts of sensor "door" at site "store-7", as the integration tests
// configure it), parsed, in arrival order.
std::vector<nlohmann::json> CountsOf(const std::vector<MqttMessage>& messages,
                                     const std::string& topic = "footfall/store-7/door/counts");

}  // namespace footfall::testing
