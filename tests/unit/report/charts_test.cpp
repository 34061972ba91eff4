// Geometry of the HTML reports' charts: axis ranges and ticks, threshold lines at the criteria's levels,
// bars and lanes where the data put them, and the pixels render_svg draws them at.
#include "oncotrack/report/charts.h"

#include <gtest/gtest.h>

#include <cstdio>

#include "oncotrack/core/error.h"

namespace oncotrack::report {
namespace {

using nlohmann::json;

json timepoint(const std::string& id, const std::string& role, json day, double volume_ml, double sld_mm) {
  return {{"id", id},
          {"role", role},
          {"day", day},
          {"tumor", {{"total_volume_ml", volume_ml}, {"sum_longest_diameter_mm", sld_mm}}}};
}

json criterion(double nadir, double pr, double pd, json min_mm = nullptr) {
  json t = {{"pr_pct", pr}, {"pd_pct", pd}};
  if (!min_mm.is_null()) t["pd_min_increase_mm"] = min_mm;
  return {{"category", "SD"}, {"nadir", {{"timepoint", "x"}, {"value", nadir}}}, {"thresholds", t}};
}

// Baseline SLD 40 mm / 10 ml; week8 20 mm / 6 ml (the new nadir); week16 38 mm / 9 ml.
json three_timepoints(json day8 = 56.0) {
  json r = {{"subject", "s"}, {"status", "ok"}};
  r["timepoints"] = {timepoint("baseline", "baseline", 0.0, 10, 40),
                     timepoint("week8", "follow-up", day8, 6, 20),
                     timepoint("week16", "follow-up", 112.0, 9, 38)};
  r["response"] = {{{"timepoint", "week8"},
                    {"criteria",
                     {{"recist_1_1", criterion(40, -30, 20, 5.0)},
                      {"volumetric", criterion(10, -65, 73)},
                      {"rano_2_0_volumetric", criterion(10, -65, 40)}}}},
                   {{"timepoint", "week16"},
                    {"criteria",
                     {{"recist_1_1", criterion(20, -30, 20, 5.0)},
                      {"volumetric", criterion(6, -65, 73)},
                      {"rano_2_0_volumetric", criterion(6, -65, 40)}}}}};
  return r;
}

const Polyline& line_with_class(const Chart& c, const std::string& css) {
  for (const Polyline& l : c.lines)
    if (l.css_class == css) return l;
  throw std::runtime_error("no line of class " + css);
}

using Points = std::vector<std::array<double, 2>>;

TEST(NiceAxis, RoundsOutwardsToOneTwoFiveSteps) {
  Axis a = nice_axis(0, 7.3, 5);
  EXPECT_DOUBLE_EQ(a.lo, 0);
  EXPECT_DOUBLE_EQ(a.hi, 8);
  EXPECT_EQ(a.ticks, (std::vector<double>{0, 2, 4, 6, 8}));
  a = nice_axis(-42, 17, 6);
  EXPECT_DOUBLE_EQ(a.lo, -50);
  EXPECT_DOUBLE_EQ(a.hi, 20);
  EXPECT_EQ(a.ticks.size(), 8u);
  EXPECT_DOUBLE_EQ(a.ticks[5], 0);
  a = nice_axis(5, 5, 5);  // one value: a range around it
  EXPECT_LT(a.lo, 5);
  EXPECT_GT(a.hi, 5);
  a = nice_axis(0.0012, 0.0031, 4);
  EXPECT_LE(a.lo, 0.0012);
  EXPECT_GE(a.hi, 0.0031);
  EXPECT_GE(a.ticks.size(), 3u);
  EXPECT_THROW(nice_axis(0, std::nan(""), 5), Error);
  EXPECT_THROW(nice_axis(-1e308, 1e308, 5), Error);  // the span overflows
  a = nice_axis(5e-324, 5e-324, 5);                  // the smallest denormal: still a finite set of ticks
  EXPECT_GE(a.ticks.size(), 2u);
  EXPECT_LE(a.ticks.size(), 12u);
}

TEST(TimelineChart, SumOfDiametersWithRecistThresholds) {
  const Chart c = timeline_chart(three_timepoints(), "sum_longest_diameter_mm");
  EXPECT_EQ(line_with_class(c, "measure").points, (Points{{0, 40}, {56, 20}, {112, 38}}));
  // PR: 30 % below the baseline's 40 mm, from the baseline to the last follow-up.
  EXPECT_EQ(line_with_class(c, "threshold pr").points, (Points{{0, 28}, {112, 28}}));
  // PD: week8 against the baseline nadir 40 (48 = +20 %); week16 against the nadir 20 mm, where +5 mm (25)
  // is more than +20 % (24).
  EXPECT_EQ(line_with_class(c, "threshold pd pd-recist_1_1").points,
            (Points{{0, 48}, {56, 48}, {56, 25}, {112, 25}}));
  EXPECT_EQ(c.lines.size(), 3u);
  EXPECT_DOUBLE_EQ(c.x.lo, 0);
  EXPECT_GE(c.x.hi, 112);
  EXPECT_DOUBLE_EQ(c.y.lo, 0);
  EXPECT_GE(c.y.hi, 48);
  EXPECT_EQ(c.x.label, "days from baseline");
}

TEST(TimelineChart, VolumeDrawsOnePrLineAndOnePdLinePerCriterion) {
  const Chart c = timeline_chart(three_timepoints(), "total_volume_ml");
  EXPECT_EQ(c.lines.size(), 4u);  // measure, PR (shared by both criteria: −65 %), two PD lines
  EXPECT_EQ(line_with_class(c, "threshold pr").points, (Points{{0, 3.5}, {112, 3.5}}));
  const Points volumetric = line_with_class(c, "threshold pd pd-volumetric").points;
  const Points rano = line_with_class(c, "threshold pd pd-rano_2_0_volumetric").points;
  ASSERT_EQ(volumetric.size(), 4u);
  ASSERT_EQ(rano.size(), 4u);
  EXPECT_NEAR(volumetric[0][1], 17.3, 1e-9);
  EXPECT_NEAR(volumetric[2][1], 6 * 1.73, 1e-9);
  EXPECT_NEAR(rano[0][1], 14, 1e-9);
  EXPECT_NEAR(rano[3][1], 8.4, 1e-9);
  EXPECT_GE(c.y.hi, 17.3);
}

TEST(TimelineChart, WithoutDaysTheSeriesPositionIsUsed) {
  const Chart c = timeline_chart(three_timepoints(nullptr), "sum_longest_diameter_mm");
  EXPECT_EQ(line_with_class(c, "measure").points, (Points{{0, 40}, {1, 20}, {2, 38}}));
  EXPECT_NE(c.x.label.find("days unknown"), std::string::npos);
}

TEST(TimelineChart, UnknownMeasureAndMissingBaselineThrow) {
  EXPECT_THROW(timeline_chart(three_timepoints(), "mean_diameter"), Error);
  json r = three_timepoints();
  r["timepoints"][0]["role"] = "follow-up";
  EXPECT_THROW(timeline_chart(r, "total_volume_ml"), Error);
}

TEST(RenderSvg, ThresholdLineAndTicksAtTheirPixels) {
  const Chart c = timeline_chart(three_timepoints(), "sum_longest_diameter_mm");
  const std::string svg = render_svg(c);
  // The plot area spans the margins; y grows downwards.
  EXPECT_DOUBLE_EQ(c.px_y(c.y.lo), c.height - c.bottom);
  EXPECT_DOUBLE_EQ(c.px_y(c.y.hi), c.top);
  EXPECT_DOUBLE_EQ(c.px_x(c.x.lo), c.left);
  EXPECT_DOUBLE_EQ(c.px_x(c.x.hi), c.width - c.right);
  char pr[64];
  std::snprintf(pr, sizeof pr, "points=\"%.2f,%.2f %.2f,%.2f\"", c.px_x(0), c.px_y(28), c.px_x(112),
                c.px_y(28));
  EXPECT_NE(svg.find(std::string("<polyline class=\"threshold pr\" ") + pr), std::string::npos) << svg;
  for (double t : c.y.ticks) {
    char tick[64];
    std::snprintf(tick, sizeof tick, "y1=\"%.2f\"", c.px_y(t));
    EXPECT_NE(svg.find(tick), std::string::npos) << "tick " << t;
  }
  EXPECT_EQ(svg.rfind("<svg ", 0), 0u);
  EXPECT_EQ(svg.substr(svg.size() - 6), "</svg>");
  EXPECT_NE(svg.find("id=\"timeline-sld\""), std::string::npos);
}

TEST(RenderSvg, EscapesText) {
  Chart c;
  c.x = nice_axis(0, 1);
  c.y = nice_axis(0, 1);
  c.x.label = "a<b & \"c\"";
  c.markers.push_back({0.5, 0.5, "visit", "<script>"});
  const std::string svg = render_svg(c);
  EXPECT_EQ(svg.find("<script>"), std::string::npos);
  EXPECT_NE(svg.find("a&lt;b &amp; &quot;c&quot;"), std::string::npos);
}

json row(const std::string& subject, const std::string& status, json follow_up, json day, json sld_pct,
         json recist) {
  json r = json::object();
  for (const std::string& c : kCohortColumns) r[c] = nullptr;
  r["subject"] = subject;
  r["status"] = status;
  r["follow_up"] = follow_up;
  r["day"] = day;
  r["sld_change_vs_baseline_pct"] = sld_pct;
  r["recist_1_1"] = recist;
  return r;
}

CohortTable cohort() {
  CohortTable t;
  t.rows = {row("a", "ok", "w8", 56.0, -10.0, "SD"), row("a", "ok", "w16", 112.0, -40.0, "PR"),
            row("b", "ok", "w8", 60.0, 25.0, "PD"), row("c", "failed", nullptr, nullptr, nullptr, nullptr),
            row("d", "ok", nullptr, nullptr, nullptr, nullptr)};
  return t;
}

TEST(WaterfallChart, BestChangePerSubjectSortedWithThresholds) {
  const Chart c = waterfall_chart(cohort(), "recist_1_1", {{"pr_pct", -30.0}, {"pd_pct", 20.0}});
  ASSERT_EQ(c.rects.size(), 2u);                  // c failed, d has no follow-up
  EXPECT_EQ(c.rects[0].css_class, "bar cat-PD");  // b: +25 %, the highest first
  EXPECT_DOUBLE_EQ(c.rects[0].y1, 25.0);
  EXPECT_EQ(c.rects[1].css_class, "bar cat-PR");  // a: its best, −40 % at w16
  EXPECT_DOUBLE_EQ(c.rects[1].y1, -40.0);
  EXPECT_DOUBLE_EQ(c.rects[1].y0, 0.0);
  EXPECT_NE(c.rects[1].title.find("w16"), std::string::npos);
  EXPECT_EQ(line_with_class(c, "threshold pr").points, (Points{{0, -30}, {2, -30}}));
  EXPECT_EQ(line_with_class(c, "threshold pd").points, (Points{{0, 20}, {2, 20}}));
  EXPECT_LE(c.y.lo, -40);
  EXPECT_GE(c.y.hi, 25);
  EXPECT_EQ(c.x.tick_labels, (std::vector<std::string>{"b", "a"}));
}

TEST(WaterfallChart, WithoutThresholdsNoLines) {
  EXPECT_TRUE(waterfall_chart(cohort(), "volumetric", nullptr).lines.empty());
  EXPECT_THROW(waterfall_chart(cohort(), "who", nullptr), Error);
}

TEST(SwimmerChart, OneLanePerSubjectWithAMarkerPerFollowUp) {
  const Chart c = swimmer_chart(cohort(), "recist_1_1");
  ASSERT_EQ(c.rects.size(), 2u);  // a and b
  EXPECT_EQ(c.rects[0].title, "a");
  EXPECT_DOUBLE_EQ(std::max(c.rects[0].x0, c.rects[0].x1), 112.0);
  EXPECT_DOUBLE_EQ(std::max(c.rects[1].x0, c.rects[1].x1), 60.0);
  ASSERT_EQ(c.markers.size(), 3u);
  EXPECT_EQ(c.markers[1].css_class, "visit cat-PR");
  EXPECT_DOUBLE_EQ(c.markers[1].x, 112.0);
  EXPECT_GT(c.markers[0].y, c.markers[2].y);  // the first subject is drawn above the second
  EXPECT_GE(c.x.hi, 112.0);
}

}  // namespace
}  // namespace oncotrack::report
