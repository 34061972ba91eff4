#pragma once
// The cohort table of `oncotrack aggregate OUT`: one row per subject × follow-up, read from the per-subject
// reports (sub-<id>/sub-<id>_report.json) and failure records (sub-<id>/error.json) of an output folder, so
// that shards of a cohort written by separate jobs are summarised in one step after them.
//
// Rows, in subject order then follow-up order:
//  - a reported subject: one row per follow-up (its `response` entries), or one row with follow_up null when
//    it has only a baseline;
//  - a failed subject (error.json): one row, status "failed", with the stage and the message;
//  - a folder with neither (a job still running or killed): one row, status "incomplete";
//  - a report that cannot be read: one row, status "unreadable", and the reason in `problems`.
// Columns (kCohortColumns; units in the names; null where the report has null, with its reason there):
//  subject, status, follow_up, day (days from baseline), baseline (its timepoint id), tumor_source,
//  baseline_volume_ml, volume_ml, volume_change_vs_baseline_pct, volume_change_vs_nadir_pct,
//  baseline_sld_mm, sld_mm, sld_change_vs_baseline_pct, sld_change_vs_nadir_pct, new_lesions,
//  recist_1_1, volumetric, rano_2_0_volumetric (categories), prediction_probability, prediction_label,
//  registration_ncc_body (after registration), dice_vs_reference (the model's mask against the manifest's),
//  qc_flags (a list of registration_suspect, not_registered, no_prediction, warnings — the follow-up's
//  report carries the details), report (path relative to OUT), error (stage: message, failed subjects only).
// Thread safety: none needed (pure functions of the folder's contents).
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace oncotrack::report {

extern const std::vector<std::string> kCohortColumns;

struct CohortTable {
  std::vector<nlohmann::json> rows;   // objects with every kCohortColumns key
  std::vector<std::string> problems;  // unreadable reports, with the file and the reason
  // Criterion → its thresholds ({"pr_pct", "pd_pct", …}) from the first report that has them; reports with
  // other thresholds are listed in problems (a cohort assessed under mixed settings).
  nlohmann::json thresholds = nlohmann::json::object();
};

// Reads every sub-* folder of out_dir. Throws Error when out_dir is not a folder or holds no sub-* folder.
CohortTable collect_cohort(const std::filesystem::path& out_dir);

// Tab-separated, a header line of kCohortColumns, "n/a" for null (BIDS), numbers with up to 6 significant
// digits, lists ";"-joined ("none" when empty).
std::string cohort_tsv(const CohortTable& table);

// {"columns": [...], "rows": [...], "problems": [...]}.
nlohmann::json cohort_json(const CohortTable& table);

}  // namespace oncotrack::report
