// Purpose: tests of the re-attaching live source and of merged sources, on a
// simulated clock (no sleeping): an interface missing at start, lost while
// capturing and back again; the capped exponential backoff; outage counts
// and times; warnings logged once per problem; drop warnings from the
// periodic statistics; start-up errors that stay fatal; frames of several
// sources tagged with their index. The underlying sources are fakes.
#include "capture/retrying_source.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <deque>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "capture/multi_source.h"
#include "capture/source.h"
#include "capture/time_source.h"
#include "support/recording_sink.h"
#include "support/test_support.h"

namespace footfall::capture {
namespace {

using footfall::testing::RecordingSink;
using std::chrono::milliseconds;
using std::chrono::seconds;

// ---- A simulated clock ---------------------------------------------------------

class FakeTimeSource final : public TimeSource {
 public:
  struct Slot {
    bool armed = false;
    SteadyTime due{};
    std::function<void()> fn;
  };

  SteadyTime Now() const override { return now_; }
  std::unique_ptr<Timer> MakeTimer() override;

  // Moves the clock forward, firing every timer that falls due, in order.
  void Advance(milliseconds d) {
    const SteadyTime target = now_ + d;
    for (;;) {
      std::shared_ptr<Slot> next;
      for (const auto& weak : slots_) {
        auto slot = weak.lock();
        if (slot && slot->armed && slot->due <= target && (!next || slot->due < next->due)) {
          next = slot;
        }
      }
      if (!next) break;
      now_ = next->due;
      next->armed = false;
      auto fn = std::move(next->fn);
      fn();
    }
    now_ = target;
  }
  milliseconds Elapsed() const {
    return std::chrono::duration_cast<milliseconds>(now_ - SteadyTime{});
  }

 private:
  SteadyTime now_{};
  std::vector<std::weak_ptr<Slot>> slots_;
};

class FakeTimer final : public Timer {
 public:
  FakeTimer(std::shared_ptr<FakeTimeSource::Slot> slot, const FakeTimeSource& time)
      : slot_(std::move(slot)), time_(time) {}
  void Start(milliseconds delay, std::function<void()> fn) override {
    slot_->armed = true;
    slot_->due = time_.Now() + delay;
    slot_->fn = std::move(fn);
  }
  void Cancel() override {
    slot_->armed = false;
    slot_->fn = nullptr;
  }

 private:
  std::shared_ptr<FakeTimeSource::Slot> slot_;
  const FakeTimeSource& time_;
};

std::unique_ptr<Timer> FakeTimeSource::MakeTimer() {
  auto slot = std::make_shared<Slot>();
  slots_.push_back(slot);
  return std::make_unique<FakeTimer>(slot, *this);
}

// ---- Fake sources and an opener that follows a script ---------------------------

struct FakeState {
  FrameSink* sink = nullptr;
  bool started = false;
  bool stopped = false;
  SourceStats stats;
};

class FakeSource final : public Source {
 public:
  FakeSource(std::string name, std::shared_ptr<FakeState> state)
      : name_(std::move(name)), state_(std::move(state)) {}
  void Start(FrameSink& sink) override {
    state_->sink = &sink;
    state_->started = true;
  }
  void Stop() override { state_->stopped = true; }
  bool finite() const override { return false; }
  const std::string& name() const override { return name_; }
  SourceStats stats() const override { return state_->stats; }

 private:
  std::string name_;
  std::shared_ptr<FakeState> state_;
};

// What the next open attempt does: succeed, or throw this error.
struct Outcome {
  bool ok = true;
  std::string error;
  bool retryable = true;
};
Outcome Ok() { return {}; }
Outcome Missing() { return {false, "pcap:mon0: no such interface", true}; }
Outcome WrongLinkType() { return {false, "pcap:mon0: link type 1 (EN10MB) is not 802.11", false}; }

class Script {
 public:
  // Outcomes in order; after the last one, every attempt repeats it.
  explicit Script(FakeTimeSource* time) : time_(time) {}
  void Then(Outcome o) { outcomes_.push_back(std::move(o)); }
  SourceOpener Opener() {
    return [this]() -> std::unique_ptr<Source> {
      attempts.push_back(time_ != nullptr ? time_->Elapsed() : milliseconds(0));
      Outcome o = outcomes_.front();
      if (outcomes_.size() > 1) outcomes_.pop_front();
      if (!o.ok) throw SourceError(o.error, o.retryable);
      sources.push_back(std::make_shared<FakeState>());
      return std::make_unique<FakeSource>("pcap:mon0", sources.back());
    };
  }
  void set_time(FakeTimeSource* time) { time_ = time; }

  std::vector<milliseconds> attempts;  // simulated time of each open attempt
  std::vector<std::shared_ptr<FakeState>> sources;

 private:
  FakeTimeSource* time_;
  std::deque<Outcome> outcomes_;
};

void Deliver(FakeState& state, std::size_t caplen) {
  RawFrame f;
  f.caplen = caplen;
  state.sink->OnFrame(f);
}

// Captures what spdlog's default logger says during a test.
class LogCapture {
 public:
  LogCapture() : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out_);
    sink->set_pattern("%l: %v");
    auto logger = std::make_shared<spdlog::logger>("test", sink);
    logger->set_level(spdlog::level::trace);
    spdlog::set_default_logger(logger);
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  std::string text() const { return out_.str(); }
  int Count(const std::string& needle) const {
    return static_cast<int>(footfall::testing::Occurrences(text(), needle));
  }

 private:
  std::ostringstream out_;
  std::shared_ptr<spdlog::logger> previous_;
};

// A RetryingSource on a fake clock, with the test's handle to that clock.
struct Rig {
  explicit Rig(Script& script, RetryPolicy policy = {}) {
    auto time = std::make_unique<FakeTimeSource>();
    clock = time.get();
    script.set_time(clock);
    source =
        std::make_unique<RetryingSource>("pcap:mon0", script.Opener(), std::move(time), policy);
  }
  FakeTimeSource* clock = nullptr;
  std::unique_ptr<RetryingSource> source;
};

// ---- RetryingSource ------------------------------------------------------------

TEST(RetryingSourceTest, AttachedAtStartDeliversFrames) {
  Script script(nullptr);
  script.Then(Ok());
  Rig rig(script);
  ASSERT_TRUE(rig.source->attached());
  RecordingSink sink;
  rig.source->Start(sink);
  ASSERT_EQ(script.sources.size(), 1u);
  ASSERT_TRUE(script.sources[0]->started);
  Deliver(*script.sources[0], 42);
  EXPECT_EQ(sink.sizes, std::vector<std::size_t>{42});
  EXPECT_EQ(rig.source->status(), "pcap:mon0 capturing");
  EXPECT_EQ(rig.source->stats().outages, 0u);
  EXPECT_EQ(rig.source->stats().sources_down, 0u);
  EXPECT_FALSE(rig.source->finite());
  rig.source->Stop();
  EXPECT_TRUE(script.sources[0]->stopped);
}

TEST(RetryingSourceTest, FatalErrorAtStartIsThrown) {
  Script script(nullptr);
  script.Then(WrongLinkType());
  try {
    Rig rig(script);
    FAIL() << "a wrong link type at start must be fatal";
  } catch (const SourceError& e) {
    EXPECT_NE(std::string(e.what()).find("link type 1"), std::string::npos);
    EXPECT_FALSE(e.retryable());
  }
  EXPECT_EQ(script.attempts.size(), 1u);
}

TEST(RetryingSourceTest, MissingAtStartIsRetriedWithCappedBackoffThenAttaches) {
  LogCapture log;
  Script script(nullptr);
  for (int i = 0; i < 9; ++i) script.Then(Missing());
  script.Then(Ok());
  Rig rig(script);
  EXPECT_FALSE(rig.source->attached());
  EXPECT_EQ(rig.source->stats().outages, 1u);
  EXPECT_EQ(rig.source->stats().sources_down, 1u);
  RecordingSink sink;
  rig.source->Start(sink);
  EXPECT_EQ(rig.source->status(), "pcap:mon0 DOWN for 0 s (outage 1), retry in 1 s");
  rig.clock->Advance(milliseconds(999));
  EXPECT_EQ(script.attempts.size(), 1u) << "no retry before the first delay";
  rig.clock->Advance(seconds(200) - milliseconds(999));  // 200 s since start
  // Attempts at 0 (at construction), then 1, 2, 4, ... s apart, capped at 60 s.
  const std::vector<milliseconds> want = {seconds(0),   seconds(1),  seconds(3),  seconds(7),
                                          seconds(15),  seconds(31), seconds(63), seconds(123),
                                          seconds(183), seconds(243)};
  ASSERT_EQ(script.attempts.size(), 9u) << "the tenth attempt is due at 243 s";
  for (std::size_t i = 0; i < script.attempts.size(); ++i) {
    EXPECT_EQ(script.attempts[i], want[i]) << "attempt " << i;
  }
  EXPECT_EQ(rig.source->status(), "pcap:mon0 DOWN for 200 s (outage 1), retry in 43 s");
  EXPECT_EQ(rig.source->stats().outage_time, seconds(200));
  rig.clock->Advance(seconds(43));
  ASSERT_EQ(script.attempts.size(), 10u);
  EXPECT_EQ(script.attempts.back(), want.back());
  ASSERT_TRUE(rig.source->attached());
  ASSERT_EQ(script.sources.size(), 1u);
  EXPECT_TRUE(script.sources[0]->started);
  Deliver(*script.sources[0], 7);
  EXPECT_EQ(sink.sizes, std::vector<std::size_t>{7});
  const SourceStats s = rig.source->stats();
  EXPECT_EQ(s.outages, 1u);
  EXPECT_EQ(s.outage_time, seconds(243));
  EXPECT_EQ(s.sources_down, 0u);
  EXPECT_EQ(rig.source->status(), "pcap:mon0 capturing");
  // Warned once (at start) for the same error, told when it came back.
  EXPECT_EQ(log.Count("warning: pcap:mon0: no such interface"), 1) << log.text();
  EXPECT_EQ(log.Count("info: pcap:mon0: capturing again after 243 s"), 1) << log.text();
  EXPECT_TRUE(sink.errors.empty()) << "an outage is not an error for the sink";
}

TEST(RetryingSourceTest, LostWhileCapturingReattachesAndKeepsCounting) {
  LogCapture log;
  Script script(nullptr);
  script.Then(Ok());
  script.Then(Missing());
  script.Then(Missing());
  script.Then(Ok());
  Rig rig(script);
  RecordingSink sink;
  rig.source->Start(sink);
  FakeState& first = *script.sources[0];
  first.stats.records = 5;
  first.stats.received = 6;
  first.stats.kernel_dropped = 1;
  Deliver(first, 1);
  rig.clock->Advance(seconds(30));
  // The dongle is unplugged: libpcap reports an error from inside a read.
  first.sink->OnSourceError("pcap:mon0: capture failed: The interface disappeared");
  EXPECT_TRUE(first.stopped);
  EXPECT_FALSE(rig.source->attached());
  EXPECT_EQ(rig.source->stats().outages, 1u);
  EXPECT_EQ(rig.source->stats().sources_down, 1u);
  EXPECT_EQ(rig.source->stats().records, 5u) << "the lost handle's counts are kept";
  EXPECT_NE(rig.source->status().find("DOWN"), std::string::npos);
  rig.clock->Advance(seconds(1) + seconds(2) + seconds(4));  // attempts at +1, +3, +7 s
  ASSERT_EQ(script.attempts.size(), 4u);
  EXPECT_EQ(script.attempts[1], seconds(31));
  EXPECT_EQ(script.attempts[2], seconds(33));
  EXPECT_EQ(script.attempts[3], seconds(37));
  ASSERT_TRUE(rig.source->attached());
  FakeState& second = *script.sources[1];
  EXPECT_TRUE(second.started);
  second.stats.records = 3;
  second.stats.received = 3;
  Deliver(second, 2);
  EXPECT_EQ(sink.sizes, (std::vector<std::size_t>{1, 2}));
  const SourceStats s = rig.source->stats();
  EXPECT_EQ(s.records, 8u);
  EXPECT_EQ(s.received, 9u);
  EXPECT_EQ(s.kernel_dropped, 1u);
  EXPECT_EQ(s.outages, 1u);
  EXPECT_EQ(s.outage_time, seconds(7));
  EXPECT_EQ(log.Count("warning: pcap:mon0: capture failed: The interface disappeared"), 1)
      << log.text();
  EXPECT_EQ(log.Count("warning: pcap:mon0: no such interface"), 1) << log.text();
  EXPECT_EQ(log.Count("capturing again after 7 s without capture (outage 1; 7 s in all)"), 1)
      << log.text();

  // A second outage starts its backoff from the beginning again.
  rig.clock->Advance(seconds(100));
  script.Then(Ok());
  second.sink->OnSourceError("pcap:mon0: capture failed: the interface went down");
  rig.clock->Advance(seconds(1));
  ASSERT_EQ(script.attempts.size(), 5u);
  EXPECT_EQ(script.attempts[4], seconds(138));
  EXPECT_TRUE(rig.source->attached());
  EXPECT_EQ(rig.source->stats().outages, 2u);
  EXPECT_EQ(rig.source->stats().outage_time, seconds(8));
}

TEST(RetryingSourceTest, WrongLinkTypeOnReattachIsLoggedAndRetried) {
  LogCapture log;
  Script script(nullptr);
  script.Then(Ok());
  script.Then(WrongLinkType());
  script.Then(WrongLinkType());
  script.Then(Ok());
  Rig rig(script);
  RecordingSink sink;
  rig.source->Start(sink);
  script.sources[0]->sink->OnSourceError("pcap:mon0: capture failed: The interface disappeared");
  rig.clock->Advance(seconds(7));
  EXPECT_EQ(script.attempts.size(), 4u);
  EXPECT_TRUE(rig.source->attached());
  EXPECT_EQ(log.Count("error: pcap:mon0: link type 1 (EN10MB) is not 802.11; still retrying"), 1)
      << log.text();
  EXPECT_TRUE(sink.errors.empty());
}

TEST(RetryingSourceTest, StopEndsRetriesAndStatsPolling) {
  Script script(nullptr);
  script.Then(Missing());
  Rig rig(script);
  RecordingSink sink;
  rig.source->Start(sink);
  rig.clock->Advance(seconds(1));
  EXPECT_EQ(script.attempts.size(), 2u);
  rig.source->Stop();
  rig.clock->Advance(std::chrono::hours(1));
  EXPECT_EQ(script.attempts.size(), 2u) << "no attempt after Stop()";
}

TEST(RetryingSourceTest, LossAfterStopIsIgnored) {
  Script script(nullptr);
  script.Then(Ok());
  Rig rig(script);
  RecordingSink sink;
  rig.source->Start(sink);
  rig.source->Stop();
  script.sources[0]->sink->OnSourceError("late");
  rig.clock->Advance(std::chrono::hours(1));
  EXPECT_EQ(script.attempts.size(), 1u);
  EXPECT_EQ(rig.source->stats().outages, 0u);
}

TEST(RetryingSourceTest, DropsAreWarnedAboutWithTheirIncrease) {
  LogCapture log;
  Script script(nullptr);
  script.Then(Ok());
  RetryPolicy policy;
  policy.stats_interval = seconds(10);
  Rig rig(script, policy);
  RecordingSink sink;
  rig.source->Start(sink);
  FakeState& state = *script.sources[0];
  state.stats.received = 500;
  rig.clock->Advance(seconds(10));
  EXPECT_EQ(log.Count("dropped"), 0) << "no drops, no warning";
  state.stats.received = 900;
  state.stats.kernel_dropped = 37;
  rig.clock->Advance(seconds(10));
  EXPECT_EQ(log.Count("warning: pcap:mon0: 37 frames dropped by the kernel and 0 by the "
                      "interface in the last 10 s (400 received; 37 and 0 in all)"),
            1)
      << log.text();
  rig.clock->Advance(seconds(10));
  EXPECT_EQ(log.Count("dropped"), 1) << "no new drops, no new warning";
  state.stats.kernel_dropped = 40;
  state.stats.iface_dropped = 2;
  rig.clock->Advance(seconds(10));
  EXPECT_EQ(log.Count("3 frames dropped by the kernel and 2 by the interface"), 1) << log.text();
  EXPECT_EQ(rig.source->stats().kernel_dropped, 40u);
}

// ---- MultiSource ------------------------------------------------------------------

TEST(MultiSourceTest, TagsFramesAndCombinesNamesStatusAndStats) {
  std::vector<std::shared_ptr<FakeState>> states = {std::make_shared<FakeState>(),
                                                    std::make_shared<FakeState>()};
  std::vector<std::unique_ptr<Source>> sources;
  sources.push_back(std::make_unique<FakeSource>("pcap:mon0", states[0]));
  sources.push_back(std::make_unique<FakeSource>("pcap:mon1", states[1]));
  MultiSource multi(std::move(sources));
  EXPECT_EQ(multi.name(), "pcap:mon0 + pcap:mon1");
  EXPECT_EQ(multi.status(), "pcap:mon0; pcap:mon1");
  EXPECT_FALSE(multi.finite());
  RecordingSink sink;
  multi.Start(sink);
  Deliver(*states[1], 10);
  Deliver(*states[0], 20);
  Deliver(*states[1], 30);
  EXPECT_EQ(sink.sizes, (std::vector<std::size_t>{10, 20, 30}));
  EXPECT_EQ(sink.indexes, (std::vector<std::size_t>{1, 0, 1}));
  states[0]->stats.records = 4;
  states[0]->stats.outages = 1;
  states[0]->stats.sources_down = 1;
  states[1]->stats.records = 6;
  states[1]->stats.kernel_dropped = 2;
  const SourceStats s = multi.stats();
  EXPECT_EQ(s.records, 10u);
  EXPECT_EQ(s.kernel_dropped, 2u);
  EXPECT_EQ(s.outages, 1u);
  EXPECT_EQ(s.sources_down, 1u);
  states[0]->sink->OnSourceError("boom");
  EXPECT_EQ(sink.errors, std::vector<std::string>{"boom"});
  multi.Stop();
  EXPECT_TRUE(states[0]->stopped);
  EXPECT_TRUE(states[1]->stopped);
}

std::vector<SourceSpec> Specs(std::initializer_list<const char*> texts) {
  std::vector<SourceSpec> out;
  for (const char* t : texts) out.push_back(ParseSourceSpec(t).value());
  return out;
}

TEST(OpenSourcesTest, OnlyDistinctLiveSourcesCombine) {
  boost::asio::io_context io;
  try {
    OpenSources(Specs({"pcap:mon0", "file:/tmp/x.pcap"}), {}, io);
    FAIL() << "a file cannot be combined";
  } catch (const SourceError& e) {
    EXPECT_NE(std::string(e.what()).find("file:/tmp/x.pcap"), std::string::npos) << e.what();
  }
  try {
    OpenSources(Specs({"pcap:footfall-none0", "pcap:footfall-none0"}), {}, io);
    FAIL() << "the same interface twice";
  } catch (const SourceError& e) {
    EXPECT_NE(std::string(e.what()).find("twice"), std::string::npos) << e.what();
  }
  EXPECT_THROW(OpenSources(Specs({}), {}, io), SourceError);
  // Two interfaces that do not exist (yet): both wait for theirs.
  auto both = OpenSources(Specs({"pcap:footfall-none0", "pcap:footfall-none1"}), {}, io);
  EXPECT_EQ(both->name(), "pcap:footfall-none0 + pcap:footfall-none1");
  EXPECT_EQ(both->stats().sources_down, 2u);
  EXPECT_EQ(both->stats().outages, 2u);
}

}  // namespace
}  // namespace footfall::capture
