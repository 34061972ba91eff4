// `oncotrack run INPUT --out DIR`: the whole pipeline for every subject; `oncotrack register INPUT --out
// DIR`: the same inputs through loading and registration only.
#include <spdlog/spdlog.h>

#include <atomic>
#include <csignal>
#include <iostream>

#include "commands.h"
#include "oncotrack/io/cohort.h"
#include "oncotrack/pipeline/run.h"
#include "oncotrack/registration/register.h"

namespace oncotrack::cli {

namespace {

std::atomic<bool> g_cancel{false};

// SIGINT/SIGTERM (Ctrl-C, a cluster's wall-time limit): stop taking new subjects, let running ones finish
// their outputs whole; a second signal ends the process at once (the default action is restored).
extern "C" void on_stop_signal(int sig) {
  g_cancel.store(true);
  std::signal(sig, SIG_DFL);
}

struct RunCommandOptions {
  std::string input;
  std::string out_dir;
  std::string config_file;
  std::string bids_masks;
  std::vector<std::string> participants;
  bool register_only = false;
};

int run_run(const RunCommandOptions& o, const GlobalOptions& g) {
  io::CohortOptions co;
  co.bids_masks = o.bids_masks;
  co.participant_labels = o.participants;
  const io::Cohort cohort = io::load_cohort(o.input, co);
  pipeline::RunOptions ro;
  ro.out_dir = o.out_dir;
  ro.register_only = o.register_only;
  if (!o.config_file.empty()) ro.config = pipeline::load_config(o.config_file);
  ro.threads = g.resolved_threads();
  registration::set_itk_threads(static_cast<unsigned>(ro.threads));
  ro.force = g.force;
  ro.command_line = g.command_line;
  ro.cancel = &g_cancel;
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
  ro.progress = [](const pipeline::ProgressEvent& ev) {
    if (ev.what == "failed")
      spdlog::error("[{}/{}] sub-{} failed: {}", ev.done, ev.total, ev.subject, ev.detail);
    else if (ev.what == "finished")
      spdlog::info("[{}/{}] sub-{} done", ev.done, ev.total, ev.subject);
    else
      spdlog::debug("sub-{} started", ev.subject);
  };
  spdlog::info("{} subject(s) from {} ({}), {} thread(s), output {}", cohort.subjects.size(), o.input,
               cohort.kind, ro.threads, o.out_dir);
  const auto outcomes = pipeline::run_cohort(cohort, ro);
  std::size_t failed = 0;
  std::cout << "subject\tstatus\toutput\n";
  for (const auto& r : outcomes) {
    failed += !r.ok;
    std::cout << r.subject << '\t'
              << (r.ok            ? "ok"
                  : r.interrupted ? "interrupted"
                                  : "failed")
              << '\t' << r.output.string() << '\n';
  }
  if (g_cancel.load()) {
    spdlog::warn("interrupted: subjects already running finished; the others were not started");
    return kExitInterrupted;
  }
  spdlog::info("{} of {} subject(s) succeeded; reports in {}", outcomes.size() - failed, outcomes.size(),
               o.out_dir);
  return failed == 0 ? kExitOk : kExitSomeFailed;
}

void add_subcommand(CLI::App& app, const GlobalOptions& global, Action& action, bool register_only) {
  auto opts = std::make_shared<RunCommandOptions>();
  opts->register_only = register_only;
  CLI::App* cmd = register_only
                      ? app.add_subcommand("register",
                                           "Register every follow-up to its baseline (transform files "
                                           "and sub-<id>_registration.json), nothing else")
                      : app.add_subcommand("run", "Run the whole pipeline for every subject of a cohort");
  cmd->add_option("input", opts->input, "Manifest (.csv, .tsv, .json) or BIDS root")->required();
  cmd->add_option("-o,--out", opts->out_dir, "Output folder (BIDS-derivatives layout)")->required();
  cmd->add_option("--config", opts->config_file, "JSON config overriding defaults")->check(CLI::ExistingFile);
  cmd->add_option("--masks", opts->bids_masks, "BIDS derivatives folder with *_desc-tumor_mask.nii.gz")
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--participant-label", opts->participants, "BIDS: only these subjects");
  cmd->callback([&action, &global, opts] { action = [&global, opts] { return run_run(*opts, global); }; });
}

}  // namespace

void setup_run(CLI::App& app, const GlobalOptions& global, Action& action) {
  add_subcommand(app, global, action, false);
}

void setup_register(CLI::App& app, const GlobalOptions& global, Action& action) {
  add_subcommand(app, global, action, true);
}

}  // namespace oncotrack::cli
