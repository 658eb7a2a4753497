// Purpose: the attacker of tests/support/attacker.h can fail: on made-up
// observations it finds each kind of disclosure it looks for (a small count,
// a small step of a total, a hidden count fixed by a sum relation or a
// ratio, percentiles of few visits), and none where there is none; it reads
// counts messages, text lines and metrics.
#include "support/attacker.h"

#include <gtest/gtest.h>

namespace footfall::testing {
namespace {

using V = std::optional<std::int64_t>;
constexpr std::nullopt_t kNull = std::nullopt;

Figures Obs(std::map<std::string, V> values, std::string series = "e1") {
  static int n = 0;
  return {"obs " + std::to_string(++n), std::move(series), std::move(values)};
}

const Attacker& Counts() {
  static const Attacker attacker(CountsAttackerOptions(3));
  return attacker;
}

TEST(AttackerTest, DirectSmallCountsButNotZeroOrK) {
  const auto f = Counts().Direct(Obs({{"visitors", 2}, {"passersby", 0}, {"arrivals", 3}}));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].figure, "visitors");
  EXPECT_EQ(f[0].value, 2);
}

TEST(AttackerTest, DifferencingAnyTwoMessagesOfASeries) {
  // 14 -> 15: one new person; 15 -> 18 is k; 18 -> 16 back within k of 15 and 18.
  const std::vector<Figures> seq = {Obs({{"epoch.devices", 14}}),    Obs({{"epoch.devices", 15}}),
                                    Obs({{"epoch.devices", kNull}}), Obs({{"epoch.devices", 21}}),
                                    Obs({{"epoch.devices", 24}}),    Obs({{"epoch.devices", 22}})};
  const auto f = Counts().Differences(seq);
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].value, 1);
  EXPECT_EQ(f[1].value, 1);  // 22 is 1 above 21 (not consecutive)
  // Another series (the next key epoch) is not compared with the first.
  EXPECT_TRUE(
      Counts()
          .Differences({Obs({{"epoch.devices", 14}}, "e1"), Obs({{"epoch.devices", 15}}, "e2")})
          .empty());
  // Steps of k or more, or none, tell no small number.
  EXPECT_TRUE(Counts()
                  .Differences({Obs({{"epoch.visitors", 3}}), Obs({{"epoch.visitors", 3}}),
                                Obs({{"epoch.visitors", 6}}), Obs({{"epoch.visitors", 10}})})
                  .empty());
}

TEST(AttackerTest, SubtractionAndSolvingTheSumRelations) {
  // unique 5 = global ? + randomized 3: global is 2.
  auto f = Counts().Solve(
      Obs({{"devices.unique", 5}, {"devices.global_mac", kNull}, {"devices.randomized_mac", 3}}));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].figure, "devices.global_mac");
  EXPECT_EQ(f[0].value, 2);
  // unique 4 with both parts null: each null is 0..2, so 2 + 2.
  f = Counts().Solve(Obs(
      {{"devices.unique", 4}, {"devices.global_mac", kNull}, {"devices.randomized_mac", kNull}}));
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].value, 2);
  // unique 3 with both null: 1 + 2 or 2 + 1: nothing certain.
  EXPECT_TRUE(Counts()
                  .Solve(Obs({{"devices.unique", 3},
                              {"devices.global_mac", kNull},
                              {"devices.randomized_mac", kNull}}))
                  .empty());
  // counts/2 had no stationary_departures field: it is departures minus the rest.
  f = Counts().Solve(Obs({{"departures", 9},
                          {"passersby", 4},
                          {"engagement.under_5m", 0},
                          {"engagement.5_to_20m", 3},
                          {"engagement.20_to_60m", 0},
                          {"engagement.1_to_6h", 0},
                          {"engagement.over_6h", 0}}));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].figure, "stationary_departures");
  EXPECT_EQ(f[0].value, 2);
  // Everything about the closed visits hidden: nothing to solve.
  EXPECT_TRUE(Counts()
                  .Solve(Obs({{"departures", kNull},
                              {"passersby", kNull},
                              {"engagement.under_5m", 0},
                              {"engagement.5_to_20m", kNull},
                              {"engagement.20_to_60m", 0},
                              {"engagement.1_to_6h", 0},
                              {"engagement.over_6h", 0},
                              {"stationary_departures", 0}}))
                  .empty());
}

TEST(AttackerTest, TheCaptureRateGivesAHiddenPasserByBack) {
  // 10 visitor visits, rate 0.909: 1 passer-by (10/11).
  auto f = Counts().Ratios(Obs({{"capture_rate", 909},
                                {"passersby", kNull},
                                {"engagement.under_5m", 0},
                                {"engagement.5_to_20m", 4},
                                {"engagement.20_to_60m", 3},
                                {"engagement.1_to_6h", 3},
                                {"engagement.over_6h", 0}}));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].figure, "passersby");
  EXPECT_EQ(f[0].value, 1);
  // Without the rate, nothing.
  EXPECT_TRUE(Counts().Ratios(Obs({{"capture_rate", kNull}, {"passersby", kNull}})).empty());
}

TEST(AttackerTest, PercentilesOfFewVisitsOrBesideAHiddenBucket) {
  auto f = Counts().Percentiles(Obs({{"dwell_s.p50", 700},
                                     {"dwell_s.p90", 1300},
                                     {"engagement.under_5m", 0},
                                     {"engagement.5_to_20m", 4},
                                     {"engagement.20_to_60m", 3},
                                     {"engagement.1_to_6h", 0},
                                     {"engagement.over_6h", 0}}));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].value, 7);  // 7 visits < 10
  f = Counts().Percentiles(Obs({{"dwell_s.p50", 700},
                                {"engagement.under_5m", 0},
                                {"engagement.5_to_20m", 14},
                                {"engagement.20_to_60m", kNull},
                                {"engagement.1_to_6h", 0},
                                {"engagement.over_6h", 0}}));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0].how.find("engagement.20_to_60m"), std::string::npos);
  EXPECT_TRUE(Counts()
                  .Percentiles(Obs({{"dwell_s.p50", 700},
                                    {"engagement.under_5m", 0},
                                    {"engagement.5_to_20m", 14},
                                    {"engagement.20_to_60m", 5},
                                    {"engagement.1_to_6h", 0},
                                    {"engagement.over_6h", 0}}))
                  .empty());
}

TEST(AttackerTest, ReadsCountsMessagesTextAndMetrics) {
  const Figures c = CountsFigures(
      "m", R"({"seq":4,"devices":{"unique":null,"global_mac":7},"visitors":2,"capture_rate":0.5,)"
           R"("dwell_s":{"p50":null},"epoch":{"start":"2026-03-02T04:00:00Z","devices":40}})");
  EXPECT_EQ(c.series, "2026-03-02T04:00:00Z");
  EXPECT_FALSE(c.values.at("devices.unique").has_value());
  EXPECT_EQ(*c.values.at("devices.global_mac"), 7);
  EXPECT_EQ(*c.values.at("capture_rate"), 500);
  EXPECT_EQ(*c.values.at("epoch.devices"), 40);
  EXPECT_EQ(c.values.count("passersby"), 0u);
  EXPECT_EQ(Counts().Attack({c}).size(), 1u);  // visitors 2

  const Figures t =
      TextFigures("log 1", "w", "window x: 9 probe requests, 2 devices (1 randomized)",
                  {{"devices", R"((\d+) devices)"}, {"randomized", R"((\d+) randomized)"}});
  EXPECT_EQ(*t.values.at("devices"), 2);
  EXPECT_EQ(*t.values.at("randomized"), 1);
  AttackerOptions o;
  o.people = {"devices", "randomized"};
  o.cumulative = {"devices"};
  EXPECT_EQ(Attacker(o).Attack({t}).size(), 2u);

  const Figures m =
      MetricsFigures("metrics", "w",
                     "# HELP x y\nfootfall_devices{site=\"a b\"} 2\nfootfall_rate 0.5\n"
                     "footfall_frames_total 1234\n");
  EXPECT_EQ(*m.values.at("footfall_devices{site=\"a b\"}"), 2);
  EXPECT_EQ(m.values.count("footfall_rate"), 0u);
  EXPECT_EQ(*m.values.at("footfall_frames_total"), 1234);
}

}  // namespace
}  // namespace footfall::testing
