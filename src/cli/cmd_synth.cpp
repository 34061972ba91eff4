// `oncotrack synth --out DIR [--seed N]`: deterministic synthetic longitudinal cohort with ground truth.
#include <spdlog/spdlog.h>

#include <iostream>

#include "commands.h"
#include "oncotrack/synth/cohort.h"

namespace oncotrack::cli {

void setup_synth(CLI::App& app, const GlobalOptions& global, Action& action) {
  auto opts = std::make_shared<synth::SynthOptions>();
  auto out = std::make_shared<std::string>();
  CLI::App* cmd =
      app.add_subcommand("synth", "Write a deterministic synthetic longitudinal cohort with ground truth");
  cmd->add_option("-o,--out", *out, "Output folder")->required();
  cmd->add_option("--seed", opts->seed, "Random seed (same seed: identical files)");
  cmd->callback([&action, &global, opts, out] {
    action = [&global, opts, out] {
      opts->out_dir = *out;
      opts->force = global.force;
      synth::generate_cohort(*opts);
      spdlog::info("synthetic cohort written to {}", *out);
      std::cout << (opts->out_dir / "manifest.csv").string() << "\n";
      return kExitOk;
    };
  });
}

}  // namespace oncotrack::cli
