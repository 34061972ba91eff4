// `oncotrack validate INPUT`: checks every file, geometry and timepoint order; prints the plan and every
// problem; writes nothing. Exit 1 when anything is wrong.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "commands.h"
#include "oncotrack/io/cohort.h"
#include "oncotrack/io/subject_loader.h"
#include "oncotrack/pipeline/config.h"
#include "oncotrack/pipeline/memory_estimate.h"

namespace oncotrack::cli {

namespace {

struct ValidateOptions {
  std::string input;
  std::string config_file;
  std::string bids_masks;
  std::vector<std::string> participants;
  int jobs = 1;
};

void print_plan(const io::Cohort& cohort) {
  std::cout << "input: " << cohort.input << " (" << cohort.kind << "), " << cohort.subjects.size()
            << " subject(s)\n";
  for (const auto& s : cohort.subjects) {
    std::cout << "sub-" << s.id << "\n";
    std::size_t width = 0;
    for (const auto& tp : s.timepoints) width = std::max(width, tp.id.size());
    for (const auto& tp : s.timepoints) {
      std::ostringstream day;
      if (tp.day)
        day << "day " << *tp.day;
      else
        day << "day ?";
      std::cout << "  " << std::left << std::setw(static_cast<int>(width)) << tp.id << "  " << std::setw(12)
                << tp.role << "  " << std::setw(9) << day.str() << " ";
      for (const auto& img : tp.images) std::cout << ' ' << img.sequence << (img.mask ? "+mask" : "");
      std::cout << "\n";
    }
  }
}

// "memory: 620 MB per subject at most (sub-x), 1090 MB for the batch with --jobs 2" (memory_estimate.h).
void print_memory_estimate(const io::Cohort& cohort, int jobs) {
  const auto estimate = pipeline::estimate_memory(cohort);
  if (estimate.empty()) return;
  const auto largest = std::max_element(estimate.begin(), estimate.end(),
                                        [](const auto& a, const auto& b) { return a.peak_mb < b.peak_mb; });
  std::cout << "memory estimate: " << std::fixed << std::setprecision(0) << largest->peak_mb
            << " MB per subject at most (sub-" << largest->subject << "), "
            << pipeline::batch_peak_mb(estimate, jobs) << " MB for the batch with --jobs " << jobs
            << (std::any_of(cohort.subjects.begin(), cohort.subjects.end(),
                            [](const io::SubjectEntry& s) {
                              return std::any_of(
                                  s.timepoints.begin(), s.timepoints.end(),
                                  [](const io::TimepointEntry& t) { return t.mrf.has_value(); });
                            })
                    ? " (CEST-MRF series not counted)"
                    : "")
            << "\n";
  std::cout.unsetf(std::ios::fixed);
  std::cout << std::setprecision(6);
}

int run_validate(const ValidateOptions& o) {
  io::CohortOptions co;
  co.bids_masks = o.bids_masks;
  co.participant_labels = o.participants;
  const io::Cohort cohort = io::load_cohort(o.input, co);
  const pipeline::PipelineConfig config =
      o.config_file.empty() ? pipeline::PipelineConfig{} : pipeline::load_config(o.config_file);
  print_plan(cohort);
  std::vector<io::Problem> problems = cohort.problems;
  std::vector<std::string> warnings;
  io::LoadOptions lo = config.inputs;
  lo.hash_files = false;
  for (const auto& s : cohort.subjects) {
    spdlog::debug("checking sub-{}", s.id);
    problems.insert(problems.end(), s.problems.begin(), s.problems.end());
    const io::LoadedSubject loaded = io::load_subject(s, lo, problems);
    for (const auto& tp : loaded.timepoints)
      for (const auto& w : tp.warnings) warnings.push_back("[sub-" + s.id + " " + tp.entry->id + "] " + w);
  }
  for (const auto& w : warnings) std::cout << "warning: " << w << "\n";
  print_memory_estimate(cohort, o.jobs);
  if (problems.empty()) {
    std::cout << "OK: no problems found\n";
    return kExitOk;
  }
  std::cout << problems.size() << " problem(s):\n";
  for (const auto& p : problems) {
    std::cout << "  ";
    if (!p.subject.empty())
      std::cout << "[sub-" << p.subject << (p.timepoint.empty() ? "" : " " + p.timepoint) << "] ";
    std::cout << p.describe() << "\n";
  }
  return kExitUsage;
}

}  // namespace

void setup_validate(CLI::App& app, const GlobalOptions& /*global*/, Action& action) {
  auto opts = std::make_shared<ValidateOptions>();
  CLI::App* cmd =
      app.add_subcommand("validate", "Check a cohort's inputs and print the plan and every problem");
  cmd->add_option("input", opts->input, "Manifest (.csv, .tsv, .json) or BIDS root")->required();
  cmd->add_option("--config", opts->config_file, "JSON config overriding defaults")->check(CLI::ExistingFile);
  cmd->add_option("--masks", opts->bids_masks, "BIDS derivatives folder with *_desc-tumor_mask.nii.gz")
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--participant-label", opts->participants, "Only these subjects (BIDS or manifest)");
  cmd->add_option("--jobs", opts->jobs, "Subjects at once, for the batch's memory estimate")
      ->check(CLI::PositiveNumber);
  cmd->callback([&action, opts] { action = [opts] { return run_validate(*opts); }; });
}

}  // namespace oncotrack::cli
