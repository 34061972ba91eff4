#include "oncotrack/report/cohort_table.h"

#include <algorithm>
#include <sstream>

#include "json_values.h"
#include "oncotrack/core/error.h"
#include "oncotrack/core/json_file.h"

namespace oncotrack::report {

namespace fs = std::filesystem;
using nlohmann::json;

const std::vector<std::string> kCohortColumns = {"subject",
                                                 "status",
                                                 "follow_up",
                                                 "day",
                                                 "baseline",
                                                 "tumor_source",
                                                 "baseline_volume_ml",
                                                 "volume_ml",
                                                 "volume_change_vs_baseline_pct",
                                                 "volume_change_vs_nadir_pct",
                                                 "baseline_sld_mm",
                                                 "sld_mm",
                                                 "sld_change_vs_baseline_pct",
                                                 "sld_change_vs_nadir_pct",
                                                 "new_lesions",
                                                 "recist_1_1",
                                                 "volumetric",
                                                 "rano_2_0_volumetric",
                                                 "prediction_probability",
                                                 "prediction_label",
                                                 "registration_ncc_body",
                                                 "dice_vs_reference",
                                                 "qc_flags",
                                                 "report",
                                                 "error"};

namespace {

json empty_row(const std::string& subject, const std::string& status) {
  json row = json::object();
  for (const std::string& c : kCohortColumns) row[c] = nullptr;
  row["subject"] = subject;
  row["status"] = status;
  return row;
}

const json* find_timepoint(const json& report, const std::string& id) {
  for (const json& t : report.at("timepoints"))
    if (t.at("id") == id) return &t;
  return nullptr;
}

json follow_up_row(const json& report, const json& baseline, const json* response, const std::string& path) {
  json row = empty_row(report.at("subject").get<std::string>(), report.at("status").get<std::string>());
  row["report"] = path;
  row["baseline"] = baseline.at("id");
  row["baseline_volume_ml"] = field(baseline.at("tumor"), "total_volume_ml");
  row["baseline_sld_mm"] = field(baseline.at("tumor"), "sum_longest_diameter_mm");
  row["tumor_source"] = field(baseline.at("tumor"), "source");
  if (!response) return row;
  const std::string id = response->at("timepoint").get<std::string>();
  const json* tp = find_timepoint(report, id);
  if (!tp) throw Error("response entry for a timepoint the report does not list", path, "a timepoint id", id);
  const json& tumor = tp->at("tumor");
  row["follow_up"] = id;
  row["day"] = field(*tp, "day");
  row["volume_ml"] = field(tumor, "total_volume_ml");
  row["sld_mm"] = field(tumor, "sum_longest_diameter_mm");
  row["volume_change_vs_baseline_pct"] = field(response->at("vs_baseline"), "volume_change_pct");
  row["volume_change_vs_nadir_pct"] = field(response->at("vs_nadir"), "volume_change_pct");
  row["sld_change_vs_baseline_pct"] = field(response->at("vs_baseline"), "sld_change_pct");
  row["sld_change_vs_nadir_pct"] = field(response->at("vs_nadir"), "sld_change_pct");
  const json& criteria = response->at("criteria");
  for (const char* c : {"recist_1_1", "volumetric", "rano_2_0_volumetric"})
    row[c] = field(field(criteria, c), "category");
  const json& new_ids = field(field(criteria, "recist_1_1"), "new_lesion_ids");
  if (new_ids.is_array()) row["new_lesions"] = new_ids.size();
  const json& prediction = field(*response, "prediction");
  row["prediction_probability"] = field(prediction, "probability");
  row["prediction_label"] = field(prediction, "label");
  const json& registration = field(*tp, "registration");
  row["registration_ncc_body"] = field(field(registration, "ncc_body"), "after");
  row["dice_vs_reference"] = field(field(field(*tp, "segmentation"), "reference_agreement"), "dice");
  std::vector<std::string> flags;
  if (field(registration, "suspect") == true) flags.push_back("registration_suspect");
  if (registration.is_null()) flags.push_back("not_registered");
  if (prediction.is_null()) flags.push_back("no_prediction");
  if (!field(*tp, "warnings").empty() || !field(tumor, "warnings").empty()) flags.push_back("warnings");
  row["qc_flags"] = flags;
  return row;
}

void add_reported(const json& report, const std::string& path, std::vector<json>& rows) {
  const json* baseline = nullptr;
  for (const json& t : report.at("timepoints"))
    if (t.at("role") == "baseline") baseline = &t;
  if (!baseline) throw Error("report without a baseline timepoint", path, "one timepoint with role baseline");
  const json& responses = report.at("response");
  if (responses.empty()) rows.push_back(follow_up_row(report, *baseline, nullptr, path));
  for (const json& r : responses) rows.push_back(follow_up_row(report, *baseline, &r, path));
}

// The criteria's thresholds of the first report that has them; a report with others is listed as a problem.
void note_thresholds(const json& report, const fs::path& path, CohortTable& table) {
  for (const json& r : report.at("response"))
    for (const auto& [criterion, c] : field(r, "criteria").items()) {
      const json& t = field(c, "thresholds");
      if (!t.is_object()) continue;
      if (!table.thresholds.contains(criterion))
        table.thresholds[criterion] = t;
      else if (table.thresholds[criterion] != t)
        table.problems.push_back(path.string() + ": " + criterion + " thresholds " + t.dump() +
                                 " differ from the cohort's first report's " +
                                 table.thresholds[criterion].dump());
    }
}

std::string format_cell(const json& v) {
  if (v.is_null()) return "n/a";
  if (v.is_number_float()) {
    std::ostringstream s;
    s.precision(6);
    s << v.get<double>();
    return s.str();
  }
  if (v.is_number()) return v.dump();
  if (v.is_array()) {
    std::string joined;
    for (const json& e : v) joined += (joined.empty() ? "" : ";") + e.get<std::string>();
    return joined.empty() ? "none" : joined;
  }
  std::string text = v.get<std::string>();
  std::replace_if(
      text.begin(), text.end(), [](char c) { return c == '\t' || c == '\n' || c == '\r'; }, ' ');
  return text.empty() ? "n/a" : text;
}

}  // namespace

CohortTable collect_cohort(const fs::path& out_dir) {
  if (!fs::is_directory(out_dir))
    throw Error("not a folder", out_dir.string(), "an output folder of `oncotrack run`", "no such folder");
  std::vector<fs::path> subjects;
  for (const auto& e : fs::directory_iterator(out_dir))
    if (e.is_directory() && e.path().filename().string().rfind("sub-", 0) == 0) subjects.push_back(e.path());
  if (subjects.empty())
    throw Error("no subject folders", out_dir.string(), "sub-<id> folders written by `oncotrack run`",
                "none");
  std::sort(subjects.begin(), subjects.end());
  CohortTable table;
  for (const fs::path& dir : subjects) {
    const std::string id = dir.filename().string().substr(4);
    const std::string relative = (fs::path("sub-" + id) / ("sub-" + id + "_report.json")).string();
    const fs::path report_path = dir / ("sub-" + id + "_report.json");
    if (fs::exists(report_path)) {
      try {
        std::vector<json> rows;
        const json report = read_json_file(report_path, "subject report");
        add_reported(report, relative, rows);
        table.rows.insert(table.rows.end(), rows.begin(), rows.end());
        note_thresholds(report, report_path, table);
      } catch (const std::exception& e) {  // a malformed report: listed, the cohort still aggregated
        table.problems.push_back(report_path.string() + ": " + e.what());
        json row = empty_row(id, "unreadable");
        row["report"] = relative;
        table.rows.push_back(row);
      }
    } else if (fs::exists(dir / "error.json")) {
      json row = empty_row(id, "failed");
      try {
        const json e = read_json_file(dir / "error.json", "failure record");
        row["error"] = e.at("stage").get<std::string>() + ": " + e.at("message").get<std::string>();
      } catch (const std::exception& e) {
        table.problems.push_back((dir / "error.json").string() + ": " + e.what());
      }
      table.rows.push_back(row);
    } else {
      table.rows.push_back(empty_row(id, "incomplete"));
    }
  }
  return table;
}

std::string cohort_tsv(const CohortTable& table) {
  std::string out;
  for (std::size_t i = 0; i < kCohortColumns.size(); ++i) out += (i ? "\t" : "") + kCohortColumns[i];
  out += '\n';
  for (const json& row : table.rows) {
    for (std::size_t i = 0; i < kCohortColumns.size(); ++i)
      out += (i ? "\t" : "") + format_cell(row.at(kCohortColumns[i]));
    out += '\n';
  }
  return out;
}

json cohort_json(const CohortTable& table) {
  return {{"columns", kCohortColumns}, {"rows", table.rows}, {"problems", table.problems}};
}

}  // namespace oncotrack::report
