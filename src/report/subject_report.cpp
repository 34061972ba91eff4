#include <sys/resource.h>

#include <chrono>
#include <ctime>

#include "json_values.h"
#include "oncotrack/report/report.h"
#include "oncotrack/version.h"

namespace oncotrack::report {

using nlohmann::json;

namespace {

json vec3(const Vec3& v, int decimals) {
  return {rounded(v[0], decimals), rounded(v[1], decimals), rounded(v[2], decimals)};
}

json geometry_json(const Geometry& g) {
  json dir = json::array();
  for (const auto& row : g.direction) dir.push_back(vec3(row, 8));
  return {{"size", {g.size[0], g.size[1], g.size[2]}},
          {"spacing_mm", vec3(g.spacing_mm, 6)},
          {"origin_mm_lps", vec3(g.origin_mm_lps, 6)},
          {"direction", dir}};
}

json file_json(const io::LoadedFile& f) {
  json j = geometry_json(f.info.geometry);
  j["path"] = f.info.path;
  j["sha256"] = f.sha256.empty() ? json(nullptr) : json(f.sha256);
  j["format"] = f.info.format;
  j["component_type"] = f.info.component_type;
  j["file_bytes"] = f.info.file_bytes;
  return j;
}

json lesion_json(const analysis::Lesion& l) {
  return {{"id", l.id},
          {"track", l.track},
          {"status", l.is_new ? "new" : "tracked"},
          {"voxel_count", l.voxel_count},
          {"volume_ml", rounded(l.volume_ml, kMlDecimals)},
          {"longest_diameter_mm", rounded(l.longest_diameter_mm, kMmDecimals)},
          {"perpendicular_diameter_mm", rounded(l.perpendicular_diameter_mm, kMmDecimals)},
          {"max_3d_diameter_mm", rounded(l.max_3d_diameter_mm, kMmDecimals)},
          {"longest_diameter_slice", l.longest_diameter_slice},
          {"centroid_mm_lps", vec3(l.centroid_mm_lps, kMmDecimals)},
          {"measurable", l.measurable},
          {"touches_border", l.touches_border}};
}

json tumor_json(const analysis::TumorMeasurement& t, const std::vector<analysis::DisappearedLesion>& gone,
                const std::string& source) {
  json lesions = json::array();
  json warnings = json::array();
  for (const auto& l : t.lesions) {
    lesions.push_back(lesion_json(l));
    if (l.touches_border)
      warnings.push_back("lesion " + std::to_string(l.id) +
                         " touches the image border: it may extend beyond the scan and be under-measured");
  }
  json disappeared = json::array();
  for (const auto& d : gone)
    disappeared.push_back(
        {{"track", d.track},
         {"last_seen_timepoint", d.last_seen_timepoint},
         {"status", d.merged_into_track ? "merged" : "gone"},
         {"merged_into_track", d.merged_into_track ? json(d.merged_into_track) : json(nullptr)}});
  return {{"source", source.empty() ? "mask" : source},
          {"mask_voxel_count", t.mask_voxel_count},
          {"mask_volume_ml", rounded(t.mask_volume_ml, kMlDecimals)},
          {"total_volume_ml", rounded(t.total_volume_ml, kMlDecimals)},
          {"sum_longest_diameter_mm", rounded(t.sum_longest_diameter_mm, kMmDecimals)},
          {"lesion_count", t.lesions.size()},
          {"axial_axis", t.axial_axis},
          {"lesions", lesions},
          {"disappeared_lesions", disappeared},
          {"warnings", warnings}};
}

json reference_json(const std::optional<analysis::Reference>& r, int decimals) {
  if (!r) return nullptr;
  return {{"timepoint", r->timepoint}, {"value", rounded(r->value, decimals)}};
}

std::string zero_reason(const std::optional<analysis::Reference>& r, const std::string& what) {
  return r ? what + " at " + r->timepoint + " is 0: a relative change is undefined"
           : what + " is not available (no measurement)";
}

json change_json(const analysis::Change& c) {
  json j = json::object();
  set_or_null(j, "volume_change_pct", c.volume_change_pct, kPctDecimals,
              zero_reason(c.volume_reference, "reference total volume"));
  set_or_null(j, "sld_change_pct", c.sld_change_pct, kPctDecimals,
              zero_reason(c.sld_reference, "reference sum of target diameters"));
  j["volume_reference"] = reference_json(c.volume_reference, kMlDecimals);
  j["sld_reference"] = reference_json(c.sld_reference, kMmDecimals);
  return j;
}

json criterion_json(const analysis::CriterionResult& c) {
  const bool mm = c.measure == "sum_longest_diameter_mm";
  const int decimals = mm ? kMmDecimals : kMlDecimals;
  json j = {{"category", c.category}, {"rule", c.rule}, {"measure", c.measure}};
  const std::string missing = c.category == "NE" ? "not evaluable: " + c.rule : "not applicable";
  set_or_null(j, "value", c.value, decimals, missing);
  j["baseline"] = reference_json(c.baseline, decimals);
  j["nadir"] = reference_json(c.nadir, decimals);
  set_or_null(j, "change_vs_baseline_pct", c.change_vs_baseline_pct, kPctDecimals,
              zero_reason(c.baseline, "baseline value"));
  set_or_null(j, "change_vs_nadir_pct", c.change_vs_nadir_pct, kPctDecimals,
              zero_reason(c.nadir, "nadir value"));
  set_or_null(j, "change_vs_nadir_abs", c.change_vs_nadir_abs, decimals, "no nadir value");
  j["thresholds"] = {{"pr_pct", c.pr_threshold_pct}, {"pd_pct", c.pd_threshold_pct}};
  if (c.pd_min_increase_mm) j["thresholds"]["pd_min_increase_mm"] = *c.pd_min_increase_mm;
  if (c.criterion == "recist_1_1") j["target_lesion_tracks"] = c.target_tracks;
  j["new_lesion_ids"] = c.new_lesion_ids;
  return j;
}

const char* criterion_name(const std::string& key) {
  if (key == "recist_1_1")
    return "RECIST 1.1 (Eisenhauer et al. 2009), imaging-only, target-lesion diameters";
  if (key == "volumetric") return "Volumetric (PR <= -65 % vs baseline, PD >= +73 % vs nadir), imaging-only";
  return "RANO 2.0 volumetric (Wen et al. 2023; PR <= -65 %, PD >= +40 % vs nadir), imaging-only";
}

}  // namespace

std::string utc_now_iso() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

namespace {
json provenance_json(const Provenance& p, const json& inputs) {
  json stages = json::array();
  for (const auto& s : p.stages)
    stages.push_back(
        {{"stage", s.stage}, {"wall_s", rounded(s.wall_s, 4)}, {"peak_rss_mb", rounded(s.peak_rss_mb, 1)}});
  return {{"tool", "oncotrack"},
          {"version", kVersion},
          {"git_commit", kGitCommit},
          {"command_line", p.command_line},
          {"config", p.config},
          {"threads", p.threads},
          {"started_at", p.started_at},
          {"finished_at", p.finished_at},
          {"stages", stages},
          {"inputs", inputs},
          {"model", p.model},
          {"fingerprint", p.fingerprint.empty() ? json(nullptr) : json(p.fingerprint)}};
}
// holder["prediction"]: the follow-up's prediction object, or null with holder["reasons"]["prediction"].
void add_prediction_json(json& holder, const SubjectAnalysis& a, const std::string& timepoint) {
  const auto p = a.predictions.find(timepoint);
  if (p != a.predictions.end() && !p->second.contains("reason")) {
    holder["prediction"] = p->second;
    return;
  }
  holder["prediction"] = nullptr;
  holder["reasons"]["prediction"] =
      p != a.predictions.end() ? p->second.at("reason").get<std::string>() : a.no_model_reason;
}

// The "segmentation" object of timepoint t, or null with tp["reasons"]["segmentation"].
void add_segmentation_json(json& tp, const SubjectAnalysis& a, std::size_t t) {
  tp["segmentation"] = t < a.segmentation.size() ? a.segmentation[t] : json(nullptr);
  if (tp["segmentation"].is_null()) tp["reasons"]["segmentation"] = a.no_model_reason;
}

}  // namespace

json subject_report(const SubjectAnalysis& a, const Provenance& provenance) {
  const io::LoadedSubject& s = *a.loaded;
  json inputs = json::array();
  json timepoints = json::array();
  for (std::size_t t = 0; t < s.timepoints.size(); ++t) {
    const io::LoadedTimepoint& lt = s.timepoints[t];
    const io::TimepointEntry& e = *lt.entry;
    json tp = {{"id", e.id}, {"role", e.role}, {"date", e.date.empty() ? json(nullptr) : json(e.date)}};
    if (e.day)
      tp["day"] = *e.day;
    else {
      tp["day"] = nullptr;
      tp["reasons"]["day"] = "no day or acquisition date was given for this timepoint";
    }
    json images = json::array();
    for (std::size_t i = 0; i < e.images.size(); ++i) {
      json img = file_json(lt.images[i]);
      img["sequence"] = e.images[i].sequence;
      if (!e.images[i].extra.empty()) img["extra"] = e.images[i].extra;
      inputs.push_back({{"path", img["path"]}, {"sha256", img["sha256"]}});
      images.push_back(std::move(img));
    }
    tp["inputs"] = images;
    if (lt.mask_file) {
      const io::ImageEntry* row = e.mask_image();
      json mask = file_json(*lt.mask_file);
      mask["labels"] = row->mask_labels.empty() ? json("any non-zero") : json(row->mask_labels);
      mask["grid"] = row->mask_on_own_grid ? "own" : "image";
      mask["image_sequence"] = row->sequence;
      inputs.push_back({{"path", mask["path"]}, {"sha256", mask["sha256"]}});
      tp["mask"] = mask;
    } else {
      tp["mask"] = nullptr;
    }
    tp["warnings"] = lt.warnings;
    add_registration_json(tp, t < a.registrations.size() ? a.registrations[t] : std::nullopt,
                          t < a.not_registered.size() ? a.not_registered[t] : "registration was not run",
                          t < a.preprocessing.size() ? a.preprocessing[t] : json(nullptr));
    if (t < a.matching_space.size() && !a.matching_space[t].empty()) {
      tp["lesion_matching_space"] = a.matching_space[t];
      if (!a.matching_reason[t].empty()) tp["reasons"]["lesion_matching_space"] = a.matching_reason[t];
    } else {
      tp["lesion_matching_space"] = nullptr;
      tp["reasons"]["lesion_matching_space"] = "no tumour measured at this timepoint";
    }
    if (a.tumors[t]) {
      tp["tumor"] =
          tumor_json(*a.tumors[t], a.disappeared[t], t < a.tumor_source.size() ? a.tumor_source[t] : "");
    } else {
      tp["tumor"] = nullptr;
      tp["reasons"]["tumor"] = "no tumour mask was given for this timepoint";
    }
    add_segmentation_json(tp, a, t);
    tp["qc"] = t < a.qc.size() ? a.qc[t] : json(nullptr);
    if (tp["qc"].is_null()) tp["reasons"]["qc"] = "no QC pictures were made";
    tp["mrf"] = t < a.mrf.size() ? a.mrf[t] : json(nullptr);
    if (tp["mrf"].is_null()) tp["reasons"]["mrf"] = "no CEST-MRF series at this timepoint";
    timepoints.push_back(std::move(tp));
  }
  json responses = json::array();
  for (const auto& r : a.responses) {
    json criteria = json::object();
    for (const auto& c : r.criteria) {
      criteria[c.criterion] = criterion_json(c);
      criteria[c.criterion]["criterion"] = criterion_name(c.criterion);
    }
    json response = {{"timepoint", r.timepoint},
                     {"vs_baseline", change_json(r.vs_baseline)},
                     {"vs_nadir", change_json(r.vs_nadir)},
                     {"criteria", criteria}};
    add_prediction_json(response, a, r.timepoint);
    responses.push_back(std::move(response));
  }
  return {{"schema_version", kSchemaVersion},
          {"subject", s.entry->id},
          {"status", "ok"},
          {"provenance", provenance_json(provenance, inputs)},
          {"timepoints", timepoints},
          {"response", responses}};
}

json registration_report(const SubjectAnalysis& a, const Provenance& provenance) {
  const io::LoadedSubject& s = *a.loaded;
  json timepoints = json::array();
  for (std::size_t t = 0; t < s.timepoints.size(); ++t) {
    json tp = {{"id", s.timepoints[t].entry->id}, {"role", s.timepoints[t].entry->role}};
    add_registration_json(tp, t < a.registrations.size() ? a.registrations[t] : std::nullopt,
                          t < a.not_registered.size() ? a.not_registered[t] : "registration was not run",
                          t < a.preprocessing.size() ? a.preprocessing[t] : json(nullptr));
    timepoints.push_back(std::move(tp));
  }
  return {{"schema_version", kSchemaVersion},
          {"subject", s.entry->id},
          {"status", "ok"},
          {"provenance", provenance_json(provenance, json::array())},
          {"timepoints", timepoints}};
}

json prediction_report(const SubjectAnalysis& a, const Provenance& provenance) {
  const io::LoadedSubject& s = *a.loaded;
  json timepoints = json::array(), predictions = json::array();
  std::size_t base = 0;
  while (base < s.timepoints.size() && s.timepoints[base].entry->role != "baseline") ++base;
  for (std::size_t t = 0; t < s.timepoints.size(); ++t) {
    const std::string& id = s.timepoints[t].entry->id;
    json tp = {{"id", id}, {"role", s.timepoints[t].entry->role}};
    add_segmentation_json(tp, a, t);
    add_registration_json(tp, t < a.registrations.size() ? a.registrations[t] : std::nullopt,
                          t < a.not_registered.size() ? a.not_registered[t] : "registration was not run",
                          t < a.preprocessing.size() ? a.preprocessing[t] : json(nullptr));
    timepoints.push_back(std::move(tp));
    if (t <= base) continue;
    json p = {{"timepoint", id}};
    add_prediction_json(p, a, id);
    predictions.push_back(std::move(p));
  }
  return {{"schema_version", kSchemaVersion},
          {"subject", s.entry->id},
          {"status", "ok"},
          {"provenance", provenance_json(provenance, json::array())},
          {"timepoints", timepoints},
          {"prediction", predictions}};
}

json error_report(const std::string& subject, const Failure& f, const Provenance& provenance) {
  json problems = json::array();
  for (const auto& p : f.problems)
    problems.push_back({{"timepoint", p.timepoint},
                        {"file", p.file},
                        {"problem", p.problem},
                        {"expected", p.expected},
                        {"found", p.found},
                        {"message", p.describe()}});
  return {{"schema_version", kSchemaVersion},
          {"subject", subject},
          {"status", "failed"},
          {"stage", f.stage},
          {"message", f.message},
          {"file", f.file.empty() ? json(nullptr) : json(f.file)},
          {"hint", f.hint.empty() ? json(nullptr) : json(f.hint)},
          {"problems", problems},
          {"provenance", provenance_json(provenance, json::array())}};
}

json dataset_description() {
  return {{"Name", "oncotrack derivatives"},
          {"BIDSVersion", "1.8.0"},
          {"DatasetType", "derivative"},
          {"GeneratedBy",
           {{{"Name", "oncotrack"},
             {"Version", kVersion},
             {"Description", "git commit " + std::string(kGitCommit)}}}}};
}

}  // namespace oncotrack::report
