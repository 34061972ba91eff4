// oncotrack entry point: parses global options, wires the subcommands, maps failures to exit codes.
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <thread>

#include "commands.h"
#include "json_log_format.h"
#include "oncotrack/core/error.h"
#include "oncotrack/nn/error.h"
#include "oncotrack/version.h"
#include "progress.h"

namespace oncotrack::cli {

int GlobalOptions::resolved_threads() const {
  if (threads > 0) return threads;
  return std::max(1u, std::thread::hardware_concurrency());
}

namespace {

std::string quote_arg(const std::string& a) {
  if (!a.empty() && a.find_first_of(" \t\"'\\$`") == std::string::npos) return a;
  std::string q = "'";
  for (char c : a) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

void setup_logging(const GlobalOptions& g) {
  // Logs and progress go to stderr (and --log-file); stdout carries only primary output.
  auto console = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  console->set_level(g.quiet ? spdlog::level::err : spdlog::level::from_str(g.log_level));
  std::vector<spdlog::sink_ptr> sinks{console};
  if (!g.log_file.empty()) {
    auto file = std::make_shared<spdlog::sinks::basic_file_sink_mt>(g.log_file);
    file->set_level(spdlog::level::from_str(g.log_level));
    sinks.push_back(file);
  }
  auto logger = std::make_shared<spdlog::logger>("oncotrack", sinks.begin(), sinks.end());
  logger->set_level(spdlog::level::trace);
  if (g.log_format == "jsonl") {
    for (auto& sink : sinks) sink->set_formatter(std::make_unique<JsonLineFormatter>());
  } else {
    logger->set_pattern("[%H:%M:%S] [%^%l%$] %v");
    // On a terminal a log line first wipes the live status line (progress.h), which is then redrawn.
    if (Progress::mode_for(g) == Progress::Mode::kLive)
      console->set_pattern("\r\033[K[%H:%M:%S] [%^%l%$] %v");
  }
  spdlog::set_default_logger(logger);
}

}  // namespace
}  // namespace oncotrack::cli

int main(int argc, char** argv) {
  using namespace oncotrack::cli;
  GlobalOptions global;
  for (int i = 0; i < argc; ++i) global.command_line += (i ? " " : "") + quote_arg(argv[i]);

  CLI::App app{
      "oncotrack: longitudinal MRI tumour-response analysis (measurements, response criteria, reports)"};
  app.set_version_flag("--version",
                       std::string("oncotrack ") + oncotrack::kVersion + " (" + oncotrack::kGitCommit + ")");
  app.option_defaults()->always_capture_default();
  app.add_option("-j,--threads", global.threads, "Worker threads (0: all cores)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--log-level", global.log_level, "trace, debug, info, warn, error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
  app.add_option("--log-file", global.log_file, "Also write the log to this file");
  app.add_option("--log-format", global.log_format,
                 "text, or jsonl: one JSON object per line (progress events: subject, stage, elapsed_s, "
                 "peak_rss_mb)")
      ->check(CLI::IsMember({"text", "jsonl"}));
  app.add_flag("-q,--quiet", global.quiet, "Only errors on stderr");
  app.add_flag("--force", global.force,
               "Recompute every subject (run, register and predict otherwise keep up-to-date results); "
               "overwrite outputs");
  app.footer(
      "Exit codes: 0 all subjects succeeded; 1 usage or validation error (nothing run); 2 some subjects "
      "failed "
      "(see OUT/sub-<id>/error.json); 3 internal error; 130 interrupted.");
  app.require_subcommand(1);
  app.fallthrough();  // global options may also follow the subcommand

  Action action;
  setup_run(app, global, action);
  setup_register(app, global, action);
  setup_validate(app, global, action);
  setup_synth(app, global, action);
  setup_model(app, global, action);
  setup_segment(app, global, action);
  setup_predict(app, global, action);
  setup_evaluate(app, global, action);
  setup_mrf(app, global, action);
  setup_zspectrum(app, global, action);
  setup_aggregate(app, global, action);
  setup_compare(app, global, action);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }
  try {
    setup_logging(global);
  } catch (const spdlog::spdlog_ex& e) {
    std::fprintf(stderr, "oncotrack: cannot open log file %s: %s\n", global.log_file.c_str(), e.what());
    return kExitUsage;
  }
  int rc = kExitInternal;
  try {
    rc = action();
  } catch (const oncotrack::Error& e) {
    spdlog::error("{}", e.what());
    rc = kExitUsage;
  } catch (const oncotrack::nn::NnError& e) {  // bad weights file or network input
    spdlog::error("{}", e.what());
    rc = kExitUsage;
  } catch (const std::exception& e) {
    spdlog::critical("internal error: {}", e.what());
  }
  spdlog::shutdown();  // flush --log-file before exit
  return rc;
}
