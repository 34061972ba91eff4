// The cluster workflows of scripts/workflow on a synthetic cohort: the Snakemake workflow with Debian's
// snakemake, locally on 2 cores, with one broken subject (one job per subject, the subjects' folders moved
// into OUT whole, the cohort table listing the broken subject as failed and the others with their designed
// categories); the SLURM array-job script run as its tasks would be, with SLURM's variables set.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "support/run_cli.h"

namespace oncotrack::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

TEST(SnakemakeWorkflow, RunsEverySubjectAndTabulatesTheCohort) {
  const fs::path dir = fresh_dir("workflow");
  ASSERT_EQ(run_cli("synth --out " + (dir / "cohort").string()).exit_code, 0);
  const json expected = read_json(dir / "cohort" / "expected.json");
  {  // a subject whose only scan does not exist
    std::ofstream(dir / "cohort" / "manifest.csv", std::ios::app) << "broken,t0,0,t1c,missing.nii.gz,\n";
  }
  const fs::path out = dir / "out";
  const CliResult r = run_command(
      "snakemake", "--snakefile " + std::string(ONCOTRACK_SOURCE_DIR) +
                       "/scripts/workflow/Snakefile --directory " + (dir / "work").string() +
                       " --cores 2 --quiet --config manifest=" + (dir / "cohort" / "manifest.csv").string() +
                       " out=" + out.string() + " oncotrack=" + ONCOTRACK_BINARY);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;

  EXPECT_TRUE(fs::exists(out / "dataset_description.json"));
  EXPECT_FALSE(fs::exists(out / ".jobs"));
  EXPECT_TRUE(fs::exists(out / "sub-broken" / "error.json"));
  const json table = read_json(out / "cohort.json");
  std::map<std::string, std::map<std::string, json>> rows;  // subject → follow-up → row
  for (const json& row : table.at("rows"))
    rows[row.at("subject").get<std::string>()][row.at("follow_up").is_null() ? "" : row.at("follow_up")] =
        row;
  EXPECT_EQ(rows.at("broken").at("").at("status"), "failed");
  EXPECT_NE(rows.at("broken").at("").at("error").get<std::string>().find("missing.nii.gz"),
            std::string::npos);
  std::size_t follow_ups = 0;
  for (const auto& [id, truth] : expected.at("subjects").items()) {
    EXPECT_TRUE(fs::exists(out / ("sub-" + id) / ("sub-" + id + "_report.json"))) << id;
    for (const json& tf : truth.at("follow_ups")) {
      ++follow_ups;
      const json& row = rows.at(id).at(tf.at("timepoint").get<std::string>());
      EXPECT_EQ(row.at("status"), "ok");
      for (const auto& [criterion, category] : tf.at("expected").items())
        EXPECT_EQ(row.at(criterion), category) << id << " " << tf.at("timepoint") << " " << criterion;
      EXPECT_FALSE(row.at("prediction_probability").is_null()) << id;  // the bundled model ran
    }
  }
  EXPECT_EQ(table.at("rows").size(), follow_ups + 1);
  fs::remove_all(dir);
}

TEST(SlurmArrayScript, TasksRunDisjointShardsThatTogetherCoverTheCohort) {
  const fs::path dir = fresh_dir("slurm_array");
  ASSERT_EQ(run_cli("synth --out " + (dir / "cohort").string()).exit_code, 0);
  const json expected = read_json(dir / "cohort" / "expected.json");
  const std::string script = std::string(ONCOTRACK_SOURCE_DIR) + "/scripts/workflow/slurm_array.sh";
  std::map<std::string, int> seen;
  for (int task = 0; task < 3; ++task) {  // --array=0-2
    const CliResult r = run_command(
        "env ONCOTRACK=" + std::string(ONCOTRACK_BINARY) + " SLURM_ARRAY_TASK_ID=" + std::to_string(task) +
            " SLURM_ARRAY_TASK_COUNT=3 SLURM_ARRAY_TASK_MIN=0 SLURM_CPUS_PER_TASK=2 bash",
        script + " " + (dir / "cohort" / "manifest.csv").string() + " " + (dir / "out").string() +
            " --no-model");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("shard " + std::to_string(task + 1) + "/3 (SLURM array task)"), std::string::npos)
        << r.err;
    std::istringstream lines(r.out);
    std::string line;
    std::getline(lines, line);  // header
    while (std::getline(lines, line)) ++seen[line.substr(0, line.find('\t'))];
  }
  EXPECT_EQ(seen.size(), expected.at("subjects").size());
  for (const auto& [id, times] : seen) EXPECT_EQ(times, 1) << id;
  EXPECT_EQ(run_cli("aggregate " + (dir / "out").string()).exit_code, 0);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace oncotrack::testing
