#pragma once
// `oncotrack evaluate PRED_DIR REF_MANIFEST`: predicted tumour masks (as `oncotrack segment` writes them,
// PRED_DIR/sub-<id>/ses-<tp>/sub-<id>_ses-<tp>_desc-tumor_mask.nii.gz) against the reference masks of a
// manifest, per timepoint (analysis/overlap_metrics.h) and per follow-up (does the predicted volume change
// vs the baseline have the reference's sign?), with a summary.
//
// JSON: {"cases": [{"subject", "timepoint", "dice", "hd95_mm" (null when a mask is empty), "predicted_ml",
//                   "reference_ml", "volume_error_ml", "volume_error_pct" (null for an empty reference)}],
//        "changes": [{"subject", "timepoint", "predicted_change_ml", "reference_change_ml", "same_sign"}],
//        "summary": {"cases", "dice_median", "dice_mean", "hd95_median_mm", "abs_volume_error_median_pct",
//                    "changes", "changes_with_same_sign"},
//        "problems": ["..."]}   (timepoints that could not be compared, e.g. no predicted mask)
#include <filesystem>
#include <nlohmann/json.hpp>

#include "oncotrack/analysis/overlap_metrics.h"
#include "oncotrack/io/cohort.h"

namespace oncotrack::pipeline {

// Throws Error when the cohort itself has problems; per-timepoint problems go to "problems".
nlohmann::json evaluate_masks(const std::filesystem::path& predictions, const io::Cohort& reference);

// {"dice", "hd95_mm", "predicted_ml", "reference_ml", "volume_error_ml", "volume_error_pct"} as in "cases"
// (also the report's segmentation.reference_agreement).
nlohmann::json overlap_json(const analysis::OverlapMetrics& m);

}  // namespace oncotrack::pipeline
