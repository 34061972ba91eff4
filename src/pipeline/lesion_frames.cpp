#include "lesion_frames.h"

#include "oncotrack/registration/transform.h"

namespace oncotrack::pipeline {

namespace {

// The measurement seen in the reference grid through t (reference point -> timepoint point).
analysis::TumorMeasurement in_reference(const analysis::TumorMeasurement& m, const Geometry& reference,
                                        const registration::Transform& t) {
  Labels ids(m.geometry, 0);
  for (const auto& l : m.lesions)
    for (const auto& r : l.runs)
      for (std::size_t i = r.i_begin; i < r.i_end; ++i) ids.at(i, r.j, r.k) = l.id;
  const Labels moved = registration::resample_labels(ids, reference, t);
  analysis::TumorMeasurement out = m;
  out.geometry = reference;
  std::vector<std::vector<analysis::VoxelRun>> runs(m.lesions.size() + 1);
  const auto& s = reference.size;
  for (std::size_t k = 0; k < s[2]; ++k)
    for (std::size_t j = 0; j < s[1]; ++j)
      for (std::size_t i = 0; i < s[0];) {
        const std::int32_t id = moved.at(i, j, k);
        std::size_t e = i + 1;
        while (e < s[0] && moved.at(e, j, k) == id) ++e;
        if (id > 0 && std::size_t(id) < runs.size()) runs[std::size_t(id)].push_back({i, e, j, k});
        i = e;
      }
  for (auto& l : out.lesions) {
    l.runs = std::move(runs[std::size_t(l.id)]);
    l.centroid_mm_lps = t.apply_inverse(l.centroid_mm_lps);
  }
  return out;
}

}  // namespace

void match_in_baseline_frame(report::SubjectAnalysis& a, std::size_t baseline, const Geometry& reference,
                             const std::vector<std::string>& ids, const analysis::AnalysisConfig& config) {
  const std::size_t n = a.tumors.size();
  a.matching_space.assign(n, "");
  a.matching_reason.assign(n, "");
  std::vector<std::optional<analysis::TumorMeasurement>> stand_in(n);
  std::vector<analysis::TumorMeasurement*> tracked;
  std::vector<std::string> tracked_ids;
  for (std::size_t t = baseline; t < n; ++t) {
    tracked_ids.push_back(ids[t]);
    if (!a.tumors[t]) {
      tracked.push_back(nullptr);
      continue;
    }
    const auto& reg = t < a.registrations.size() ? a.registrations[t] : std::nullopt;
    if (t == baseline) {
      stand_in[t] = in_reference(*a.tumors[t], reference, registration::Transform());
      a.matching_space[t] = "baseline";
    } else if (reg && reg->usable()) {
      stand_in[t] = in_reference(*a.tumors[t], reference, reg->result->transform);
      a.matching_space[t] = "baseline";
    } else {
      stand_in[t] = *a.tumors[t];
      a.matching_space[t] = "scanner";
      a.matching_reason[t] = !reg           ? a.not_registered[t]
                             : !reg->result ? "registration failed: " + reg->failure
                                            : "registration suspect: " + reg->result->suspect_reason;
    }
    tracked.push_back(&*stand_in[t]);
  }
  a.disappeared.assign(n, {});
  const auto gone = analysis::match_lesions(tracked, tracked_ids, config);
  for (std::size_t t = baseline; t < n; ++t) {
    a.disappeared[t] = gone[t - baseline];
    if (!a.tumors[t]) continue;
    for (std::size_t l = 0; l < a.tumors[t]->lesions.size(); ++l) {
      a.tumors[t]->lesions[l].track = stand_in[t]->lesions[l].track;
      a.tumors[t]->lesions[l].is_new = stand_in[t]->lesions[l].is_new;
    }
  }
}

}  // namespace oncotrack::pipeline
