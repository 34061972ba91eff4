#pragma once
// The per-subject report (sub-<id>_report.json) and the failure record (error.json). The JSON layout is
// specified by data/report.schema.json (schema_version kSchemaVersion); a value that cannot be measured is
// null and its containing object has "reasons": {"<key>": "<why>"} — never a silent 0.
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "oncotrack/analysis/lesions.h"
#include "oncotrack/analysis/response.h"
#include "oncotrack/io/cohort.h"
#include "oncotrack/io/subject_loader.h"
#include "oncotrack/registration/register.h"

namespace oncotrack::report {

// 1.1.0: registration, lesion_matching_space; 1.2.0: segmentation, prediction, qc, tumor.source "model",
// provenance.model; 1.3.0: timepoint mrf (CEST-MRF maps and region statistics); 1.4.0: error.json's stage
// names the stage under way (load, segment, measure, preprocess+register, predict, mrf, qc, response);
// 1.5.0: qc mosaic and maps (pictures for the HTML page, report/html.h).
inline constexpr const char* kSchemaVersion = "1.5.0";

struct StageTiming {
  std::string stage;
  double wall_s = 0;
  double peak_rss_mb = 0;  // process peak resident set size when the stage ended
};

struct Provenance {
  std::string command_line;
  nlohmann::json config;  // resolved configuration
  int threads = 1;
  std::string started_at;  // ISO 8601 UTC
  std::string finished_at;
  std::vector<StageTiming> stages;
  nlohmann::json model;     // {"name", "sha256", "path"} of the network model used; null when none
  std::string fingerprint;  // of everything the result depends on (pipeline/resume.h); empty: none
};

// One timepoint registered to the baseline (fixed = baseline, moving = this timepoint).
struct TimepointRegistration {
  std::string reference_timepoint;        // the baseline's id
  std::string fixed_image, moving_image;  // the images registered (paths as given)
  std::string transform_file;             // relative to the report's folder; empty when not written
  std::optional<registration::RegistrationResult> result;  // nullopt: registration failed
  std::string failure;                                     // why, when !result
  bool usable() const { return result && !result->suspect; }
};

struct SubjectAnalysis {
  const io::LoadedSubject* loaded = nullptr;
  // Parallel to timepoints; nullopt with a reason in not_registered for the baseline or when disabled.
  std::vector<std::optional<TimepointRegistration>> registrations;
  std::vector<std::string> not_registered;
  std::vector<nlohmann::json>
      preprocessing;  // parallel to timepoints; null: not preprocessed (see not_registered)
  // Parallel to timepoints: the frame lesions were matched in ("baseline" = through the registration,
  // "scanner" = scanner coordinates) and why not the baseline frame when that is the case.
  std::vector<std::string> matching_space, matching_reason;
  std::vector<std::optional<analysis::TumorMeasurement>> tumors;  // parallel to timepoints
  std::vector<std::vector<analysis::DisappearedLesion>> disappeared;
  std::vector<analysis::FollowUpResponse> responses;
  // Network outputs, prepared by the pipeline (JSON layouts in data/report.schema.json). Parallel to
  // timepoints: the masks measured ("mask": the manifest's, "model": the network's; empty means "mask"), the
  // segmentation object (null: none, with `no_model_reason`) and the QC pictures ({"contours",
  // "checkerboard"}; null: none).
  std::vector<std::string> tumor_source;
  std::vector<nlohmann::json> segmentation;
  std::vector<nlohmann::json> qc;
  std::string no_model_reason = "no network model was run";
  // CEST-MRF results, parallel to timepoints (pipeline/mrf_stage.h; null: no mrf series).
  std::vector<nlohmann::json> mrf;
  // Follow-up id → the prediction object, or → {"reason": why not}.
  std::map<std::string, nlohmann::json> predictions;
};

struct Failure {
  std::string stage;    // "input" (bad or unreadable inputs), "internal" (a bug) or the stage under way
  std::string message;  // first problem, readable on its own
  std::string file;
  std::string hint;
  std::vector<io::Problem> problems;  // every problem found
};

nlohmann::json subject_report(const SubjectAnalysis& analysis, const Provenance& provenance);
// `oncotrack register`'s sub-<id>_registration.json: provenance and each timepoint's registration object.
nlohmann::json registration_report(const SubjectAnalysis& analysis, const Provenance& provenance);
// `oncotrack predict`'s sub-<id>_prediction.json: provenance, each timepoint's segmentation and registration
// objects, and the prediction of each timepoint after the baseline.
nlohmann::json prediction_report(const SubjectAnalysis& analysis, const Provenance& provenance);
// The "preprocessing" and "registration" objects of one timepoint (null with a reason in
// timepoint["reasons"] when absent).
void add_registration_json(nlohmann::json& timepoint, const std::optional<TimepointRegistration>& r,
                           const std::string& reason_when_absent, const nlohmann::json& preprocessing);
nlohmann::json error_report(const std::string& subject, const Failure& failure, const Provenance& provenance);
nlohmann::json dataset_description();  // BIDS-derivatives dataset_description.json

std::string utc_now_iso();
double peak_rss_mb();  // getrusage(RUSAGE_SELF).ru_maxrss

}  // namespace oncotrack::report
