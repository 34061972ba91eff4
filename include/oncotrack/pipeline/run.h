#pragma once
// `oncotrack run`: every subject of a cohort through load → measure → register → match lesions (in the
// baseline frame) → response → report, subjects in parallel. A subject that fails writes
// OUT/sub-<id>/error.json (and loses any stale report); the others complete. Outputs are written atomically.
// The library never prints: progress goes through the callback, which may be called from worker threads
// (calls are serialised).
#include <atomic>
#include <filesystem>
#include <functional>
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
};

struct ProgressEvent {
  std::string subject;
  std::string what;  // "started", "finished", "failed"
  std::string detail;
  std::size_t done = 0, total = 0;
};

struct RunOptions {
  std::filesystem::path out_dir;
  // false: the whole pipeline (sub-<id>_report.json); true: load and register only (`oncotrack register`,
  // sub-<id>_registration.json plus the transform files).
  bool register_only = false;
  PipelineConfig config;
  int threads = 1;
  bool force = false;        // overwrite existing results
  std::string command_line;  // for provenance
  std::function<void(const ProgressEvent&)> progress;
  // Set (e.g. from a signal handler) to stop taking new subjects; subjects already running finish and write
  // their outputs whole. nullptr: never cancelled.
  const std::atomic<bool>* cancel = nullptr;
};

// Throws Error (nothing run) when the cohort has input-level problems or when results exist and !force.
std::vector<SubjectOutcome> run_cohort(const io::Cohort& cohort, const RunOptions& options);

// Report and error paths of a subject.
std::filesystem::path report_path(const std::filesystem::path& out_dir, const std::string& subject);
std::filesystem::path registration_report_path(const std::filesystem::path& out_dir,
                                               const std::string& subject);
std::filesystem::path error_path(const std::filesystem::path& out_dir, const std::string& subject);

}  // namespace oncotrack::pipeline
