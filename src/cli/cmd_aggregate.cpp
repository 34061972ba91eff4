// `oncotrack aggregate OUT`: the cohort table (report/cohort_table.h) from the per-subject reports of an
// output folder, written as OUT/cohort.tsv, OUT/cohort.json and (unless --no-html) the page OUT/cohort.html
// (report/html.h), replaced atomically on every call: they are derived from the reports alone. Prints a
// count per status on stdout; exit 2 when some subject has no usable report.
#include <spdlog/spdlog.h>

#include <iostream>
#include <map>
#include <set>

#include "commands.h"
#include "oncotrack/core/atomic_file.h"
#include "oncotrack/core/json_file.h"
#include "oncotrack/report/cohort_table.h"
#include "oncotrack/report/html.h"

namespace oncotrack::cli {

namespace {

struct AggregateOptions {
  std::string out;
  bool no_html = false;
};

int run_aggregate(const AggregateOptions& o) {
  const report::CohortTable table = report::collect_cohort(o.out);
  for (const std::string& p : table.problems) spdlog::warn("{}", p);
  const std::filesystem::path dir(o.out);
  write_text_atomically(dir / "cohort.tsv", report::cohort_tsv(table));
  write_json_file(dir / "cohort.json", report::cohort_json(table));
  if (!o.no_html) write_text_atomically(dir / "cohort.html", report::cohort_html(table, dir));
  std::map<std::string, std::set<std::string>> subjects;  // status → subjects
  for (const auto& row : table.rows)
    subjects[row.at("status").get<std::string>()].insert(row.at("subject").get<std::string>());
  std::cout << "status\tsubjects\n";
  for (const auto& [status, ids] : subjects) std::cout << status << '\t' << ids.size() << '\n';
  std::cout << "rows\t" << table.rows.size() << "\ntable\t" << (dir / "cohort.tsv").string() << '\n';
  const bool all_ok = subjects.size() == 1 && subjects.count("ok") == 1;
  return all_ok ? kExitOk : kExitSomeFailed;
}

}  // namespace

void setup_aggregate(CLI::App& app, const GlobalOptions& /*global*/, Action& action) {
  auto o = std::make_shared<AggregateOptions>();
  CLI::App* cmd = app.add_subcommand(
      "aggregate",
      "Cohort table (TSV, JSON, HTML page): one row per subject and follow-up from the reports of OUT");
  cmd->add_option("out", o->out, "Output folder of `oncotrack run` (or of several shards of it)")->required();
  cmd->add_flag("--no-html", o->no_html, "No cohort.html page");
  cmd->footer(
      "Writes OUT/cohort.tsv, OUT/cohort.json (columns: include/oncotrack/report/cohort_table.h) and "
      "OUT/cohort.html (plots and the table, linking each subject's page). "
      "Exit 2 when some subject failed, is incomplete or has an unreadable report.");
  cmd->callback([&action, o] { action = [o] { return run_aggregate(*o); }; });
}

}  // namespace oncotrack::cli
