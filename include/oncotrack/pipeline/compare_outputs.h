#pragma once
// `oncotrack compare OLD NEW`: a regression check of two output folders of the same cohort (e.g. the sample
// cohort's results before and after a change, in CI). Their cohort tables (report/cohort_table.h) are matched
// row by row (subject × follow-up) and every column is compared: statuses, categories, labels, lesion counts
// and QC flags exactly; numbers within tolerances; and where both runs wrote a model mask for a timepoint,
// the two masks must overlap with at least the Dice tolerance.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace oncotrack::pipeline {

struct CompareTolerances {
  double volume_pct = 0.5;     // volumes (ml): relative difference, % of the larger
  double sld_pct = 0.5;        // sums of longest diameters (mm): relative difference, %
  double change_points = 0.5;  // % changes vs baseline and nadir: absolute difference, percentage points
  double probability = 0.01;   // predicted response probability: absolute difference
  double ncc = 0.01;           // registration NCC: absolute difference
  double dice = 0.99;          // Dice against the reference, and between the two runs' masks: at least this
};

// "volume=0.5%,sld=1%,change=0.5,probability=0.02,ncc=0.01,dice=0.98" (any subset, any order; "%" optional on
// volume and sld). Throws Error naming the entry otherwise.
CompareTolerances parse_tolerances(const std::string& text);

struct Drift {
  std::string subject, follow_up;  // follow_up empty for a subject-level or timepoint-level value
  std::string field;               // a cohort-table column, "row", or "mask_dice:<timepoint>"
  nlohmann::json old_value, new_value;
  std::string limit;  // what was allowed
};

struct Comparison {
  std::vector<Drift> drifts;
  std::size_t rows = 0, values = 0, masks = 0;  // compared
};

// Throws Error when either folder is not an output folder (report/cohort_table.h's collect_cohort).
Comparison compare_outputs(const std::filesystem::path& old_dir, const std::filesystem::path& new_dir,
                           const CompareTolerances& tolerances);

}  // namespace oncotrack::pipeline
