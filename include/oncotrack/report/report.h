#pragma once
// The per-subject report (sub-<id>_report.json) and the failure record (error.json). The JSON layout is
// specified by data/report.schema.json (schema_version kSchemaVersion); a value that cannot be measured is
// null and its containing object has "reasons": {"<key>": "<why>"} — never a silent 0.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "oncotrack/analysis/lesions.h"
#include "oncotrack/analysis/response.h"
#include "oncotrack/io/cohort.h"
#include "oncotrack/io/subject_loader.h"

namespace oncotrack::report {

inline constexpr const char* kSchemaVersion = "1.0.0";

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
};

struct SubjectAnalysis {
  const io::LoadedSubject* loaded = nullptr;
  std::vector<std::optional<analysis::TumorMeasurement>> tumors;  // parallel to timepoints
  std::vector<std::vector<analysis::DisappearedLesion>> disappeared;
  std::vector<analysis::FollowUpResponse> responses;
};

struct Failure {
  std::string stage;    // "input" (bad or unreadable inputs), "measure", "internal" (a bug)
  std::string message;  // first problem, readable on its own
  std::string file;
  std::string hint;
  std::vector<io::Problem> problems;  // every problem found
};

nlohmann::json subject_report(const SubjectAnalysis& analysis, const Provenance& provenance);
nlohmann::json error_report(const std::string& subject, const Failure& failure, const Provenance& provenance);
nlohmann::json dataset_description();  // BIDS-derivatives dataset_description.json

std::string utc_now_iso();
double peak_rss_mb();  // getrusage(RUSAGE_SELF).ru_maxrss

}  // namespace oncotrack::report
