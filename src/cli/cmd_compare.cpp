// `oncotrack compare OLD NEW [--tolerance ...]`: regression check of two output folders of the same cohort
// (pipeline/compare_outputs.h). Prints every drift (subject, follow-up, field, old, new, allowed) and a
// summary on stdout; exit 0 within tolerance, 2 when anything drifted, 1 for unusable folders or tolerances.
#include <iostream>

#include "commands.h"
#include "oncotrack/pipeline/compare_outputs.h"

namespace oncotrack::cli {

namespace {

struct CompareOptions {
  std::string old_dir, new_dir, tolerance;
};

std::string text(const nlohmann::json& v) {
  return v.is_null() ? "n/a" : v.is_string() ? v.get<std::string>() : v.dump();
}

int run_compare(const CompareOptions& o) {
  const pipeline::Comparison c =
      pipeline::compare_outputs(o.old_dir, o.new_dir, pipeline::parse_tolerances(o.tolerance));
  std::cout << "subject\tfollow_up\tfield\told\tnew\tallowed\n";
  for (const auto& d : c.drifts)
    std::cout << d.subject << '\t' << (d.follow_up.empty() ? "n/a" : d.follow_up) << '\t' << d.field << '\t'
              << text(d.old_value) << '\t' << text(d.new_value) << '\t' << d.limit << '\n';
  std::cout << "\nrows compared\t" << c.rows << "\nvalues compared\t" << c.values << "\nmasks compared\t"
            << c.masks << "\ndrifts\t" << c.drifts.size() << '\n';
  return c.drifts.empty() ? kExitOk : kExitSomeFailed;
}

}  // namespace

void setup_compare(CLI::App& app, const GlobalOptions& /*global*/, Action& action) {
  auto o = std::make_shared<CompareOptions>();
  CLI::App* cmd = app.add_subcommand(
      "compare", "Regression check: the cohort table and model masks of NEW against OLD, within tolerances");
  cmd->add_option("old", o->old_dir, "Output folder of the reference run")
      ->required()
      ->check(CLI::ExistingDirectory);
  cmd->add_option("new", o->new_dir, "Output folder of the run to check")
      ->required()
      ->check(CLI::ExistingDirectory);
  cmd->add_option(
      "--tolerance", o->tolerance,
      "e.g. volume=0.5%,sld=0.5%,change=0.5,probability=0.01,ncc=0.01,dice=0.99 (these are the "
      "defaults; volume and sld relative, change in percentage points, dice the minimum overlap)");
  cmd->footer(
      "Exit 0: no drift; 2: something drifted (listed on stdout); 1: unusable folders or tolerances.");
  cmd->callback([&action, o] { action = [o] { return run_compare(*o); }; });
}

}  // namespace oncotrack::cli
