// `oncotrack segment INPUT --out DIR [--model FILE]`: tumour probability maps and masks for every timepoint
// of every subject (pipeline/segment_subject.h), with the bundled default model unless --model is given.
// Subjects run one after another, each with all threads inside the network; a failed subject is reported and
// the others complete (exit 2).
#include <spdlog/spdlog.h>

#include <iostream>

#include "commands.h"
#include "oncotrack/io/cohort.h"
#include "oncotrack/pipeline/segment_subject.h"
#include "oncotrack/registration/register.h"

namespace oncotrack::cli {

namespace {

struct SegmentOptions {
  std::string input, out_dir, model;
};

int run_segment(const SegmentOptions& o, const GlobalOptions& g) {
  const io::Cohort cohort = io::load_cohort(o.input);
  if (!cohort.problems.empty()) {
    for (const auto& p : cohort.problems) spdlog::error("{}", p.describe());
    return kExitUsage;
  }
  const std::string model_path = o.model.empty() ? default_model_path() : o.model;
  const pipeline::LoadedModel model = pipeline::load_model(model_path);
  spdlog::info("model {} ({}), {} subject(s)", model.name, model.sha256.substr(0, 12),
               cohort.subjects.size());
  const int threads = g.resolved_threads();
  registration::set_itk_threads(static_cast<unsigned>(threads));
  nn::ThreadPool pool(threads);
  int failed = 0;
  std::cout << "subject\tstatus\toutput\n";
  for (const io::SubjectEntry& s : cohort.subjects) {
    try {
      const io::LoadedSubject loaded = io::load_subject_or_throw(s);
      std::size_t baseline = 0;
      while (baseline + 1 < loaded.timepoints.size() && loaded.timepoints[baseline].entry->role != "baseline")
        ++baseline;
      pipeline::segment_subject(loaded, baseline, model, o.out_dir, pool);
      std::cout << s.id << "\tok\t" << pipeline::segmentation_report_path(o.out_dir, s.id).string() << "\n";
    } catch (const std::exception& e) {
      ++failed;
      spdlog::error("sub-{} failed: {}", s.id, e.what());
      std::cout << s.id << "\tfailed\t\n";
    }
  }
  return failed > 0 ? kExitSomeFailed : kExitOk;
}

}  // namespace

void setup_segment(CLI::App& app, const GlobalOptions& global, Action& action) {
  auto o = std::make_shared<SegmentOptions>();
  CLI::App* cmd = app.add_subcommand(
      "segment", "Tumour probability maps and masks for every timepoint (the bundled model unless --model)");
  cmd->add_option("input", o->input, "Manifest (.csv, .tsv, .json) or BIDS root")->required();
  cmd->add_option("-o,--out", o->out_dir, "Output folder")->required();
  cmd->add_option("--model", o->model, "Weights file (default: the bundled model)")->check(CLI::ExistingFile);
  cmd->callback([&action, &global, o] { action = [&global, o] { return run_segment(*o, global); }; });
}

}  // namespace oncotrack::cli
