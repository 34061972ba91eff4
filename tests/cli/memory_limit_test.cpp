// Memory: `validate` prints the estimate of peak memory per subject and for the batch; the estimate is an
// upper bound of what `run` then measures (the process's peak RSS, recorded per stage in the reports); `run
// --max-memory` runs fewer subjects at once when the batch would not fit and refuses, running nothing, when
// one subject alone would not.
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>

#include "support/run_cli.h"

namespace oncotrack::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

TEST(MemoryLimit, EstimateBoundsTheMeasuredPeakAndMaxMemoryLowersOrRefuses) {
  const fs::path dir = fresh_dir("memory_limit");
  ASSERT_EQ(run_cli("synth --out " + (dir / "cohort").string()).exit_code, 0);
  const std::string manifest = (dir / "cohort" / "manifest.csv").string();
  const CliResult v = run_cli("validate " + manifest + " --jobs 2");
  ASSERT_EQ(v.exit_code, 0) << v.err;
  std::smatch m;
  const std::regex line(
      R"(memory estimate: (\d+) MB per subject at most \(sub-(\w+)\), (\d+) MB for the batch)");
  ASSERT_TRUE(std::regex_search(v.out, m, line)) << v.out;
  const double one = std::stod(m[1]), two = std::stod(m[3]);
  EXPECT_GT(two, one);

  const CliResult r = run_cli("run " + manifest + " --out " + (dir / "out").string() + " --jobs 2 -j 1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  double measured = 0;
  for (const auto& e : fs::directory_iterator(dir / "out")) {
    if (!e.is_directory()) continue;
    const std::string id = e.path().filename().string();
    const json report = read_json(e.path() / (id + "_report.json"));
    for (const json& stage : report.at("provenance").at("stages"))
      measured = std::max(measured, stage.at("peak_rss_mb").get<double>());
  }
  std::cerr << "estimate " << two << " MB for 2 at once, measured peak " << measured << " MB\n";
  EXPECT_GT(measured, 0.0);
  EXPECT_LE(measured, two);

  // Room for one subject but not two: one at a time, and everything completes.
  const std::string between = std::to_string(static_cast<int>((one + two) / 2)) + "M";
  const CliResult lowered = run_cli("run " + manifest + " --out " + (dir / "lowered").string() +
                                    " --jobs 2 --max-memory " + between);
  EXPECT_EQ(lowered.exit_code, 0) << lowered.err;
  EXPECT_NE(lowered.err.find("1 subject(s) at once instead of 2"), std::string::npos) << lowered.err;
  EXPECT_EQ(std::count(lowered.out.begin(), lowered.out.end(), '\n'), 5) << lowered.out;  // header + 4

  // Not even one: refused before anything is written.
  const CliResult refused = run_cli("run " + manifest + " --out " + (dir / "refused").string() +
                                    " --max-memory " + std::to_string(static_cast<int>(one) - 1) + "M");
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("not enough memory for sub-" + std::string(m[2])), std::string::npos)
      << refused.err;
  EXPECT_FALSE(fs::exists(dir / "refused"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace oncotrack::testing
