#include "oncotrack/pipeline/run.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "lesion_frames.h"
#include "model_stage.h"
#include "mrf_stage.h"
#include "oncotrack/analysis/lesions.h"
#include "oncotrack/analysis/response.h"
#include "oncotrack/core/atomic_file.h"
#include "oncotrack/core/error.h"
#include "oncotrack/core/json_file.h"
#include "oncotrack/pipeline/register_subject.h"
#include "oncotrack/pipeline/resume.h"
#include "oncotrack/report/html.h"
#include "oncotrack/report/report.h"
#include "qc_stage.h"

namespace oncotrack::pipeline {

namespace fs = std::filesystem;

namespace {

// Times the stages into the provenance and reports each start and end as a progress event; `running` names
// the stage under way (the failure record's stage).
class StageClock {
 public:
  StageClock(report::Provenance& p, const std::string& subject,
             const std::function<void(ProgressEvent)>& notify)
      : p_(p), subject_(subject), notify_(notify) {}
  void begin(const char* stage) {
    start_ = std::chrono::steady_clock::now();
    running_ = stage;
    notify_({subject_, "stage started", "", 0, 0, running_, 0, 0});
  }
  void end() {
    p_.stages.push_back({running_,
                         std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(),
                         report::peak_rss_mb()});
    notify_({subject_, "stage finished", "", 0, 0, running_, p_.stages.back().wall_s,
             p_.stages.back().peak_rss_mb});
  }
  const std::string& running() const { return running_; }

 private:
  report::Provenance& p_;
  const std::string& subject_;
  const std::function<void(ProgressEvent)>& notify_;
  std::chrono::steady_clock::time_point start_;
  std::string running_ = "load";
};

report::Failure input_failure(const std::vector<io::Problem>& problems) {
  report::Failure f;
  f.stage = "input";
  f.problems = problems;
  f.message =
      problems.front().describe() +
      (problems.size() > 1 ? " (and " + std::to_string(problems.size() - 1) + " more problem(s))" : "");
  f.file = problems.front().file;
  f.hint = "run `oncotrack validate` on the same input to list every problem";
  return f;
}

fs::path result_path(const RunOptions& options, const std::string& subject) {
  switch (options.stage) {
    case RunOptions::Stage::kRegistration:
      return registration_report_path(options.out_dir, subject);
    case RunOptions::Stage::kPrediction:
      return prediction_report_path(options.out_dir, subject);
    case RunOptions::Stage::kAll:
      break;
  }
  return report_path(options.out_dir, subject);
}

// Runs one subject; returns its outcome. Never throws for bad input; internal errors become failures too, so
// one subject can never take the batch down.
SubjectOutcome run_subject(const io::SubjectEntry& subject, const RunOptions& options, int nn_threads,
                           const std::string& fingerprint, const std::function<void(ProgressEvent)>& notify) {
  report::Provenance prov;
  prov.fingerprint = fingerprint;
  prov.command_line = options.command_line;
  prov.config = config_to_json(options.config);
  prov.threads = options.threads;
  prov.started_at = report::utc_now_iso();
  if (options.model)
    prov.model = {{"name", options.model->name},
                  {"sha256", options.model->sha256},
                  {"path", options.model->path.string()}};
  const fs::path report_file = result_path(options, subject.id);
  const fs::path error_file = error_path(options.out_dir, subject.id);
  auto fail = [&](const report::Failure& f) {
    prov.finished_at = report::utc_now_iso();
    std::error_code ec;
    fs::remove(report_file, ec);
    if (options.stage == RunOptions::Stage::kAll)  // the page of the report just removed
      fs::remove(report::subject_html_path(options.out_dir, subject.id), ec);
    write_json_file(error_file, report::error_report(subject.id, f, prov));
    return SubjectOutcome{subject.id, false, false, f.message, error_file};
  };
  StageClock clock(prov, subject.id, notify);
  try {
    clock.begin("load");
    std::vector<io::Problem> problems = subject.problems;
    io::LoadedSubject loaded = io::load_subject(subject, options.config.inputs, problems);
    clock.end();
    if (!problems.empty()) return fail(input_failure(problems));

    // Response is assessed from the baseline on; pre-baseline timepoints are measured but not compared.
    std::size_t base = 0;
    while (base < loaded.timepoints.size() && loaded.timepoints[base].entry->role != "baseline") ++base;
    ONCOTRACK_ASSERT(base < loaded.timepoints.size(), "a validated subject has a baseline");
    report::SubjectAnalysis a;
    a.loaded = &loaded;
    std::optional<nn::ThreadPool> pool;
    ModelSegmentations segmentations;
    const bool use_model = options.model && options.stage != RunOptions::Stage::kRegistration;
    if (use_model) {
      clock.begin("segment");
      pool.emplace(nn_threads);
      segmentations =
          segment_or_fall_back(loaded, base, *options.model, options.tumor_source, options.out_dir, *pool, a);
      clock.end();
    }
    clock.begin("measure");
    std::vector<std::string> ids;
    for (const auto& tp : loaded.timepoints) {
      ids.push_back(tp.entry->id);
      if (tp.mask)
        a.tumors.push_back(analysis::measure_tumor(*tp.mask, options.config.analysis));
      else
        a.tumors.emplace_back();
    }
    clock.end();
    clock.begin("preprocess+register");
    SubjectRegistrations regs = register_subject(loaded, base, options.config, report_file.parent_path());
    a.registrations = std::move(regs.per_timepoint);
    a.not_registered = std::move(regs.not_registered);
    a.preprocessing = std::move(regs.preprocessing);
    clock.end();
    // Builds the result document once everything else is done (it records the finishing time) and writes it.
    auto finish = [&](nlohmann::json (*build)(const report::SubjectAnalysis&, const report::Provenance&)) {
      prov.finished_at = report::utc_now_iso();
      std::error_code ec;
      fs::remove(error_file, ec);
      const nlohmann::json document = build(a, prov);
      write_json_file(report_file, document);
      if (options.html && options.stage == RunOptions::Stage::kAll)
        write_subject_page(options.out_dir, subject.id, document);
      return SubjectOutcome{subject.id, true, false, "", report_file};
    };
    if (options.stage == RunOptions::Stage::kRegistration) return finish(report::registration_report);
    const bool segmented = !segmentations.timepoints.empty();
    if (segmented) {
      clock.begin("predict");
      predict_follow_ups(loaded, base, *options.model, segmentations, *pool, a);
      clock.end();
    }
    if (options.stage == RunOptions::Stage::kPrediction) return finish(report::prediction_report);
    if (std::any_of(loaded.timepoints.begin(), loaded.timepoints.end(),
                    [](const io::LoadedTimepoint& tp) { return tp.entry->mrf.has_value(); })) {
      clock.begin("mrf");
      quantify_mrf_timepoints(loaded, base, options.mrf, regs.reference, report_file.parent_path(),
                              nn_threads, a);
      clock.end();
    }
    clock.begin("qc");
    write_qc_pictures(loaded, base, segmented ? options.model->preprocessing.sequence : "",
                      segmented ? &segmentations : nullptr, report_file.parent_path(), a);
    clock.end();
    clock.begin("response");
    match_in_baseline_frame(a, base, regs.reference, ids, options.config.analysis);
    std::vector<analysis::TimepointMeasurement> series;
    for (std::size_t t = base; t < a.tumors.size(); ++t)
      series.push_back({ids[t], a.tumors[t] ? &*a.tumors[t] : nullptr});
    a.responses = analysis::assess_response(series, options.config.analysis);
    clock.end();

    return finish(report::subject_report);
  } catch (const Error& e) {
    report::Failure f{clock.running(), e.what(), e.file(), e.hint(), {}};
    return fail(f);
  } catch (const fs::filesystem_error& e) {  // an output folder that cannot be created, a full disk
    report::Failure f{
        clock.running(), e.what(), e.path1().string(), "check the output folder and free space", {}};
    return fail(f);
  } catch (const std::exception& e) {
    report::Failure f{
        "internal", e.what(), "", "this is a bug in oncotrack; please report it with the input", {}};
    return fail(f);
  }
}

}  // namespace

void write_subject_page(const fs::path& out_dir, const std::string& subject, const nlohmann::json& report) {
  const fs::path page = report::subject_html_path(out_dir, subject);
  write_text_atomically(page, report::subject_html(report, page.parent_path()));
}

fs::path report_path(const fs::path& out_dir, const std::string& subject) {
  return out_dir / ("sub-" + subject) / ("sub-" + subject + "_report.json");
}

fs::path registration_report_path(const fs::path& out_dir, const std::string& subject) {
  return out_dir / ("sub-" + subject) / ("sub-" + subject + "_registration.json");
}

fs::path prediction_report_path(const fs::path& out_dir, const std::string& subject) {
  return out_dir / ("sub-" + subject) / ("sub-" + subject + "_prediction.json");
}

fs::path error_path(const fs::path& out_dir, const std::string& subject) {
  return out_dir / ("sub-" + subject) / "error.json";
}

std::vector<SubjectOutcome> run_cohort(const io::Cohort& cohort, const RunOptions& options) {
  if (options.stage == RunOptions::Stage::kPrediction && !options.model)
    throw Error("response prediction needs a network model", "", "a model", "none");
  if (!cohort.problems.empty()) {
    Error e(cohort.problems.front().describe(), cohort.input, "", "",
            "run `oncotrack validate " + cohort.input + "` to list every problem");
    throw e;
  }
  fs::create_directories(options.out_dir);
  if (options.write_dataset_description) {
    clear_stale_temporaries(options.out_dir, "dataset_description.json");  // of a killed earlier run
    write_text_atomically(options.out_dir / "dataset_description.json",
                          report::dataset_description().dump(2) + "\n");
  }

  std::vector<SubjectOutcome> outcomes(cohort.subjects.size());
  std::atomic<std::size_t> next{0}, done{0};
  std::mutex progress_mutex;
  const std::function<void(ProgressEvent)> notify = [&](ProgressEvent ev) {
    if (!options.progress) return;
    std::lock_guard<std::mutex> lock(progress_mutex);
    ev.total = cohort.subjects.size();
    if (ev.what.rfind("stage", 0) == 0) ev.done = done.load();
    options.progress(ev);
  };
  const int n = std::max(1, std::min<int>(options.jobs > 0 ? options.jobs : options.threads,
                                          static_cast<int>(cohort.subjects.size())));
  const int nn_threads = options.jobs > 0 ? std::max(1, options.threads) : std::max(1, options.threads / n);
  auto worker = [&] {
    for (std::size_t i = next++; i < cohort.subjects.size(); i = next++) {
      const auto& s = cohort.subjects[i];
      if (options.cancel && options.cancel->load()) {
        outcomes[i] = {s.id, false, true, "interrupted before it started", {}};
        continue;
      }
      const std::string fingerprint = subject_fingerprint(s, options);
      const fs::path result = result_path(options, s.id);
      if (!options.force && up_to_date(result, fingerprint)) {
        outcomes[i] = {s.id, true, false, "", result, true};
        if (options.html && options.stage == RunOptions::Stage::kAll &&
            !fs::exists(report::subject_html_path(options.out_dir, s.id))) {
          try {  // the page of a report made by a run with --no-html
            write_subject_page(options.out_dir, s.id, read_json_file(result, "subject report"));
          } catch (const std::exception& e) {
            outcomes[i] = {s.id, false, false, std::string("could not write its HTML page: ") + e.what(), {}};
          }
        }
        notify({s.id,
                outcomes[i].ok ? "up to date" : "failed",
                outcomes[i].ok ? result.string() : outcomes[i].message,
                ++done,
                0,
                {},
                0,
                0});
        continue;
      }
      notify({s.id, "started", "", done.load(), 0, {}, 0, 0});
      try {
        clear_stale(result, error_path(options.out_dir, s.id));
        std::error_code ec;
        if (options.stage == RunOptions::Stage::kAll)
          fs::remove(report::subject_html_path(options.out_dir, s.id), ec);
        outcomes[i] = run_subject(s, options, nn_threads, fingerprint, notify);
      } catch (const std::exception& e) {  // even error.json could not be written (disk full, permissions)
        outcomes[i] = {s.id, false, false, std::string("could not write results: ") + e.what(), {}};
      }
      const std::size_t d = ++done;
      notify({s.id,
              outcomes[i].ok ? "finished" : "failed",
              outcomes[i].ok ? outcomes[i].output.string() : outcomes[i].message,
              d,
              0,
              {},
              0,
              0});
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < n; ++t) pool.emplace_back(worker);
  worker();
  for (auto& th : pool) th.join();
  return outcomes;
}

}  // namespace oncotrack::pipeline
