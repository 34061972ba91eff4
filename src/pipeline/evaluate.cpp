#include "oncotrack/pipeline/evaluate.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "oncotrack/analysis/overlap_metrics.h"
#include "oncotrack/core/error.h"
#include "oncotrack/io/image_io.h"
#include "oncotrack/io/subject_loader.h"
#include "oncotrack/pipeline/segment_subject.h"

namespace oncotrack::pipeline {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

json optional_number(const std::optional<double>& v) {
  return v ? json(*v) : json(nullptr);
}

double median(std::vector<double> v) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

}  // namespace

json overlap_json(const analysis::OverlapMetrics& m) {
  return {{"dice", m.dice},
          {"hd95_mm", optional_number(m.hd95_mm)},
          {"predicted_ml", m.predicted_ml},
          {"reference_ml", m.reference_ml},
          {"volume_error_ml", m.volume_error_ml},
          {"volume_error_pct", optional_number(m.volume_error_pct)}};
}

json evaluate_masks(const fs::path& predictions, const io::Cohort& reference) {
  if (!reference.problems.empty())
    throw Error(reference.problems.front().describe(), reference.input, "", "",
                "run `oncotrack validate` on the reference manifest");
  json cases = json::array(), changes = json::array(), problems = json::array();
  std::vector<double> dices, hd95s, volume_errors;
  for (const io::SubjectEntry& s : reference.subjects) {
    std::vector<io::Problem> load_problems = s.problems;
    io::LoadOptions lo;
    lo.hash_files = false;
    const io::LoadedSubject loaded = io::load_subject(s, lo, load_problems);
    for (const auto& p : load_problems) problems.push_back(p.describe());
    std::map<std::string, std::pair<double, double>> volumes;  // timepoint -> (predicted, reference) ml
    std::string baseline;
    for (const io::LoadedTimepoint& tp : loaded.timepoints) {
      if (tp.entry->role == "baseline") baseline = tp.entry->id;
      if (!tp.mask) continue;
      const fs::path file = predictions / ("sub-" + s.id) / segmentation_files(s.id, tp.entry->id)[1];
      try {
        if (!fs::exists(file))
          throw Error("no predicted mask", file.string(), "the mask `oncotrack segment` writes", "no file");
        Mask predicted = io::labels_to_mask(io::read_labels(file), {});
        if (!compare_geometry(predicted.geometry, tp.mask->geometry).within(1e-3, 1e-4))
          throw Error("predicted mask is not on the reference mask's grid", file.string(),
                      describe_geometry(tp.mask->geometry), describe_geometry(predicted.geometry));
        predicted.geometry = tp.mask->geometry;
        const analysis::OverlapMetrics m = analysis::compare_masks(predicted, *tp.mask);
        json row{{"subject", s.id}, {"timepoint", tp.entry->id}};
        row.update(overlap_json(m));
        cases.push_back(std::move(row));
        dices.push_back(m.dice);
        if (m.hd95_mm) hd95s.push_back(*m.hd95_mm);
        if (m.volume_error_pct) volume_errors.push_back(std::abs(*m.volume_error_pct));
        volumes[tp.entry->id] = {m.predicted_ml, m.reference_ml};
      } catch (const Error& e) {
        problems.push_back(std::string(e.what()));
      }
    }
    const auto base = volumes.find(baseline);
    if (base == volumes.end()) continue;
    for (const auto& [tp, v] : volumes) {
      if (tp == baseline) continue;
      const double predicted = v.first - base->second.first, ref = v.second - base->second.second;
      changes.push_back({{"subject", s.id},
                         {"timepoint", tp},
                         {"predicted_change_ml", predicted},
                         {"reference_change_ml", ref},
                         {"same_sign", (predicted > 0) == (ref > 0) && (predicted < 0) == (ref < 0)}});
    }
  }
  std::size_t same = 0;
  for (const auto& c : changes) same += c.at("same_sign").get<bool>();
  double mean = 0;
  for (double d : dices) mean += d / static_cast<double>(dices.size());
  const auto number = [](double v) { return std::isnan(v) ? json(nullptr) : json(v); };
  const json summary{{"cases", dices.size()},
                     {"dice_median", number(median(dices))},
                     {"dice_mean", dices.empty() ? json(nullptr) : json(mean)},
                     {"hd95_median_mm", number(median(hd95s))},
                     {"abs_volume_error_median_pct", number(median(volume_errors))},
                     {"changes", changes.size()},
                     {"changes_with_same_sign", same}};
  return {{"cases", cases}, {"changes", changes}, {"summary", summary}, {"problems", problems}};
}

}  // namespace oncotrack::pipeline
