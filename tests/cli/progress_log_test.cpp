// What `oncotrack run` says while it works: --log-format jsonl (one JSON event per line with subject, stage,
// elapsed time and peak RSS), plain periodic progress lines when stderr is redirected, a live status line on
// a terminal (under `script`, which gives the run a pseudo-terminal), nothing with --quiet; --jobs J runs J
// subjects at once with -j threads each.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>

#include "support/run_cli.h"

namespace oncotrack::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class ProgressLog : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fresh_dir("progress_log"));
    ASSERT_EQ(run_cli("synth --out " + (*dir_ / "cohort").string()).exit_code, 0);
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
  }
  // `run` on subjects cr and pd into a fresh folder.
  static CliResult run(const std::string& before, const std::string& after = "") {
    static int n = 0;
    return run_cli(before + " run " + (*dir_ / "cohort" / "manifest.csv").string() + " --out " +
                   (*dir_ / ("out" + std::to_string(n++))).string() + " --participant-label cr pd " + after);
  }
  static fs::path* dir_;
};
fs::path* ProgressLog::dir_ = nullptr;

TEST_F(ProgressLog, JsonlHasOneEventPerLineWithStageTimesAndPeakRss) {
  const CliResult r = run("--log-format jsonl", "--jobs 2 -j 1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("subject\tstatus\toutput"), std::string::npos);  // stdout unchanged
  std::istringstream lines(r.err);
  std::string line;
  std::map<std::string, std::set<std::string>> stages;  // subject -> stages finished
  std::map<std::string, int> finished_at, started_at;   // subject -> line index
  int index = 0;
  bool parallel_announced = false;
  for (; std::getline(lines, line); ++index) {
    const json e = json::parse(line, nullptr, false);
    ASSERT_TRUE(e.is_object()) << "not a JSON object: " << line;
    ASSERT_TRUE(e.contains("time") && e.contains("level") && e.contains("event")) << line;
    const std::string event = e.at("event");
    if (event == "log" &&
        e.at("message").get<std::string>().find("2 at once with 1 thread(s) each") != std::string::npos)
      parallel_announced = true;
    if (event == "stage_finished") {
      EXPECT_GE(e.at("elapsed_s").get<double>(), 0.0) << line;
      EXPECT_GT(e.at("peak_rss_mb").get<double>(), 1.0) << line;
      stages[e.at("subject")].insert(e.at("stage").get<std::string>());
    }
    if (event == "subject_started") started_at[e.at("subject")] = index;
    if (event == "subject_finished") {
      finished_at[e.at("subject")] = index;
      EXPECT_EQ(e.at("total"), 2);
    }
  }
  EXPECT_TRUE(parallel_announced) << r.err;
  for (const std::string s : {"cr", "pd"}) {
    for (const std::string stage :
         {"load", "segment", "measure", "preprocess+register", "predict", "qc", "response"})
      EXPECT_EQ(stages[s].count(stage), 1u) << s << " " << stage;
    ASSERT_EQ(finished_at.count(s), 1u) << s;
  }
  // Two jobs: the second subject started before the first finished.
  EXPECT_LT(std::max(started_at["cr"], started_at["pd"]), std::min(finished_at["cr"], finished_at["pd"]));
}

TEST_F(ProgressLog, RedirectedOutputGetsPeriodicLinesAndQuietNothing) {
  const CliResult lines = run_command("ONCOTRACK_PROGRESS_SECONDS=0.5 " ONCOTRACK_BINARY,
                                      "run " + (*dir_ / "cohort" / "manifest.csv").string() + " --out " +
                                          (*dir_ / "periodic").string() + " --participant-label cr pd");
  ASSERT_EQ(lines.exit_code, 0) << lines.err;
  EXPECT_NE(lines.err.find("[info] progress: 0/2 done; running: sub-"), std::string::npos) << lines.err;
  EXPECT_NE(lines.err.find("; ETA "), std::string::npos) << lines.err;
  EXPECT_EQ(lines.err.find('\r'), std::string::npos);  // no terminal control when redirected

  const CliResult quiet = run_command("ONCOTRACK_PROGRESS_SECONDS=0.5 " ONCOTRACK_BINARY,
                                      "-q run " + (*dir_ / "cohort" / "manifest.csv").string() + " --out " +
                                          (*dir_ / "quiet").string() + " --participant-label cr pd");
  ASSERT_EQ(quiet.exit_code, 0) << quiet.err;
  EXPECT_EQ(quiet.err, "");
}

TEST_F(ProgressLog, ATerminalGetsALiveStatusLine) {
  const std::string inner = std::string(ONCOTRACK_BINARY) + " run " +
                            (*dir_ / "cohort" / "manifest.csv").string() + " --out " +
                            (*dir_ / "live").string() + " --participant-label cr pd >/dev/null";
  const CliResult r = run_command("ONCOTRACK_PROGRESS_SECONDS=0.5 script", "-qec '" + inner + "' /dev/null");
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  // The status line is rewritten in place (carriage return, erase line) with the running subjects' stages.
  EXPECT_NE(r.out.find("\r\033[K0/2 done; running: sub-"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\r\033[K1/2 done"), std::string::npos) << r.out;
  EXPECT_TRUE(fs::exists(*dir_ / "live" / "sub-cr" / "sub-cr_report.json"));
}

}  // namespace
}  // namespace oncotrack::testing
