// `oncotrack run INPUT --out DIR`: the whole pipeline for every subject (with the bundled default model
// unless --model FILE or --no-model; CEST-MRF series with --mrf-dict DICT or --mrf-model MODEL);
// `oncotrack register INPUT --out DIR`: the same inputs through loading and registration only;
// `oncotrack predict INPUT --out DIR`: through segmentation, registration and the response prediction. Models
// and dictionaries are loaded once for all subjects.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <thread>

#include "commands.h"
#include "oncotrack/cest/dictionary.h"
#include "oncotrack/cest/mrf_network.h"
#include "oncotrack/core/error.h"
#include "oncotrack/core/sha256.h"
#include "oncotrack/io/cohort.h"
#include "oncotrack/pipeline/memory_estimate.h"
#include "oncotrack/pipeline/mrf_quantify.h"
#include "oncotrack/pipeline/run.h"
#include "oncotrack/pipeline/segmentation.h"
#include "oncotrack/pipeline/shard.h"
#include "oncotrack/registration/register.h"
#include "progress.h"

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
  std::string model;
  bool no_model = false;
  bool no_html = false;
  std::string mrf_dict, mrf_model;
  std::string tumor_source = "auto";
  std::string shard;
  int jobs = 0;            // subjects at once (0: as many as threads, sharing them)
  std::string max_memory;  // empty: no limit
  pipeline::RunOptions::Stage stage = pipeline::RunOptions::Stage::kAll;
};

// The subjects of this job's shard (--shard, else a SLURM array task's), or all of them.
io::Cohort this_shard(io::Cohort cohort, const std::string& option, pipeline::RunOptions& ro) {
  const std::optional<pipeline::Shard> shard =
      option.empty() ? pipeline::shard_from_slurm(std::getenv) : pipeline::parse_shard(option);
  if (!shard) return cohort;
  const std::size_t all = cohort.subjects.size();
  auto& subjects = cohort.subjects;
  subjects.erase(std::remove_if(subjects.begin(), subjects.end(),
                                [&](const io::SubjectEntry& s) { return !pipeline::in_shard(s.id, *shard); }),
                 subjects.end());
  ro.write_dataset_description = shard->index == 1;
  spdlog::info("shard {}/{}{}: {} of {} subject(s)", shard->index, shard->count,
               option.empty() ? " (SLURM array task)" : "", subjects.size(), all);
  return cohort;
}

// With --max-memory: logs the memory estimate (it reads every image header, so only when asked), then lowers
// the subjects at once to fit (their threads rise to keep the cores busy when -j was shared) or refuses
// (Error, nothing run) when even one subject does not fit.
void fit_in_memory(const io::Cohort& cohort, const RunCommandOptions& o, pipeline::RunOptions& ro) {
  if (o.max_memory.empty()) return;
  const double max_mb = pipeline::parse_memory_mb(o.max_memory);
  const auto estimate = pipeline::estimate_memory(cohort);
  if (estimate.empty()) return;
  const int at_once = std::min<int>(o.jobs > 0 ? o.jobs : ro.threads, static_cast<int>(estimate.size()));
  const auto largest = std::max_element(estimate.begin(), estimate.end(),
                                        [](const auto& a, const auto& b) { return a.peak_mb < b.peak_mb; });
  spdlog::info("memory estimate: {:.0f} MB for the largest subject (sub-{}), {:.0f} MB with {} at once",
               largest->peak_mb, largest->subject, pipeline::batch_peak_mb(estimate, at_once), at_once);
  const int fit = pipeline::jobs_within(estimate, at_once, max_mb);
  if (fit == 0)
    throw Error("not enough memory for sub-" + largest->subject, o.input,
                "an estimated peak within --max-memory " + o.max_memory,
                std::to_string(static_cast<long>(largest->peak_mb)) + " MB for sub-" + largest->subject,
                "raise --max-memory, or run that subject on a larger node (--participant-label)");
  if (fit == at_once) return;
  spdlog::warn("--max-memory {}: {} subject(s) at once instead of {} (estimated peak {:.0f} MB)",
               o.max_memory, fit, at_once, pipeline::batch_peak_mb(estimate, fit));
  if (o.jobs == 0) ro.threads = std::max(1, ro.threads / fit);
  ro.jobs = fit;
}

int run_run(const RunCommandOptions& o, const GlobalOptions& g) {
  io::CohortOptions co;
  co.bids_masks = o.bids_masks;
  co.participant_labels = o.participants;
  pipeline::RunOptions ro;
  const io::Cohort cohort = this_shard(io::load_cohort(o.input, co), o.shard, ro);
  ro.out_dir = o.out_dir;
  ro.stage = o.stage;
  if (!o.config_file.empty()) ro.config = pipeline::load_config(o.config_file);
  std::optional<pipeline::LoadedModel> model;
  if (o.stage != pipeline::RunOptions::Stage::kRegistration && !o.no_model) {
    model = pipeline::load_model(o.model.empty() ? default_model_path() : o.model);
    spdlog::info("model {} ({})", model->name, model->sha256.substr(0, 12));
    ro.model = &*model;
  }
  std::optional<cest::Dictionary> mrf_dict;
  std::optional<cest::MrfNetwork> mrf_network;
  pipeline::MrfReconstruction mrf;
  if (!o.mrf_dict.empty() || !o.mrf_model.empty()) {
    mrf.path = o.mrf_dict.empty() ? o.mrf_model : o.mrf_dict;
    if (!o.mrf_dict.empty())
      mrf.dictionary = &mrf_dict.emplace(cest::read_dictionary(o.mrf_dict));
    else
      mrf.network = &mrf_network.emplace(cest::MrfNetwork::read(o.mrf_model));
    mrf.sha256 = sha256_file(mrf.path);
    spdlog::info("CEST-MRF {} {} ({})", mrf.dictionary ? "dictionary" : "network", mrf.path,
                 mrf.sha256.substr(0, 12));
    ro.mrf = &mrf;
  }
  ro.tumor_source = o.tumor_source;
  // --jobs J: J subjects at once with -j T threads each (default: the cores shared among them); without it
  // the -j threads are shared by as many subjects at once.
  ro.jobs = o.jobs;
  ro.threads = o.jobs > 0 && g.threads == 0
                   ? std::max(1, static_cast<int>(std::thread::hardware_concurrency()) / o.jobs)
                   : g.resolved_threads();
  fit_in_memory(cohort, o, ro);
  registration::set_itk_threads(static_cast<unsigned>(ro.threads));
  ro.force = g.force;
  ro.html = !o.no_html;
  ro.command_line = g.command_line;
  ro.cancel = &g_cancel;
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
  spdlog::info("{} subject(s) from {} ({}), {}, output {}", cohort.subjects.size(), o.input, cohort.kind,
               o.jobs > 0 ? fmt::format("{} at once with {} thread(s) each", o.jobs, ro.threads)
                          : fmt::format("{} thread(s)", ro.threads),
               o.out_dir);
  std::vector<pipeline::SubjectOutcome> outcomes;
  {
    const Progress::Mode mode = Progress::mode_for(g);
    Progress progress(mode, cohort.subjects.size(), progress_interval_s(mode));
    ro.progress = [&progress](const pipeline::ProgressEvent& ev) { progress.on_event(ev); };
    outcomes = pipeline::run_cohort(cohort, ro);
  }
  std::size_t failed = 0, kept = 0;
  std::cout << "subject\tstatus\toutput\n";
  for (const auto& r : outcomes) {
    failed += !r.ok;
    kept += r.up_to_date;
    std::cout << r.subject << '\t'
              << (r.up_to_date    ? "up-to-date"
                  : r.ok          ? "ok"
                  : r.interrupted ? "interrupted"
                                  : "failed")
              << '\t' << r.output.string() << '\n';
  }
  if (g_cancel.load()) {
    spdlog::warn("interrupted: subjects already running finished; the others were not started");
    return kExitInterrupted;
  }
  spdlog::info("{} of {} subject(s) succeeded ({} kept from an earlier run); reports in {}",
               outcomes.size() - failed, outcomes.size(), kept, o.out_dir);
  return failed == 0 ? kExitOk : kExitSomeFailed;
}

using Stage = pipeline::RunOptions::Stage;

void add_subcommand(CLI::App& app, const GlobalOptions& global, Action& action, Stage stage) {
  auto opts = std::make_shared<RunCommandOptions>();
  opts->stage = stage;
  CLI::App* cmd = stage == Stage::kRegistration
                      ? app.add_subcommand("register",
                                           "Register every follow-up to its baseline (transform files and "
                                           "sub-<id>_registration.json), nothing else")
                  : stage == Stage::kPrediction
                      ? app.add_subcommand("predict",
                                           "Segment, register and predict the response of every follow-up "
                                           "(sub-<id>_prediction.json, masks, transforms)")
                      : app.add_subcommand("run", "Run the whole pipeline for every subject of a cohort");
  cmd->add_option("input", opts->input, "Manifest (.csv, .tsv, .json) or BIDS root")->required();
  cmd->add_option("-o,--out", opts->out_dir, "Output folder (BIDS-derivatives layout)")->required();
  cmd->add_option("--config", opts->config_file, "JSON config overriding defaults")->check(CLI::ExistingFile);
  cmd->add_option("--masks", opts->bids_masks, "BIDS derivatives folder with *_desc-tumor_mask.nii.gz")
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--participant-label", opts->participants, "Only these subjects (BIDS or manifest)");
  cmd->add_option(
      "--shard", opts->shard,
      "i/N: only the subjects of shard i of N (by a hash of the subject id; default: a SLURM array "
      "task's SLURM_ARRAY_TASK_ID/COUNT when set)");
  cmd->add_option("--jobs", opts->jobs,
                  "Subjects at once, each with -j threads (default: the cores shared among them); without "
                  "--jobs, -j threads are shared by as many subjects at once")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--max-memory", opts->max_memory,
                  "Memory for this run, e.g. 8G or 512M: fewer subjects at once if the estimate (`validate` "
                  "prints it) exceeds it; nothing run if one subject alone would");
  if (stage != Stage::kRegistration) {
    cmd->add_option("--model", opts->model, "Network weights file (default: the bundled model)")
        ->check(CLI::ExistingFile);
    cmd->add_option("--tumor-source", opts->tumor_source,
                    "Masks measured: auto (the manifest's where given, else the model's), mask, model")
        ->check(CLI::IsMember({"auto", "mask", "model"}));
  }
  if (stage == Stage::kAll) {
    cmd->add_flag("--no-model", opts->no_model, "No network: measure the manifest's masks only")
        ->excludes("--model");
    cmd->add_flag("--no-html", opts->no_html, "No sub-<id>_report.html pages (the JSON reports only)");
    CLI::Option* dict =
        cmd->add_option(
               "--mrf-dict", opts->mrf_dict,
               "CEST-MRF dictionary (`mrf simulate`) for the manifest's mrf series: dot-product matching")
            ->check(CLI::ExistingFile);
    cmd->add_option("--mrf-model", opts->mrf_model,
                    "CEST-MRF network (`mrf train`) for the mrf series instead")
        ->check(CLI::ExistingFile)
        ->excludes(dict);
  }
  cmd->callback([&action, &global, opts] { action = [&global, opts] { return run_run(*opts, global); }; });
}

}  // namespace

void setup_run(CLI::App& app, const GlobalOptions& global, Action& action) {
  add_subcommand(app, global, action, Stage::kAll);
}

void setup_predict(CLI::App& app, const GlobalOptions& global, Action& action) {
  add_subcommand(app, global, action, Stage::kPrediction);
}

void setup_register(CLI::App& app, const GlobalOptions& global, Action& action) {
  add_subcommand(app, global, action, Stage::kRegistration);
}

}  // namespace oncotrack::cli
