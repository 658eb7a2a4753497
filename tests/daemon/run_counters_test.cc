// Purpose: tests of the one table of RunCounters (kRunCounters): every
// counter is written, once, in its stop-log line with its words; the status
// line shows only its rows, and only when not 0; the stop-log texts that the
// integration tests and scripts/bench read keep their wording.
#include "daemon/run_counters.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "support/test_support.h"

namespace footfall::daemon {
namespace {

// Every counter a distinct value (101, 102, ...), so a line shows which.
RunCounters Distinct() {
  RunCounters c;
  std::uint64_t v = 101;
  for (const CounterRow& row : kRunCounters) c.*row.field = v++;
  return c;
}

using footfall::testing::Occurrences;

TEST(RunCountersTest, EachCounterInItsStopLogLineOnceWithItsWords) {
  const RunCounters c = Distinct();
  const StopLine lines[] = {StopLine::kLead, StopLine::kFrames, StopLine::kWindows,
                            StopLine::kClock, StopLine::kCapture};
  for (const CounterRow& row : kRunCounters) {
    const std::string shown = std::to_string(c.*row.field) + " " + row.words;
    for (StopLine line : lines) {
      EXPECT_EQ(Occurrences(StopLogCounters(c, line), shown), line == row.stop_line ? 1u : 0u)
          << row.words << " in line " << static_cast<int>(line);
    }
  }
}

TEST(RunCountersTest, StopLogKeepsTheWordingTestsAndBenchRead) {
  RunCounters c;
  c.frames = 7;
  c.probe_requests = 5;
  c.other = 1;
  c.malformed = 1;
  c.windows = 40;
  c.cross_radio_duplicates = 2;
  // scripts/bench greps "frames in"; the first line is "<lead> in T s ...".
  EXPECT_EQ(StopLogCounters(c, StopLine::kLead), "7 frames");
  EXPECT_EQ(StopLogCounters(c, StopLine::kFrames),
            "5 probe requests, 1 other, 1 malformed, 0 bad FCS");
  EXPECT_EQ(StopLogCounters(c, StopLine::kWindows), "40 windows closed");
  EXPECT_NE(StopLogCounters(c, StopLine::kCapture).find("2 cross-radio copies counted once"),
            std::string::npos);
}

TEST(RunCountersTest, StatusLineShowsItsRowsOnlyWhenNotZero) {
  RunCounters c;
  EXPECT_EQ(StatusCounters(c), "");
  c.frames = 1000;  // not a status row: the status line has frames/min instead
  c.probe_requests = 900;
  EXPECT_EQ(StatusCounters(c), "");
  c.bad_fcs = 3;
  EXPECT_EQ(StatusCounters(c), "3 bad FCS");
  c.malformed = 2;
  EXPECT_EQ(StatusCounters(c), "2 malformed, 3 bad FCS");

  const RunCounters all = Distinct();
  for (const CounterRow& row : kRunCounters) {
    const std::string shown = std::to_string(all.*row.field) + " " + row.words;
    EXPECT_EQ(Occurrences(StatusCounters(all), shown), row.in_status ? 1u : 0u) << row.words;
  }
}

TEST(RunCountersTest, MetricNamesAreUniqueAndHaveHelp) {
  std::set<std::string> names;
  for (const CounterRow& row : kRunCounters) {
    if (row.metric == nullptr) continue;
    EXPECT_TRUE(names.insert(row.metric).second) << row.metric;
    ASSERT_NE(row.help, nullptr) << row.metric;
    EXPECT_NE(std::string(row.help), "") << row.metric;
  }
  EXPECT_GE(names.size(), 5u);
}

}  // namespace
}  // namespace footfall::daemon
