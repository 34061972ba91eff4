// libFuzzer target: the cohort manifest parsers (CSV, TSV, JSON). The first byte picks the format, the rest
// is the manifest. Any outcome but a result or oncotrack::Error (a crash, a sanitizer report, another
// exception) is a finding.
#include "oncotrack/core/error.h"
#include "oncotrack/io/cohort.h"
#include "scratch_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static const char* const kNames[] = {"manifest.csv", "manifest.tsv", "manifest.json"};
  const auto path = oncotrack::fuzz::write_scratch(kNames[data[0] % 3], data + 1, size - 1);
  try {
    const oncotrack::io::Cohort cohort = oncotrack::io::load_cohort(path);
    for (const auto& p : cohort.problems) (void)p.describe();
  } catch (const oncotrack::Error&) {
  }
  return 0;
}
