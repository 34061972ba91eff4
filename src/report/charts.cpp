#include "oncotrack/report/charts.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

#include "json_values.h"
#include "oncotrack/core/error.h"

namespace oncotrack::report {

using nlohmann::json;

namespace {

std::optional<double> number_at(const json& v, const char* key) {
  if (!v.is_object()) return std::nullopt;
  const auto it = v.find(key);
  if (it == v.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

const char* criterion_name(const std::string& c) {
  if (c == "recist_1_1") return "RECIST 1.1";
  if (c == "volumetric") return "volumetric";
  if (c == "rano_2_0_volumetric") return "RANO 2.0";
  return "criterion";
}

std::string signed_pct(double v) {
  return (v > 0 ? "+" : "") + format_number(v) + " %";
}

}  // namespace

std::vector<std::string> criteria_on(const std::string& measure) {
  if (measure == "total_volume_ml") return {"volumetric", "rano_2_0_volumetric"};
  if (measure == "sum_longest_diameter_mm") return {"recist_1_1"};
  throw Error("no chart for this measure", "", "total_volume_ml or sum_longest_diameter_mm", measure);
}

Chart timeline_chart(const json& report, const std::string& measure) {
  const std::vector<std::string> criteria = criteria_on(measure);
  const bool volume = measure == "total_volume_ml";
  const std::string unit = volume ? "ml" : "mm";
  const json& timepoints = report.at("timepoints");
  std::size_t base = 0;
  while (base < timepoints.size() && timepoints[base].at("role") != "baseline") ++base;
  if (base == timepoints.size())
    throw Error("report without a baseline timepoint", "", "one timepoint with role baseline");
  const bool by_day = std::all_of(timepoints.begin(), timepoints.end(),
                                  [](const json& t) { return number_at(t, "day").has_value(); });
  std::map<std::string, double> x_of;
  std::vector<std::string> order;
  for (std::size_t t = 0; t < timepoints.size(); ++t) {
    const std::string id = timepoints[t].at("id").get<std::string>();
    x_of[id] = by_day ? *number_at(timepoints[t], "day") - *number_at(timepoints[base], "day")
                      : static_cast<double>(t) - static_cast<double>(base);
    order.push_back(id);
  }
  Chart c;
  c.id = volume ? "timeline-volume" : "timeline-sld";
  c.title = volume ? "Total tumour volume over time" : "Sum of longest diameters over time";
  Polyline values{{},   "measure", volume ? "total volume (ml)" : "sum of diameters (mm)", true, false,
                  true, {}};
  double y_max = 0, x_min = 0, x_max = 0;
  for (const json& t : timepoints) {
    const std::string id = t.at("id").get<std::string>();
    x_min = std::min(x_min, x_of[id]);
    x_max = std::max(x_max, x_of[id]);
    if (const auto v = number_at(field(t, "tumor"), measure.c_str())) {
      values.points.push_back({x_of[id], *v});
      values.point_titles.push_back(id + ": " + format_number(*v) + " " + unit);
      y_max = std::max(y_max, *v);
    }
  }
  c.lines.push_back(values);
  std::vector<double> pr_drawn;
  for (const std::string& crit : criteria) {
    Polyline pd{{}, "threshold pd pd-" + crit, "", false, false, true, {}};
    std::optional<double> pr_pct;
    std::string previous = order[base];
    for (const json& r : report.at("response")) {
      const std::string id = r.at("timepoint").get<std::string>();
      const json& k = field(field(r, "criteria"), crit.c_str());
      const json& thresholds = field(k, "thresholds");
      const auto nadir = number_at(field(k, "nadir"), "value");
      const auto pd_pct = number_at(thresholds, "pd_pct");
      if (!pr_pct) pr_pct = number_at(thresholds, "pr_pct");
      if (nadir && pd_pct && x_of.count(id)) {
        double level = *nadir * (1 + *pd_pct / 100);
        if (const auto min_mm = number_at(thresholds, "pd_min_increase_mm"))
          level = std::max(level, *nadir + *min_mm);
        pd.points.push_back({x_of[previous], level});
        pd.points.push_back({x_of[id], level});
        pd.label = "PD " + signed_pct(*pd_pct) + " vs nadir (" + criterion_name(crit) + ")";
        y_max = std::max(y_max, level);
      }
      previous = id;
    }
    const auto baseline_value = number_at(field(timepoints[base], "tumor"), measure.c_str());
    if (pr_pct && baseline_value && x_max > 0 &&
        std::find(pr_drawn.begin(), pr_drawn.end(), *pr_pct) == pr_drawn.end()) {
      const double level = *baseline_value * (1 + *pr_pct / 100);
      c.lines.push_back({{{0.0, level}, {x_max, level}},
                         "threshold pr",
                         "PR " + signed_pct(*pr_pct) + " vs baseline",
                         false,
                         false,
                         true,
                         {}});
      pr_drawn.push_back(*pr_pct);
    }
    if (!pd.points.empty()) c.lines.push_back(pd);
  }
  c.x = nice_axis(x_min, x_max, 6);
  c.x.label = by_day ? "days from baseline" : "timepoint (baseline = 0; some days unknown)";
  c.y = nice_axis(0, y_max > 0 ? y_max * 1.05 : 1.0, 5);
  c.y.label = volume ? "volume (ml)" : "sum of diameters (mm)";
  return c;
}

namespace {

const char* change_column(const std::string& criterion) {
  if (criterion == "recist_1_1") return "sld_change_vs_baseline_pct";
  if (criterion == "volumetric" || criterion == "rano_2_0_volumetric") return "volume_change_vs_baseline_pct";
  throw Error("no waterfall for this criterion", "", "recist_1_1, volumetric or rano_2_0_volumetric",
              criterion);
}

std::string category_of(const json& row, const std::string& criterion) {
  const json& v = row.at(criterion);
  return v.is_string() ? v.get<std::string>() : "NE";
}

}  // namespace

Chart waterfall_chart(const CohortTable& table, const std::string& criterion, const json& thresholds) {
  const char* column = change_column(criterion);
  struct Best {
    std::string subject, follow_up, category;
    double change;
  };
  std::vector<Best> best;
  for (const json& row : table.rows) {
    const json& v = row.at(column);
    if (row.at("status") != "ok" || !v.is_number()) continue;
    const std::string subject = row.at("subject").get<std::string>();
    auto it = std::find_if(best.begin(), best.end(), [&](const Best& b) { return b.subject == subject; });
    if (it == best.end())
      best.push_back(
          {subject, row.at("follow_up").get<std::string>(), category_of(row, criterion), v.get<double>()});
    else if (v.get<double>() < it->change)
      *it = {subject, row.at("follow_up").get<std::string>(), category_of(row, criterion), v.get<double>()};
  }
  std::stable_sort(best.begin(), best.end(),
                   [](const Best& a, const Best& b) { return a.change > b.change; });
  Chart c;
  c.id = "waterfall-" + criterion;
  c.title = std::string("Best change vs baseline per subject (") + criterion_name(criterion) + ")";
  double lo = 0, hi = 0;
  const double n = static_cast<double>(best.size());
  for (std::size_t i = 0; i < best.size(); ++i) {
    const Best& b = best[i];
    c.rects.push_back(
        {static_cast<double>(i) + 0.15, static_cast<double>(i) + 0.85, 0.0, b.change, "bar cat-" + b.category,
         b.subject + ": " + signed_pct(b.change) + " at " + b.follow_up + " (" + b.category + ")"});
    lo = std::min(lo, b.change);
    hi = std::max(hi, b.change);
  }
  for (const char* key : {"pr_pct", "pd_pct"})
    if (const auto v = number_at(thresholds, key)) {
      const bool pr = std::string(key) == "pr_pct";
      c.lines.push_back({{{0.0, *v}, {std::max(n, 1.0), *v}},
                         pr ? "threshold pr" : "threshold pd",
                         (pr ? "PR " : "PD ") + signed_pct(*v),
                         false,
                         false,
                         true,
                         {}});
      lo = std::min(lo, *v);
      hi = std::max(hi, *v);
    }
  c.x.lo = 0;
  c.x.hi = std::max(n, 1.0);
  if (best.size() <= 40)
    for (std::size_t i = 0; i < best.size(); ++i) {
      c.x.ticks.push_back(static_cast<double>(i) + 0.5);
      c.x.tick_labels.push_back(best[i].subject);
    }
  c.x.label = "subjects, sorted by best change";
  c.y = nice_axis(lo, hi, 6);
  c.y.label = std::string(criterion == "recist_1_1" ? "sum of diameters" : "volume") + ": best change (%)";
  return c;
}

Chart swimmer_chart(const CohortTable& table, const std::string& criterion) {
  struct Lane {
    std::string subject;
    std::vector<std::pair<double, std::string>> visits;  // (x, title), with the category in the class
    std::vector<std::string> categories;
  };
  std::vector<Lane> lanes;
  bool by_day = true;
  for (const json& row : table.rows)
    if (row.at("status") == "ok" && !row.at("follow_up").is_null() && !row.at("day").is_number())
      by_day = false;
  for (const json& row : table.rows) {
    if (row.at("status") != "ok" || row.at("follow_up").is_null()) continue;
    const std::string subject = row.at("subject").get<std::string>();
    if (lanes.empty() || lanes.back().subject != subject) lanes.push_back({subject, {}, {}});
    Lane& lane = lanes.back();
    const double x = by_day ? row.at("day").get<double>() : static_cast<double>(lane.visits.size() + 1);
    const std::string cat = category_of(row, criterion);
    lane.visits.push_back({x, subject + " " + row.at("follow_up").get<std::string>() + ": " + cat});
    lane.categories.push_back(cat);
  }
  Chart c;
  c.id = "swimmer-" + criterion;
  c.title = std::string("Response over time per subject (") + criterion_name(criterion) + ")";
  c.height = std::max(160, 40 + 22 * static_cast<int>(lanes.size()) + c.top + c.bottom);
  double x_max = 1;
  for (std::size_t i = 0; i < lanes.size(); ++i) {
    const double y = static_cast<double>(lanes.size() - i) - 0.5;  // the first subject at the top
    double end = 0;
    for (std::size_t v = 0; v < lanes[i].visits.size(); ++v) {
      end = std::max(end, lanes[i].visits[v].first);
      c.markers.push_back(
          {lanes[i].visits[v].first, y, "visit cat-" + lanes[i].categories[v], lanes[i].visits[v].second});
    }
    c.rects.push_back({0.0, end, y - 0.3, y + 0.3, "lane", lanes[i].subject});
    c.y.ticks.push_back(y);
    c.y.tick_labels.push_back(lanes[i].subject);
    x_max = std::max(x_max, end);
  }
  c.x = nice_axis(0, x_max, 6);
  c.x.label = by_day ? "days from baseline" : "follow-up number (some days unknown)";
  c.y.lo = 0;
  c.y.hi = std::max<double>(1, static_cast<double>(lanes.size()));
  c.y.label = "subject";
  return c;
}

}  // namespace oncotrack::report
