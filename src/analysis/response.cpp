#include "oncotrack/analysis/response.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "oncotrack/core/error.h"

namespace oncotrack::analysis {

namespace {

using Series = std::vector<std::optional<double>>;  // one value per timepoint; nullopt: not measured

struct Criterion {
  const char* name;
  const char* measure;
  const char* label;  // how rules name the measure
  const char* unit;
  int decimals;  // for values in rules
  const char* zero_means;
  double pr_pct, pd_pct;
  double pd_min_increase;  // 0: no absolute condition
};

const Criterion kRecist{
    "recist_1_1", "sum_longest_diameter_mm", "SLD", "mm", 1, "every target lesion gone", -30, 20, 5};
const Criterion kVolumetric{"volumetric", "total_volume_ml", "volume", "ml", 3, "no tumour left", -65, 73, 0};
const Criterion kRano{
    "rano_2_0_volumetric", "total_volume_ml", "volume", "ml", 3, "no tumour left", -65, 40, 0};

std::string fixed(double value, int decimals, bool sign) {
  char text[64];
  if (sign) {
    std::snprintf(text, sizeof text, "%+.*f", decimals, value);
  } else {
    std::snprintf(text, sizeof text, "%.*f", decimals, value);
  }
  return text;
}

// Signed, with more decimals when the usual ones would print the threshold that the value misses.
std::string signed_near(double value, double threshold, int decimals) {
  while (decimals < 6 && std::abs(value - threshold) > kThresholdEpsilonPct &&
         fixed(value, decimals, true) == fixed(threshold, decimals, true))
    ++decimals;
  return fixed(value, decimals, true);
}

std::string threshold_text(double threshold) {
  char text[32];
  std::snprintf(text, sizeof text, "%+g", threshold);
  return text;
}

double change_pct(double value, double reference) {
  return 100.0 * (value - reference) / reference;
}

std::optional<Reference> reference_at(const Series& series, std::size_t t,
                                      const std::vector<TimepointMeasurement>& tps) {
  if (!series[t]) return std::nullopt;
  return Reference{tps[t].id, *series[t]};
}

// The smallest value before `current`; the earliest timepoint wins ties.
std::optional<Reference> nadir_before(const Series& series, std::size_t current,
                                      const std::vector<TimepointMeasurement>& tps) {
  std::optional<Reference> nadir;
  for (std::size_t t = 0; t < current; ++t)
    if (series[t] && (!nadir || *series[t] < nadir->value)) nadir = Reference{tps[t].id, *series[t]};
  return nadir;
}

std::optional<double> change_vs(const std::optional<double>& value,
                                const std::optional<Reference>& reference) {
  if (!value || !reference || reference->value == 0) return std::nullopt;
  return change_pct(*value, reference->value);
}

struct FollowUpInputs {
  std::size_t index = 0;
  std::string baseline_problem;  // non-empty: the criterion cannot be evaluated at any follow-up
  std::vector<const Lesion*> unequivocal_new;
  bool any_new = false;
  std::size_t remaining_lesions = 0;  // lesions of any kind at this follow-up
};

std::string new_lesion_text(const std::vector<const Lesion*>& lesions, double min_diameter_mm) {
  std::string text =
      std::to_string(lesions.size()) + " unequivocal new lesion" + (lesions.size() > 1 ? "s" : "") + " (";
  for (std::size_t n = 0; n < lesions.size(); ++n)
    text += (n ? ", " : "") + std::string("id ") + std::to_string(lesions[n]->id) + " longest diameter " +
            fixed(lesions[n]->longest_diameter_mm, 1, false) + " mm";
  return text + "; unequivocal at >= " + fixed(min_diameter_mm, 1, false) + " mm)";
}

CriterionResult evaluate(const Criterion& c, const Series& series, const FollowUpInputs& in,
                         const std::vector<TimepointMeasurement>& tps, const AnalysisConfig& config) {
  CriterionResult r;
  r.criterion = c.name;
  r.measure = c.measure;
  r.pr_threshold_pct = c.pr_pct;
  r.pd_threshold_pct = c.pd_pct;
  if (c.pd_min_increase > 0) r.pd_min_increase_mm = c.pd_min_increase;
  for (const Lesion* lesion : in.unequivocal_new) r.new_lesion_ids.push_back(lesion->id);
  r.value = series[in.index];
  r.baseline = reference_at(series, 0, tps);
  r.nadir = nadir_before(series, in.index, tps);
  r.change_vs_baseline_pct = change_vs(r.value, r.baseline);
  r.change_vs_nadir_pct = change_vs(r.value, r.nadir);
  if (r.value && r.nadir) r.change_vs_nadir_abs = *r.value - r.nadir->value;

  const std::string unit = std::string(" ") + c.unit;
  const auto amount = [&](double v) { return fixed(v, c.decimals, false) + unit; };
  r.category = "NE";
  if (!in.baseline_problem.empty()) {
    r.rule = "NE: " + in.baseline_problem;
    return r;
  }
  if (!tps[in.index].tumor) {
    r.rule = "NE: no tumour measurement at " + tps[in.index].id + " (no mask)";
    return r;
  }
  ONCOTRACK_ASSERT(r.value && r.baseline && r.nadir && r.baseline->value > 0,
                   "evaluable follow-up has its references");
  const double value = *r.value, increase = *r.change_vs_nadir_abs;
  const std::string vs_nadir = " vs nadir " + amount(r.nadir->value) + " at " + r.nadir->timepoint;
  const std::string pd_needs =
      threshold_text(c.pd_pct) + " %" +
      (c.pd_min_increase > 0 ? " and " + threshold_text(c.pd_min_increase) + unit : "");
  // From a nadir of 0 any growth is an unbounded relative increase.
  const bool pct_reached =
      r.change_vs_nadir_pct ? *r.change_vs_nadir_pct >= c.pd_pct - kThresholdEpsilonPct : increase > 0;
  const bool abs_reached = increase >= c.pd_min_increase - kThresholdEpsilonPct;
  const std::string nadir_change =
      (r.change_vs_nadir_pct ? signed_near(*r.change_vs_nadir_pct, c.pd_pct, 1) + " % (" : "(") +
      signed_near(increase, c.pd_min_increase, c.decimals) + unit + ")";
  const std::string baseline_change = signed_near(*r.change_vs_baseline_pct, c.pr_pct, 1) + " %";
  const std::string head = std::string(c.label) + " " + amount(value) + " is ";

  if (pct_reached && abs_reached) {
    r.category = "PD";
    r.rule = "PD: " + head + nadir_change + vs_nadir + "; threshold" + (c.pd_min_increase > 0 ? "s " : " ") +
             pd_needs;
    if (!in.unequivocal_new.empty())
      r.rule += "; also " + new_lesion_text(in.unequivocal_new, config.new_lesion_min_diameter_mm);
  } else if (!in.unequivocal_new.empty()) {
    r.category = "PD";
    r.rule = "PD: " + new_lesion_text(in.unequivocal_new, config.new_lesion_min_diameter_mm);
  } else if (value == 0 && !in.any_new && in.remaining_lesions == 0) {
    r.category = "CR";
    r.rule = "CR: " + std::string(c.label) + " " + amount(0) + " (" + c.zero_means + ") and no new lesion";
  } else if (value == 0 && !in.any_new) {
    // RECIST 1.1 table 4: target CR with persisting non-target disease is an overall PR.
    r.category = "PR";
    r.rule = "PR: " + std::string(c.label) + " " + amount(0) + " (" + c.zero_means + ") but " +
             std::to_string(in.remaining_lesions) + " non-target lesion(s) persist, so not CR";
  } else if (*r.change_vs_baseline_pct <= c.pr_pct + kThresholdEpsilonPct) {
    r.category = "PR";
    r.rule = "PR: " + head + baseline_change + " vs baseline " + amount(r.baseline->value) + " at " +
             r.baseline->timepoint + "; threshold " + threshold_text(c.pr_pct) + " %";
  } else {
    r.category = "SD";
    r.rule = "SD: " + head + baseline_change + " vs baseline " + amount(r.baseline->value) + " at " +
             r.baseline->timepoint + " (PR at <= " + threshold_text(c.pr_pct) + " %) and " + nadir_change +
             vs_nadir + " (PD at >= " + pd_needs + ")";
  }
  return r;
}

// RECIST 1.1 targets: the largest measurable baseline lesions by longest diameter (lower id on ties).
std::vector<const Lesion*> target_lesions(const TumorMeasurement& baseline, const AnalysisConfig& config) {
  std::vector<const Lesion*> targets;
  for (const Lesion& lesion : baseline.lesions)
    if (lesion.measurable) targets.push_back(&lesion);
  std::stable_sort(targets.begin(), targets.end(), [](const Lesion* a, const Lesion* b) {
    return a->longest_diameter_mm > b->longest_diameter_mm;
  });
  targets.resize(std::min(targets.size(), static_cast<std::size_t>(std::max(config.max_target_lesions, 0))));
  return targets;
}

// Sum of the targets' longest diameters, each followed by track; a target absent at this timepoint counts 0.
double target_sld_mm(const TumorMeasurement& tumor, const std::vector<int>& target_tracks) {
  double sld = 0;
  for (const int track : target_tracks)
    for (const Lesion& lesion : tumor.lesions)
      if (lesion.track == track) sld += lesion.longest_diameter_mm;
  return sld;
}

}  // namespace

std::vector<FollowUpResponse> assess_response(const std::vector<TimepointMeasurement>& timepoints,
                                              const AnalysisConfig& config) {
  std::vector<FollowUpResponse> responses;
  if (timepoints.empty()) return responses;
  const TimepointMeasurement& baseline = timepoints[0];

  std::vector<int> target_tracks;
  if (baseline.tumor)
    for (const Lesion* lesion : target_lesions(*baseline.tumor, config)) {
      ONCOTRACK_ASSERT(lesion->track != 0, "assess_response needs lesions matched by match_lesions");
      target_tracks.push_back(lesion->track);
    }
  Series volume_ml(timepoints.size()), sld_mm(timepoints.size());
  for (std::size_t t = 0; t < timepoints.size(); ++t) {
    if (!timepoints[t].tumor) continue;
    volume_ml[t] = timepoints[t].tumor->total_volume_ml;
    if (!target_tracks.empty()) sld_mm[t] = target_sld_mm(*timepoints[t].tumor, target_tracks);
  }

  std::string recist_problem, volume_problem;
  if (!baseline.tumor) {
    recist_problem = volume_problem = "no tumour measurement at baseline " + baseline.id + " (no mask)";
  } else {
    if (target_tracks.empty())
      recist_problem = "no measurable lesion at baseline " + baseline.id +
                       " (longest diameter >= " + fixed(config.measurable_min_diameter_mm, 1, false) + " mm)";
    if (*volume_ml[0] == 0) volume_problem = "total volume is 0 ml at baseline " + baseline.id;
  }

  for (std::size_t f = 1; f < timepoints.size(); ++f) {
    FollowUpResponse response;
    response.timepoint = timepoints[f].id;
    FollowUpInputs in;
    in.index = f;
    if (const TumorMeasurement* tumor = timepoints[f].tumor) {
      in.remaining_lesions = tumor->lesions.size();
      for (const Lesion& lesion : tumor->lesions) {
        in.any_new = in.any_new || lesion.is_new;
        if (lesion.is_new &&
            lesion.longest_diameter_mm >= config.new_lesion_min_diameter_mm - kThresholdEpsilonPct)
          in.unequivocal_new.push_back(&lesion);
      }
    }

    response.vs_baseline.volume_reference = reference_at(volume_ml, 0, timepoints);
    response.vs_baseline.sld_reference = reference_at(sld_mm, 0, timepoints);
    response.vs_nadir.volume_reference = nadir_before(volume_ml, f, timepoints);
    response.vs_nadir.sld_reference = nadir_before(sld_mm, f, timepoints);
    for (Change* change : {&response.vs_baseline, &response.vs_nadir}) {
      change->volume_change_pct = change_vs(volume_ml[f], change->volume_reference);
      change->sld_change_pct = change_vs(sld_mm[f], change->sld_reference);
    }

    in.baseline_problem = recist_problem;
    CriterionResult recist = evaluate(kRecist, sld_mm, in, timepoints, config);
    recist.target_tracks = target_tracks;
    response.criteria.push_back(std::move(recist));
    in.baseline_problem = volume_problem;
    response.criteria.push_back(evaluate(kVolumetric, volume_ml, in, timepoints, config));
    response.criteria.push_back(evaluate(kRano, volume_ml, in, timepoints, config));
    responses.push_back(std::move(response));
  }
  return responses;
}

}  // namespace oncotrack::analysis
