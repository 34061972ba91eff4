#pragma once
// Subcommand wiring: each subcommand lives in its own file with an options struct, setup_x() that registers
// it on the CLI11 app, and run_x() that does the work and returns the process exit code.
#include <CLI/CLI.hpp>
#include <functional>
#include <string>

namespace oncotrack::cli {

// Exit codes (ARCHITECTURE.md §3).
constexpr int kExitOk = 0;
constexpr int kExitUsage = 1;
constexpr int kExitSomeFailed = 2;
constexpr int kExitInternal = 3;
constexpr int kExitInterrupted = 130;

struct GlobalOptions {
  int threads = 0;  // 0: all hardware threads
  std::string log_level = "info";
  std::string log_file;
  std::string log_format = "text";  // "text" or "jsonl" (one JSON object per line)
  bool quiet = false;
  bool force = false;
  std::string command_line;  // the whole invocation, for provenance
  int resolved_threads() const;
};

using Action = std::function<int()>;

// The bundled default model (data/models/ of the source tree this binary was built from).
std::string default_model_path();

void setup_run(CLI::App& app, const GlobalOptions& global, Action& action);
void setup_register(CLI::App& app, const GlobalOptions& global, Action& action);
void setup_validate(CLI::App& app, const GlobalOptions& global, Action& action);
void setup_synth(CLI::App& app, const GlobalOptions& global, Action& action);
void setup_model(CLI::App& app, const GlobalOptions& global, Action& action);
void setup_segment(CLI::App& app, const GlobalOptions& global, Action& action);
void setup_predict(CLI::App& app, const GlobalOptions& global, Action& action);
void setup_evaluate(CLI::App& app, const GlobalOptions& global, Action& action);
void setup_mrf(CLI::App& app, const GlobalOptions& global, Action& action);
void setup_zspectrum(CLI::App& app, const GlobalOptions& global, Action& action);
void setup_aggregate(CLI::App& app, const GlobalOptions& global, Action& action);
void setup_compare(CLI::App& app, const GlobalOptions& global, Action& action);
// `model prepare`, registered by setup_model (cmd_model_prepare.cpp).
void add_model_prepare(CLI::App& model_cmd, const GlobalOptions& global, Action& action);

}  // namespace oncotrack::cli
