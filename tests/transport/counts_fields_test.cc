// Purpose: tests that the one list of a counts message's figures
// (kCountsFields) is what the encoder writes and what the disclosure policy
// may hide: every figure of an encoded message after "frames" is a row, in
// message order; in a window whose every count is 1 to 3, under min_count 4, every
// number among them is null and named in "suppressed" (a count the encoder
// wrote beside the list would stay a number and fail here); and the sums of
// the disclosure policy are over rows that are counts.
#include "transport/counts_fields.h"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "support/window_reports.h"
#include "transport/counts_json.h"
#include "transport/disclosure.h"

namespace footfall::transport {
namespace {

using nlohmann::ordered_json;

// The fields of the header, written before the list.
const std::set<std::string> kHeader = {"schema", "site", "sensor", "seq", "window", "frames"};
// Written after the list: the noise mode and the names of the hidden fields.
const std::set<std::string> kTrailer = {"noise", "suppressed"};

// The leaves of an encoded message that are neither header nor trailer, by
// name ("devices.unique", "visitors"), in message order.
std::vector<std::pair<std::string, ordered_json>> Figures(const std::string& message) {
  std::vector<std::pair<std::string, ordered_json>> out;
  const ordered_json j = ordered_json::parse(message);
  for (const auto& [key, value] : j.items()) {
    if (kHeader.count(key) != 0 || kTrailer.count(key) != 0) continue;
    if (value.is_object()) {
      for (const auto& [inner, leaf] : value.items()) out.emplace_back(key + "." + inner, leaf);
    } else {
      out.emplace_back(key, value);
    }
  }
  return out;
}

// A window whose every count of devices and people is 1 to 3, with a signal,
// a capture rate and dwell percentiles.
analytics::WindowReport EveryCountSmall() {
  analytics::WindowReport r = testing::WindowWithDevices(0, 1);
  r.global_mac = 1;
  r.devices = 2;
  analytics::PeopleReport& p = r.people;
  p.estimated_devices = p.visitors = p.occupancy = p.stationary = p.arrivals = 1;
  p.passersby = 1;
  p.visitor_visits = 1;
  p.departures = 3;  // 1 passer-by, 1 visitor visit, 1 stationary departure
  p.capture_rate = 0.5;
  p.dwell_p50_s = 400;
  p.dwell_p90_s = 400;
  p.engagement = {1, 1, 1, 1, 1};
  p.epoch_start = r.start;
  p.epoch_devices = p.epoch_visitors = 1;
  return r;
}

TEST(CountsFieldsTest, TheEncoderWritesTheListInMessageOrder) {
  const auto figures = Figures(EncodeCounts({"s", "n"}, 1, testing::BusyWindow()));
  std::vector<std::string> written;
  for (const auto& [name, value] : figures) written.push_back(name);
  std::vector<std::string> listed;
  for (const CountsField& f : kCountsFields) listed.push_back(f.name);
  EXPECT_EQ(written, listed);
}

TEST(CountsFieldsTest, EveryNumberAfterTheFramesIsSuppressible) {
  const analytics::WindowReport r = EveryCountSmall();
  std::map<std::string, const CountsField*> row;
  for (const CountsField& f : kCountsFields) row[f.name] = &f;
  // Unsuppressed, each figure is a number (or the epoch's start), each count 1..3.
  for (const auto& [name, value] : Figures(EncodeCounts({"s", "n"}, 1, r))) {
    EXPECT_TRUE(value.is_number() || name == "epoch.start") << name << " = " << value;
    if (row.count(name) != 0 && row[name]->kind == FieldKind::kCount) {
      EXPECT_TRUE(value >= 1 && value <= 3) << name << " = " << value;
    }
  }
  const std::string message = EncodeCounts({"s", "n"}, 1, r, DisclosurePolicy{4, false, 0});
  std::vector<std::string> hidden;
  for (const auto& [name, value] : Figures(message)) {
    ASSERT_EQ(row.count(name), 1u) << name << " is written but not in kCountsFields";
    if (row[name]->kind == FieldKind::kAlways) {
      EXPECT_FALSE(value.is_number()) << name << " is a number the policy cannot hide";
      continue;
    }
    EXPECT_TRUE(value.is_null()) << name << " = " << value << ": a count below 4 published";
    hidden.push_back(name);
  }
  EXPECT_EQ(hidden, SuppressibleFields());
  EXPECT_EQ(ordered_json::parse(message)["suppressed"].get<std::vector<std::string>>(), hidden);
}

TEST(CountsFieldsTest, TheSumsAreOverCounts) {
  std::set<std::string> counts;
  for (const CountsField& f : kCountsFields) {
    if (f.kind == FieldKind::kCount) counts.insert(f.name);
  }
  for (const SumRelation& s : kSumRelations) {
    EXPECT_EQ(counts.count(s.total), 1u) << s.total;
    for (const std::string& part : s.parts) EXPECT_EQ(counts.count(part), 1u) << part;
  }
}

TEST(CountsFieldsTest, ACountIsAWholeNumberOfTheWindow) {
  const analytics::WindowReport r = testing::BusyWindow();
  for (const CountsField& f : kCountsFields) {
    if (f.kind != FieldKind::kCount) continue;
    EXPECT_TRUE(std::holds_alternative<std::uint64_t>(f.value(r))) << f.name;
  }
  std::map<std::string, std::uint64_t> by_name;
  for (const CountsField& f : kCountsFields) {
    if (f.kind == FieldKind::kCount) by_name[f.name] = CountOf(f, r);
  }
  EXPECT_EQ(by_name.at("devices.unique"), 40u);
  EXPECT_EQ(by_name.at("visitors"), 12u);
  EXPECT_EQ(by_name.at("stationary_departures"), 0u);  // 16 - 6 passers-by - 10 visits
  EXPECT_EQ(by_name.at("engagement.5_to_20m"), 4u);
}

}  // namespace
}  // namespace footfall::transport
