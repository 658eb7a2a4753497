// Purpose: footfalld as systemd sees it, tested on the real binary: the
// notify protocol on a real unix datagram socket passed in $NOTIFY_SOCKET
// (READY=1 once the capture is open and not waiting for the broker, STATUS=,
// WATCHDOG=1 at half of $WATCHDOG_USEC, RELOADING=1 then READY=1, STOPPING=1),
// SIGHUP reloads with real signals while windows are published to a real
// mosquitto, and where the logs go (stderr, or the journal's socket when
// $JOURNAL_STREAM is set).
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "support/datagram_sink.h"
#include "support/test_support.h"

namespace footfall::testing {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

bool Has(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

class SystemdTest : public ::testing::Test {
 protected:
  TempDir dir_;

  std::string Err() const { return ReadFile(dir_.File("stderr")); }

  // A config replaying F_test_1 (probe requests over 28 minutes of capture
  // time) at `speed`, with `extra` appended.
  std::string WriteConfig(const std::string& name, int port, double speed,
                          const std::string& windows = "", const std::string& extra = "") {
    const std::string path = dir_.File(name);
    WriteFile(path, "[sensor]\nsite = \"store-7\"\nid = \"door\"\n\n[capture]\nsource = \"file:" +
                        CapturesDir() + kArgoF + "\"\nspeed = " + std::to_string(speed) +
                        "\n\n[windows]\n" + windows + "\n[mqtt]\nuri = \"tcp://127.0.0.1:" +
                        std::to_string(port) + "\"\ndrain_timeout_s = 5\n\n[state]\ndir = \"" +
                        dir_.File("state") + "\"\n\n" + extra);
    return path;
  }

  // footfalld under `sh`, so that $WATCHDOG_PID can be footfalld's own pid
  // (exec keeps the shell's pid), as systemd sets it.
  std::unique_ptr<Process> StartNotified(const std::string& config,
                                         const std::vector<std::string>& env,
                                         bool watchdog_pid_is_self) {
    const std::string script = watchdog_pid_is_self ? "export WATCHDOG_PID=$$; exec \"$0\" \"$@\""
                                                    : "export WATCHDOG_PID=1; exec \"$0\" \"$@\"";
    return std::make_unique<Process>(
        std::vector<std::string>{"/bin/sh", "-c", script, FootfalldPath(), "--config", config},
        dir_.File("stdout"), dir_.File("stderr"), env);
  }
};

// Index of the first datagram at or after `from` that contains `needle`, or -1.
int Find(const std::vector<DatagramSink::Datagram>& m, const std::string& needle, int from = 0) {
  for (int i = from; i < static_cast<int>(m.size()); ++i) {
    if (Has(m[i].text, needle)) return i;
  }
  return -1;
}

// Once a window has been published, the status line tells how many visitors
// were present at its end (1 s windows here).
TEST_F(SystemdTest, StatusLineTellsTheVisitorsOfTheLastWindow) {
  Broker broker;
  const std::string config = WriteConfig("footfall.toml", broker.port(), 1, "length_s = 1\n");
  DatagramSink sink(dir_.File("notify"));
  auto proc = StartNotified(config, {"NOTIFY_SOCKET=" + dir_.File("notify")},
                            /*watchdog_pid_is_self=*/false);
  ASSERT_TRUE(sink.WaitForText("READY=1", seconds(10))) << Err();
  EXPECT_TRUE(sink.WaitForText(" visitors at the last window", seconds(10))) << Err();
  proc->Signal(SIGTERM);
  ASSERT_NE(proc->Wait(seconds(20)), -1);
}

TEST_F(SystemdTest, NotifiesReadyStatusWatchdogReloadingAndStoppingInOrder) {
  Broker broker;
  const std::string config = WriteConfig("footfall.toml", broker.port(), 1);
  DatagramSink sink(dir_.File("notify"));
  auto proc =
      StartNotified(config, {"NOTIFY_SOCKET=" + dir_.File("notify"), "WATCHDOG_USEC=1000000"},
                    /*watchdog_pid_is_self=*/true);
  ASSERT_TRUE(sink.WaitForText("READY=1", seconds(10))) << Err();
  // Watch the keep-alives for 3 s, and the broker's state reach the status.
  ASSERT_TRUE(sink.WaitForText("broker connected", seconds(10))) << Err();
  std::this_thread::sleep_for(seconds(3));
  proc->Signal(SIGHUP);
  ASSERT_TRUE(sink.WaitForText("RELOADING=1", seconds(5))) << Err();
  std::this_thread::sleep_for(milliseconds(300));
  proc->Signal(SIGTERM);
  const int st = proc->Wait(seconds(20));
  ASSERT_NE(st, -1);
  EXPECT_EQ(ExitCode(st), 0) << Err();

  const auto m = sink.Messages();
  ASSERT_FALSE(m.empty());
  // READY=1 comes first, with the status line; nothing precedes it.
  EXPECT_TRUE(Has(m[0].text, "READY=1")) << m[0].text;
  const int ready = 0;
  const std::string first_status = m[ready].text;
  const std::string file =
      std::filesystem::path(CapturesDir() + kArgoF).lexically_normal().string();
  EXPECT_TRUE(Has(first_status, "STATUS=file:" + file + " replaying")) << first_status;

  // A later status line: source and state, frames/min, people (only as a
  // published window gave them), broker.
  const int connected = Find(m, "broker connected");
  ASSERT_GE(connected, 0);
  const std::string& status = m[connected].text;
  EXPECT_EQ(status.find('\n', status.find("STATUS=")), std::string::npos)
      << "STATUS= must be one line: " << status;
  EXPECT_TRUE(Has(status, " replaying, ")) << status;
  EXPECT_TRUE(Has(status, " frames/min, ")) << status;
  EXPECT_FALSE(Has(status, " devices now")) << "a live device count tells each arrival";
  EXPECT_TRUE(Has(status, "no window published yet")) << status;
  // No window was published within these 4 s: no visitors figure yet.
  EXPECT_EQ(Find(m, " visitors at the last window"), -1);
  EXPECT_TRUE(Has(status, "key age")) << status;

  // WATCHDOG=1 every 0.5 s (half of WATCHDOG_USEC=1 s), from after READY=1.
  std::vector<Clock::time_point> pings;
  for (int i = 0; i < static_cast<int>(m.size()); ++i) {
    if (Has(m[i].text, "WATCHDOG=1")) {
      EXPECT_GT(i, ready);
      pings.push_back(m[i].at);
    }
  }
  ASSERT_GE(pings.size(), 6u) << "expected about two keep-alives a second";
  std::vector<double> gaps;
  for (size_t i = 1; i < pings.size(); ++i) {
    gaps.push_back(std::chrono::duration<double>(pings[i] - pings[i - 1]).count());
  }
  std::sort(gaps.begin(), gaps.end());
  const double median = gaps[gaps.size() / 2];
  EXPECT_GE(median, 0.45);
  EXPECT_LE(median, 0.65);
  EXPECT_GE(gaps.front(), 0.3) << "keep-alives too close together";
  EXPECT_LE(gaps.back(), 1.5) << "a keep-alive came late";
  const double span = std::chrono::duration<double>(pings.back() - pings.front()).count();
  EXPECT_NEAR(static_cast<double>(pings.size() - 1), span / 0.5, 2.5);

  // SIGHUP: RELOADING=1, then at once READY=1 again.
  const int reloading = Find(m, "RELOADING=1");
  ASSERT_GT(reloading, ready);
  ASSERT_LT(reloading + 1, static_cast<int>(m.size()));
  EXPECT_TRUE(Has(m[reloading].text, "MONOTONIC_USEC=")) << m[reloading].text;
  EXPECT_TRUE(Has(m[reloading + 1].text, "READY=1")) << m[reloading + 1].text;

  // SIGTERM: STOPPING=1 is the last word.
  const int stopping = Find(m, "STOPPING=1");
  ASSERT_GT(stopping, reloading);
  EXPECT_EQ(stopping, static_cast<int>(m.size()) - 1) << m.back().text;
  EXPECT_TRUE(Has(m[stopping].text, "STATUS=stopping: SIGTERM")) << m[stopping].text;
}

TEST_F(SystemdTest, ReadyDoesNotWaitForTheBrokerAndNoWatchdogForAnotherPid) {
  const int port = FreeTcpPort();  // no broker there
  const std::string config = WriteConfig("footfall.toml", port, 1);
  DatagramSink sink(dir_.File("notify"));
  // $WATCHDOG_PID names another process: the keep-alives are not ours to send.
  auto proc =
      StartNotified(config, {"NOTIFY_SOCKET=" + dir_.File("notify"), "WATCHDOG_USEC=400000"},
                    /*watchdog_pid_is_self=*/false);
  ASSERT_TRUE(sink.WaitForText("READY=1", seconds(5))) << "READY=1 must not wait for the broker";
  std::this_thread::sleep_for(milliseconds(1500));
  EXPECT_TRUE(proc->running()) << Err();
  const auto m = sink.Messages();
  EXPECT_EQ(Find(m, "WATCHDOG=1"), -1);
  const int status = Find(m, "STATUS=", 1);
  ASSERT_GE(status, 1);
  EXPECT_FALSE(Has(m.back().text, "broker connected")) << m.back().text;
  proc->Signal(SIGKILL);
}

// A capture that cannot be used (here: Ethernet, not 802.11) is fatal before
// READY=1, so systemd sees the start fail.
TEST_F(SystemdTest, NoReadyWhenTheCaptureCannotBeOpened) {
  const std::string pcap = dir_.File("ethernet.pcap");
  PcapRecord r;
  r.ts_us = 1700000000000000;
  r.bytes.assign(60, 0);
  WritePcap(pcap, 1, {r});
  const std::string path = dir_.File("footfall.toml");
  WriteFile(path, "[capture]\nsource = \"file:" + pcap + "\"\n[state]\ndir = \"" +
                      dir_.File("state") + "\"\n");
  DatagramSink sink(dir_.File("notify"));
  auto proc = StartNotified(path, {"NOTIFY_SOCKET=" + dir_.File("notify")}, true);
  const int st = proc->Wait(seconds(20));
  ASSERT_NE(st, -1);
  EXPECT_NE(ExitCode(st), 0);
  EXPECT_TRUE(Has(Err(), "link type 1")) << Err();
  std::this_thread::sleep_for(milliseconds(200));
  EXPECT_EQ(Find(sink.Messages(), "READY=1"), -1);
}

// A monitor interface that is not there yet (a USB radio still being set up)
// is a state footfalld waits out, not a failed start: READY=1, and the status
// line says the source is down.
TEST_F(SystemdTest, MissingInterfaceIsReadyWithTheSourceDownInTheStatus) {
  const std::string path = dir_.File("footfall.toml");
  WriteFile(path, "[capture]\nsource = \"pcap:footfall-nope0\"\n[mqtt]\nuri = \"tcp://127.0.0.1:" +
                      std::to_string(FreeTcpPort()) + "\"\n[state]\ndir = \"" + dir_.File("state") +
                      "\"\n");
  DatagramSink sink(dir_.File("notify"));
  auto proc = StartNotified(path, {"NOTIFY_SOCKET=" + dir_.File("notify")}, true);
  ASSERT_TRUE(sink.WaitForText("READY=1", seconds(10))) << Err();
  const auto m = sink.Messages();
  EXPECT_TRUE(Has(m[Find(m, "READY=1")].text, "STATUS=pcap:footfall-nope0 DOWN"))
      << m[Find(m, "READY=1")].text;
  proc->Signal(SIGKILL);
}

TEST_F(SystemdTest, SighupAppliesLiveSettingsRejectsBadConfigAndLosesNoWindow) {
  Broker broker;
  Subscriber sub(broker.port(), "footfall/store-7/door/counts");
  // 60 s windows replayed at 60 x: one window a second.
  const std::string config = WriteConfig("footfall.toml", broker.port(), 60, "length_s = 60\n");
  auto proc =
      std::make_unique<Process>(std::vector<std::string>{FootfalldPath(), "--config", config},
                                dir_.File("stdout"), dir_.File("stderr"));
  sub.WaitFor([](const auto& m) { return m.size() >= 2; }, seconds(10));
  EXPECT_FALSE(Has(Err(), "trace:")) << "trace lines before the reload";

  // A valid new config: trace logging (live) and a new window length (needs a
  // restart, so the running 60 s is kept).
  WriteConfig("footfall.toml", broker.port(), 60, "length_s = 30\n", "[log]\nlevel = \"trace\"\n");
  proc->Signal(SIGHUP);
  const auto deadline = Clock::now() + seconds(15);
  while (!Has(Err(), "trace: probe request") && Clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(50));
  }
  EXPECT_TRUE(Has(Err(), "trace: probe request")) << "log level trace not applied: " << Err();
  EXPECT_TRUE(Has(Err(), "reload: log.level is now trace")) << Err();
  EXPECT_TRUE(Has(Err(), "reload: windows.length_s changed; it needs a restart")) << Err();

  // An invalid one: errors with file:line:col, the running config kept.
  const std::string bad = dir_.File("footfall.toml");
  WriteFile(bad, "[capture]\nsource = \"file:" + CapturesDir() + kArgoF +
                     "\"\n\n[windows]\nlength_s = -5\n\n[log]\nlevel = \"loud\"\n");
  const size_t before = CountsOf(sub.Messages()).size();
  proc->Signal(SIGHUP);
  std::this_thread::sleep_for(seconds(2));
  EXPECT_TRUE(proc->running()) << Err();
  EXPECT_TRUE(Has(Err(), bad + ":5:12: error: windows.length_s")) << Err();
  EXPECT_TRUE(Has(Err(), bad + ":8:9: error: log.level")) << Err();
  EXPECT_TRUE(Has(Err(), "configuration not reloaded, the running one is kept")) << Err();
  auto after =
      sub.WaitFor([&](const auto& m) { return CountsOf(m).size() >= before + 2; }, seconds(10));
  EXPECT_GE(CountsOf(after).size(), before + 2) << "windows stopped after the rejected reload";

  proc->Signal(SIGTERM);
  const int st = proc->Wait(seconds(20));
  ASSERT_NE(st, -1);
  EXPECT_EQ(ExitCode(st), 0) << Err();

  // Every window exactly once, in order, 60 s apart, none cut short but the last.
  auto msgs = sub.WaitFor(
      [](const std::vector<MqttMessage>& m) {
        const std::vector<json> c = CountsOf(m);
        return !c.empty() && c.back()["window"]["partial"].get<bool>();
      },
      seconds(10));
  const auto counts = CountsOf(msgs);
  // The windows seen before the bad reload, the two after it, and the last
  // one cut short by the stop (how many came before depends on the machine's
  // load, not on footfalld).
  ASSERT_GE(counts.size(), before + 3);
  for (size_t i = 0; i < counts.size(); ++i) {
    SCOPED_TRACE("window " + std::to_string(i));
    EXPECT_EQ(counts[i]["seq"].get<std::uint64_t>(), i + 1);
    EXPECT_EQ(counts[i]["window"]["partial"].get<bool>(), i + 1 == counts.size());
    if (i > 0) {
      const auto start = [](const json& c) {
        const std::string s = c["window"]["start"];
        return std::stoi(s.substr(11, 2)) * 3600 + std::stoi(s.substr(14, 2)) * 60 +
               std::stoi(s.substr(17, 2));
      };
      EXPECT_EQ(start(counts[i]) - start(counts[i - 1]), 60);
    }
  }
}

TEST_F(SystemdTest, LogsGoToStderrWithoutJournalStream) {
  Broker broker;
  const std::string config = WriteConfig("footfall.toml", broker.port(), 0);
  auto proc = std::make_unique<Process>(
      std::vector<std::string>{"env", "-u", "JOURNAL_STREAM", FootfalldPath(), "--config", config},
      dir_.File("stdout"), dir_.File("stderr"));
  ASSERT_EQ(ExitCode(proc->Wait(seconds(60))), 0) << Err();
  EXPECT_TRUE(Has(Err(), "] info: footfalld started: file:")) << Err();
  EXPECT_TRUE(Has(Err(), "] info: stopping (end of capture)")) << Err();
}

// With $JOURNAL_STREAM set, every line goes to the journal's native socket
// and none to stderr. The journal socket is a fixed path, so footfalld runs
// in a private mount namespace where /run is a fresh tmpfs and
// /run/systemd/journal is this test's directory with its own socket there:
// the host's /run (and a journald, if any) is not touched.
TEST_F(SystemdTest, LogsGoToTheJournalWhenJournalStreamIsSet) {
  Broker broker;
  const std::string config = WriteConfig("footfall.toml", broker.port(), 0);
  const std::string jdir = dir_.File("journal");
  ASSERT_EQ(RunCommand({"mkdir", "-p", jdir}), 0);
  DatagramSink journal(jdir + "/socket");
  const std::string script =
      "mount -t tmpfs tmpfs /run && mkdir -p /run/systemd/journal && "
      "mount --bind \"$1\" /run/systemd/journal && shift && exec \"$@\"";
  auto proc = std::make_unique<Process>(
      std::vector<std::string>{"unshare", "--mount", "/bin/sh", "-c", script, "sh", jdir,
                               FootfalldPath(), "--config", config},
      dir_.File("stdout"), dir_.File("stderr"), std::vector<std::string>{"JOURNAL_STREAM=8:12345"});
  ASSERT_EQ(ExitCode(proc->Wait(seconds(60))), 0) << Err();
  EXPECT_EQ(Err(), "") << "with JOURNAL_STREAM set nothing goes to stderr";
  ASSERT_TRUE(journal.WaitForText("MESSAGE=footfalld started", seconds(5)));
  const auto entries = journal.Messages();
  const int started = Find(entries, "MESSAGE=footfalld started: file:");
  ASSERT_GE(started, 0);
  EXPECT_TRUE(Has(entries[started].text, "PRIORITY=6\n")) << entries[started].text;
  EXPECT_TRUE(Has(entries[started].text, "SYSLOG_IDENTIFIER=footfalld\n")) << entries[started].text;
  EXPECT_GE(Find(entries, "MESSAGE=stopping (end of capture)"), 0);
}

}  // namespace
}  // namespace footfall::testing
