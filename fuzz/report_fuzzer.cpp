// libFuzzer target: the report reader of `oncotrack aggregate` (a subject folder whose report holds the input
// bytes), then both cohort-table writers and the cohort page. oncotrack::Error is the expected refusal.
#include "oncotrack/core/error.h"
#include "oncotrack/core/json_file.h"
#include "oncotrack/report/cohort_table.h"
#include "oncotrack/report/html.h"
#include "scratch_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto report = oncotrack::fuzz::write_scratch("out/sub-x/sub-x_report.json", data, size);
  try {
    const auto table = oncotrack::report::collect_cohort(report.parent_path().parent_path());
    (void)oncotrack::report::cohort_tsv(table);
    oncotrack::write_json_file(report.parent_path().parent_path() / "cohort.json",
                               oncotrack::report::cohort_json(table));  // as `oncotrack aggregate` writes it
    (void)oncotrack::report::cohort_html(table, report.parent_path().parent_path());
  } catch (const oncotrack::Error&) {
  }
  return 0;
}
