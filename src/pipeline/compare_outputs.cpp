#include "oncotrack/pipeline/compare_outputs.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

#include "oncotrack/analysis/overlap_metrics.h"
#include "oncotrack/core/error.h"
#include "oncotrack/core/json_file.h"
#include "oncotrack/io/image_io.h"
#include "oncotrack/report/cohort_table.h"

namespace oncotrack::pipeline {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string format(double v) {
  std::ostringstream s;
  s.precision(6);
  s << v;
  return s.str();
}

// How a column is compared: exactly, or within a relative (%) or absolute tolerance.
struct Rule {
  enum Kind { kExact, kRelativePct, kAbsolute } kind;
  double limit = 0;
};

std::map<std::string, Rule> rules(const CompareTolerances& t) {
  std::map<std::string, Rule> r;
  for (const std::string& c : report::kCohortColumns) r[c] = {Rule::kExact, 0};
  for (const char* c : {"baseline_volume_ml", "volume_ml"}) r[c] = {Rule::kRelativePct, t.volume_pct};
  for (const char* c : {"baseline_sld_mm", "sld_mm"}) r[c] = {Rule::kRelativePct, t.sld_pct};
  for (const char* c : {"volume_change_vs_baseline_pct", "volume_change_vs_nadir_pct",
                        "sld_change_vs_baseline_pct", "sld_change_vs_nadir_pct"})
    r[c] = {Rule::kAbsolute, t.change_points};
  r["prediction_probability"] = {Rule::kAbsolute, t.probability};
  r["registration_ncc_body"] = {Rule::kAbsolute, t.ncc};
  r["dice_vs_reference"] = {Rule::kAbsolute, 1.0 - t.dice};
  r.erase("report");  // a path, the same by construction
  return r;
}

// Empty when within the rule, else the limit that was exceeded.
std::string exceeded(const json& a, const json& b, const Rule& rule) {
  if (rule.kind == Rule::kExact || !a.is_number() || !b.is_number()) return a == b ? "" : "equal";
  const double x = a.get<double>(), y = b.get<double>(), d = std::abs(x - y);
  if (rule.kind == Rule::kAbsolute) return d <= rule.limit + 1e-12 ? "" : "±" + format(rule.limit);
  return d <= rule.limit / 100.0 * std::max(std::abs(x), std::abs(y)) + 1e-12
             ? ""
             : "±" + format(rule.limit) + " %";
}

std::string row_key(const json& row) {
  return row.at("subject").get<std::string>() + "\t" +
         (row.at("follow_up").is_null() ? "" : row.at("follow_up").get<std::string>());
}

// Each timepoint's model mask (path relative to the report's folder) in a reported subject.
std::map<std::string, std::string> model_masks(const fs::path& report_path) {
  std::map<std::string, std::string> masks;
  const json report = read_json_file(report_path, "subject report");
  for (const json& tp : report.at("timepoints")) {
    const auto seg = tp.find("segmentation");
    if (seg == tp.end() || !seg->is_object()) continue;
    const auto mask = seg->find("mask");
    if (mask != seg->end() && mask->is_string())
      masks[tp.at("id").get<std::string>()] = mask->get<std::string>();
  }
  return masks;
}

}  // namespace

CompareTolerances parse_tolerances(const std::string& text) {
  CompareTolerances t;
  std::map<std::string, double*> fields = {
      {"volume", &t.volume_pct},       {"sld", &t.sld_pct}, {"change", &t.change_points},
      {"probability", &t.probability}, {"ncc", &t.ncc},     {"dice", &t.dice}};
  std::istringstream entries(text);
  for (std::string entry; std::getline(entries, entry, ',');) {
    const auto eq = entry.find('=');
    const std::string key = entry.substr(0, eq);
    std::string value = eq == std::string::npos ? "" : entry.substr(eq + 1);
    if ((key == "volume" || key == "sld") && !value.empty() && value.back() == '%') value.pop_back();
    const auto it = fields.find(key);
    std::size_t used = 0;
    double v = -1;
    try {
      v = std::stod(value, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (it == fields.end() || used != value.size() || value.empty() || !(v >= 0) || (key == "dice" && v > 1))
      throw Error("not a tolerance", "--tolerance",
                  "name=value with name volume, sld, change, probability, ncc or dice (0..1), value >= 0",
                  "'" + entry + "'");
    *it->second = v;
  }
  return t;
}

Comparison compare_outputs(const fs::path& old_dir, const fs::path& new_dir,
                           const CompareTolerances& tolerances) {
  const report::CohortTable old_table = report::collect_cohort(old_dir),
                            new_table = report::collect_cohort(new_dir);
  std::map<std::string, const json*> old_rows, new_rows;
  for (const json& r : old_table.rows) old_rows[row_key(r)] = &r;
  for (const json& r : new_table.rows) new_rows[row_key(r)] = &r;
  Comparison c;
  const auto add = [&](const json& row, const std::string& field, json a, json b, std::string limit) {
    c.drifts.push_back({row.at("subject").get<std::string>(),
                        row.at("follow_up").is_null() ? "" : row.at("follow_up").get<std::string>(), field,
                        std::move(a), std::move(b), std::move(limit)});
  };
  for (const auto& [key, row] : old_rows)
    if (!new_rows.count(key)) add(*row, "row", "present", nullptr, "in both");
  for (const auto& [key, row] : new_rows)
    if (!old_rows.count(key)) add(*row, "row", nullptr, "present", "in both");
  const std::map<std::string, Rule> by_column = rules(tolerances);
  std::map<std::string, bool> subjects_ok;  // subjects reported ok in both runs
  for (const auto& [key, o] : old_rows) {
    const auto n = new_rows.find(key);
    if (n == new_rows.end()) continue;
    ++c.rows;
    for (const auto& [column, rule] : by_column) {
      ++c.values;
      const std::string limit = exceeded(o->at(column), n->second->at(column), rule);
      if (!limit.empty()) add(*o, column, o->at(column), n->second->at(column), limit);
    }
    const std::string subject = o->at("subject").get<std::string>();
    subjects_ok[subject] = o->at("status") == "ok" && n->second->at("status") == "ok";
  }
  for (const auto& [subject, ok] : subjects_ok) {
    if (!ok) continue;
    const fs::path rel = fs::path("sub-" + subject) / ("sub-" + subject + "_report.json");
    const auto old_masks = model_masks(old_dir / rel), new_masks = model_masks(new_dir / rel);
    for (const auto& [timepoint, path] : old_masks) {
      const auto other = new_masks.find(timepoint);
      const json row = {{"subject", subject}, {"follow_up", nullptr}};
      if (other == new_masks.end()) {
        add(row, "mask_dice:" + timepoint, path, nullptr, "a model mask in both");
        continue;
      }
      const Mask a = io::labels_to_mask(io::read_labels(old_dir / ("sub-" + subject) / path), {});
      const Mask b = io::labels_to_mask(io::read_labels(new_dir / ("sub-" + subject) / other->second), {});
      ++c.masks;
      const double dice = analysis::compare_masks(b, a).dice;
      if (dice < tolerances.dice)
        add(row, "mask_dice:" + timepoint, 1.0, dice, ">= " + format(tolerances.dice));
    }
    for (const auto& [timepoint, path] : new_masks)
      if (!old_masks.count(timepoint))
        add({{"subject", subject}, {"follow_up", nullptr}}, "mask_dice:" + timepoint, nullptr, path,
            "a model mask in both");
  }
  return c;
}

}  // namespace oncotrack::pipeline
