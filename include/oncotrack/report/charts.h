#pragma once
// The charts of the HTML reports (report/html.h), built from a subject report (data/report.schema.json) or a
// cohort table (report/cohort_table.h). Pure functions of their input; drawn by render_svg.
//
// timeline_chart: one measure of a subject over time: x = days from the baseline (the timepoint's position in
//   the series, baseline 0, when some timepoint has no day), y = the measure at every timepoint where it was
//   measured, plus per criterion on that measure its thresholds as drawn lines:
//     PR: the baseline value × (1 + pr_pct/100), level from the baseline to the last follow-up;
//     PD: per follow-up, from the previous timepoint to it, the level that follow-up was judged against: its
//         nadir × (1 + pd_pct/100), and for RECIST 1.1 at least nadir + pd_min_increase_mm (a step where the
//         nadir changes).
//   The thresholds come from the report's own criteria objects (never from defaults here). y covers the
//   measurements and every threshold drawn, from 0.
// waterfall_chart: per subject the best (lowest) change vs baseline over its follow-ups, one bar each,
//   sorted from the highest to the lowest, CSS class "cat-<category at that follow-up>", with the criterion's
//   PR and PD percentages as horizontal lines (taken from the first subject report that has them).
// swimmer_chart: per subject a lane from day 0 to its last follow-up, a marker per follow-up coloured by the
//   criterion's category, subjects from top to bottom in table order.
#include <nlohmann/json.hpp>
#include <string>

#include "oncotrack/report/cohort_table.h"
#include "oncotrack/report/svg_chart.h"

namespace oncotrack::report {

// measure: "total_volume_ml" (criteria volumetric and rano_2_0_volumetric) or "sum_longest_diameter_mm"
// (recist_1_1). Throws Error for another measure.
Chart timeline_chart(const nlohmann::json& report, const std::string& measure);

// The criteria drawn on a measure's timeline, in drawing order.
std::vector<std::string> criteria_on(const std::string& measure);

// criterion: "recist_1_1" (bars: sld_change_vs_baseline_pct) or "volumetric" / "rano_2_0_volumetric"
// (volume_change_vs_baseline_pct). thresholds {"pr_pct", "pd_pct"}: the lines drawn (null: none).
Chart waterfall_chart(const CohortTable& table, const std::string& criterion,
                      const nlohmann::json& thresholds);

Chart swimmer_chart(const CohortTable& table, const std::string& criterion);

}  // namespace oncotrack::report
