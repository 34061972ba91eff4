// `oncotrack evaluate PRED_DIR REF_MANIFEST [--json FILE]`: predicted masks against reference masks
// (pipeline/evaluate.h). Prints a TSV table per timepoint, the volume-change signs per follow-up and a
// summary on stdout; exit 1 when nothing could be compared.
#include <spdlog/spdlog.h>

#include <iomanip>
#include <iostream>

#include "commands.h"
#include "oncotrack/core/json_file.h"
#include "oncotrack/io/cohort.h"
#include "oncotrack/pipeline/evaluate.h"

namespace oncotrack::cli {

namespace {

struct EvaluateOptions {
  std::string predictions, reference, json_file;
};

std::string cell(const nlohmann::json& v) {
  if (v.is_null()) return "NA";
  if (v.is_boolean()) return v.get<bool>() ? "yes" : "no";
  if (v.is_number_float()) {
    std::ostringstream s;
    s << std::fixed << std::setprecision(3) << v.get<double>();
    return s.str();
  }
  return v.is_string() ? v.get<std::string>() : v.dump();
}

int run_evaluate(const EvaluateOptions& o) {
  const nlohmann::json r = pipeline::evaluate_masks(o.predictions, io::load_cohort(o.reference));
  for (const auto& p : r.at("problems")) spdlog::warn("{}", p.get<std::string>());
  std::cout
      << "subject\ttimepoint\tdice\thd95_mm\tpredicted_ml\treference_ml\tvolume_error_ml\tvolume_error_pct\n";
  for (const auto& c : r.at("cases"))
    std::cout << cell(c["subject"]) << '\t' << cell(c["timepoint"]) << '\t' << cell(c["dice"]) << '\t'
              << cell(c["hd95_mm"]) << '\t' << cell(c["predicted_ml"]) << '\t' << cell(c["reference_ml"])
              << '\t' << cell(c["volume_error_ml"]) << '\t' << cell(c["volume_error_pct"]) << '\n';
  std::cout << "\nsubject\tfollow_up\tpredicted_change_ml\treference_change_ml\tsame_sign\n";
  for (const auto& c : r.at("changes"))
    std::cout << cell(c["subject"]) << '\t' << cell(c["timepoint"]) << '\t' << cell(c["predicted_change_ml"])
              << '\t' << cell(c["reference_change_ml"]) << '\t' << cell(c["same_sign"]) << '\n';
  std::cout << "\n";
  for (const auto& [k, v] : r.at("summary").items()) std::cout << k << '\t' << cell(v) << '\n';
  if (!o.json_file.empty()) write_json_file(o.json_file, r);
  return r.at("cases").empty() ? kExitUsage : kExitOk;
}

}  // namespace

void setup_evaluate(CLI::App& app, const GlobalOptions& /*global*/, Action& action) {
  auto o = std::make_shared<EvaluateOptions>();
  CLI::App* cmd = app.add_subcommand(
      "evaluate", "Dice, HD95 and volume error of predicted masks against reference masks");
  cmd->add_option("predictions", o->predictions, "Output folder of `oncotrack segment` (or run)")
      ->required()
      ->check(CLI::ExistingDirectory);
  cmd->add_option("reference", o->reference, "Manifest or BIDS root with the reference masks")->required();
  cmd->add_option("--json", o->json_file, "Also write everything as JSON to this file");
  cmd->callback([&action, o] { action = [o] { return run_evaluate(*o); }; });
}

}  // namespace oncotrack::cli
