#pragma once
// Tumour response categories under named, versioned criteria (imaging-only: no clinical inputs).
//
//  recist_1_1           sum of longest diameters (SLD) of the target lesions = the (up to max_target_lesions)
//                       largest measurable baseline lesions by longest diameter (ties: lesion order),
//                       followed by track; a target absent at a follow-up contributes 0. CR: every target
//                       lesion gone (SLD 0), no non-target lesion left and no new lesion of any size
//                       (targets gone with non-targets persisting is PR, RECIST 1.1 table 4). PR: SLD change
//                       vs baseline
//                       <= -30 %. PD: SLD change vs nadir >= +20 % AND absolute increase >= 5 mm, or an
//                       unequivocal new lesion. Else SD.
//  volumetric           total tumour volume. CR: volume 0. PR: <= -65 % vs baseline. PD: >= +73 % vs
//                       nadir, or an unequivocal new lesion. Else SD.
//  rano_2_0_volumetric  total tumour volume. CR: volume 0. PR: <= -65 % vs baseline. PD: >= +40 % vs
//                       nadir, or an unequivocal new lesion. Else SD.
// Precedence: PD > CR > PR > SD. Thresholds are inclusive; a change within kThresholdEpsilonPct of a
// threshold counts as reaching it (so "exactly -30 %" is PR despite floating-point rounding); the 5 mm and
// new-lesion diameter conditions use the same tolerance in mm.
// Nadir = the smallest value among the baseline and all earlier measured follow-ups (not the current one;
// the earliest timepoint on ties). From a nadir of 0 (an earlier CR) any growth counts as reaching the
// relative PD threshold: RECIST then needs +5 mm, the volumetric criteria call any regrowth PD.
// NE (not evaluable) with a reason: no measurement at this timepoint or baseline, or (RECIST) no measurable
// lesion at baseline, or (volumetric) zero baseline volume.
// A new lesion (Lesion::is_new) is unequivocal when its longest diameter >= new_lesion_min_diameter_mm.
// Rules read on their own, e.g. "PD: SLD 62.0 mm is +24.0 % (+12.0 mm) vs nadir 50.0 mm at ses-2;
// thresholds +20 % and +5 mm"; a change that misses a threshold by less than the printed precision is
// printed with more decimals.
#include <optional>
#include <string>
#include <vector>

#include "oncotrack/analysis/config.h"
#include "oncotrack/analysis/lesions.h"

namespace oncotrack::analysis {

constexpr double kThresholdEpsilonPct = 1e-9;

struct TimepointMeasurement {
  std::string id;
  const TumorMeasurement* tumor = nullptr;  // nullptr: not measured (no mask) -> NE
};

struct Reference {
  std::string timepoint;  // which timepoint supplied the reference value
  double value = 0;
};

struct CriterionResult {
  std::string criterion;        // "recist_1_1" | "volumetric" | "rano_2_0_volumetric"
  std::string category;         // "CR" | "PR" | "SD" | "PD" | "NE"
  std::string rule;             // the rule that fired, with its numbers, readable on its own
  std::string measure;          // "sum_longest_diameter_mm" | "total_volume_ml"
  std::optional<double> value;  // the measure at this follow-up
  std::optional<Reference> baseline, nadir;
  std::optional<double> change_vs_baseline_pct;  // null when the reference is 0
  std::optional<double> change_vs_nadir_pct;
  std::optional<double> change_vs_nadir_abs;  // same unit as the measure
  double pr_threshold_pct = 0, pd_threshold_pct = 0;
  std::optional<double> pd_min_increase_mm;  // RECIST only: 5 mm
  std::vector<int> target_tracks;            // RECIST only
  std::vector<int> new_lesion_ids;           // unequivocal new lesions at this follow-up
};

struct Change {
  std::optional<double> volume_change_pct, sld_change_pct;  // null when the reference is 0 or missing
  std::optional<Reference> volume_reference, sld_reference;
};

struct FollowUpResponse {
  std::string timepoint;
  Change vs_baseline, vs_nadir;
  std::vector<CriterionResult> criteria;  // recist_1_1, volumetric, rano_2_0_volumetric (this order)
};

// timepoints[0] is the baseline; lesions must already carry tracks (match_lesions). One result per follow-up.
std::vector<FollowUpResponse> assess_response(const std::vector<TimepointMeasurement>& timepoints,
                                              const AnalysisConfig& config);

}  // namespace oncotrack::analysis
