#pragma once
// `oncotrack run`: every subject of a cohort through load → segment (with a model) → measure → register →
// predict (with a model) → CEST-MRF maps (timepoints with an mrf series) → match lesions (in the baseline
// frame) → response → report, subjects in parallel. A
// subject that fails writes OUT/sub-<id>/error.json (and loses any stale report); the others complete. A
// rerun into the same OUT resumes: it recomputes only subjects without an up-to-date result. Outputs are
// written atomically. The library never prints: progress goes through the callback, which may be called from
// worker threads (calls are serialised).
#include <atomic>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "oncotrack/io/cohort.h"
#include "oncotrack/pipeline/config.h"

namespace oncotrack::pipeline {

struct SubjectOutcome {
  std::string subject;
  bool ok = false;
  bool interrupted = false;      // not started because the run was cancelled; nothing written for it
  std::string message;           // failure summary
  std::filesystem::path output;  // report or error.json
  bool up_to_date = false;       // an earlier run's result, kept (resume.h)
};

struct ProgressEvent {
  std::string subject;
  // "started", "stage started", "stage finished", "finished", "failed", "up to date"
  std::string what;
  std::string detail;
  std::size_t done = 0, total = 0;
  std::string stage;                    // "stage ..." events: load, segment, measure, ...
  double seconds = 0, peak_rss_mb = 0;  // "stage finished": its wall time, the process's peak RSS
};

struct LoadedModel;
struct MrfReconstruction;

struct RunOptions {
  std::filesystem::path out_dir;
  // kAll: the whole pipeline (sub-<id>_report.json). kRegistration: load and register only (`oncotrack
  // register`, sub-<id>_registration.json plus the transform files). kPrediction: load, segment, register and
  // predict (`oncotrack predict`, sub-<id>_prediction.json: {"schema_version", "subject", "status",
  // "provenance", "timepoints": [{"id", "segmentation", "registration"}], "prediction": [{"timepoint",
  // "prediction", "reasons"}]}, plus the masks and transform files); needs a model.
  enum class Stage { kAll, kRegistration, kPrediction };
  Stage stage = Stage::kAll;
  PipelineConfig config;
  // The network model (loaded once by the caller, shared read-only by all subjects): tumour segmentation at
  // every timepoint and response prediction per follow-up (model_stage.h). nullptr: the manifest's masks
  // only.
  const LoadedModel* model = nullptr;
  // How CEST-MRF series are reconstructed (loaded once by the caller; mrf_stage.h). nullptr: their reports
  // say that none was given.
  const MrfReconstruction* mrf = nullptr;
  // Which masks are measured when there is a model: "auto" (the manifest's where given, else the model's),
  // "mask" (the manifest's only), "model" (the model's; the manifest's become the reference).
  std::string tumor_source = "auto";
  // jobs > 0: that many subjects at once, each with `threads` threads. jobs == 0: min(threads, subjects) at
  // once, sharing `threads` (threads / subjects-at-once each).
  int jobs = 0;
  int threads = 1;
  bool force = false;  // recompute every subject; else only those without an up-to-date result (resume.h)
  // Stage::kAll: also OUT/sub-<id>/sub-<id>_report.html (report/html.h), written after the report; an
  // up-to-date subject without one gets it from its report.
  bool html = true;
  // OUT/dataset_description.json; one shard of a cohort writes it, the others leave it (no two jobs write one
  // file).
  bool write_dataset_description = true;
  std::string command_line;  // for provenance
  std::function<void(const ProgressEvent&)> progress;
  // Set (e.g. from a signal handler) to stop taking new subjects; subjects already running finish and write
  // their outputs whole. nullptr: never cancelled.
  const std::atomic<bool>* cancel = nullptr;
};

// Throws Error (nothing run) when the cohort has input-level problems. Subjects whose result in OUT is up to
// date (resume.h) are kept unless force.
std::vector<SubjectOutcome> run_cohort(const io::Cohort& cohort, const RunOptions& options);

// Report and error paths of a subject.
std::filesystem::path report_path(const std::filesystem::path& out_dir, const std::string& subject);
std::filesystem::path registration_report_path(const std::filesystem::path& out_dir,
                                               const std::string& subject);
std::filesystem::path prediction_report_path(const std::filesystem::path& out_dir,
                                             const std::string& subject);
std::filesystem::path error_path(const std::filesystem::path& out_dir, const std::string& subject);

// Writes a subject's HTML page (report::subject_html_path) from its report, atomically.
void write_subject_page(const std::filesystem::path& out_dir, const std::string& subject,
                        const nlohmann::json& report);

}  // namespace oncotrack::pipeline
