// The cohort table from an output folder holding every kind of subject folder: reported (with follow-ups, and
// baseline only), failed, incomplete and unreadable.
#include "oncotrack/report/cohort_table.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "oncotrack/core/error.h"
#include "oncotrack/core/json_file.h"

namespace oncotrack::report {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

json timepoint(const std::string& id, const std::string& role, double day, double volume_ml, double sld_mm) {
  return {{"id", id},
          {"role", role},
          {"day", day},
          {"registration", nullptr},
          {"segmentation", nullptr},
          {"warnings", json::array()},
          {"tumor",
           {{"total_volume_ml", volume_ml},
            {"sum_longest_diameter_mm", sld_mm},
            {"source", "mask"},
            {"warnings", json::array()}}}};
}

json response(const std::string& id, double volume_pct, const std::string& recist) {
  return {{"timepoint", id},
          {"vs_baseline", {{"volume_change_pct", volume_pct}, {"sld_change_pct", -31.0}}},
          {"vs_nadir", {{"volume_change_pct", volume_pct}, {"sld_change_pct", nullptr}}},
          {"criteria",
           {{"recist_1_1", {{"category", recist}, {"new_lesion_ids", {7}}}},
            {"volumetric", {{"category", "SD"}}},
            {"rano_2_0_volumetric", {{"category", "SD"}}}}},
          {"prediction", nullptr},
          {"reasons", {{"prediction", "no model"}}}};
}

// A fresh output folder per test, removed afterwards.
class CohortTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string test = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    dir_ = fs::temp_directory_path() / ("oncotrack_cohort_table_" + test + "_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write(const fs::path& relative, const std::string& text) {
    fs::create_directories((dir_ / relative).parent_path());
    std::ofstream(dir_ / relative) << text;
  }
  fs::path dir_;
};

TEST_F(CohortTableTest, OneRowPerFollowUpAndOnePerSubjectWithoutAReport) {
  json a = {{"subject", "a"}, {"status", "ok"}};
  a["timepoints"] = {timepoint("base", "baseline", 0, 2.0, 20.0),
                     timepoint("fu1", "follow-up", 42, 1.0, 13.8),
                     timepoint("fu2", "follow-up", 84, 4.0, 30.0)};
  a["timepoints"][1]["registration"] = {{"suspect", true}, {"ncc_body", {{"after", 0.41}}}};
  a["timepoints"][2]["registration"] = {{"suspect", false}, {"ncc_body", {{"after", 0.93}}}};
  a["timepoints"][2]["segmentation"] = {{"reference_agreement", {{"dice", 0.8}}}};
  a["timepoints"][2]["warnings"] = {"something to look at"};
  a["response"] = {response("fu1", -50.0, "PR"), response("fu2", 100.0, "PD")};
  a["response"][1]["prediction"] = {{"probability", 0.25}, {"label", "non-responder"}};
  write("sub-a/sub-a_report.json", a.dump());
  write("sub-b/error.json", json{{"stage", "segment"}, {"message", "cannot read\tthe scan"}}.dump());
  fs::create_directories(dir_ / "sub-c");  // still running, or killed
  write("sub-d/sub-d_report.json", "{\"subject\": \"d\", ");
  json e = {{"subject", "e"}, {"status", "ok"}, {"response", json::array()}};
  e["timepoints"] = {timepoint("only", "baseline", 0, 1.5, 12.0)};
  write("sub-e/sub-e_report.json", e.dump());
  fs::create_directories(dir_ / "not-a-subject");

  const CohortTable t = collect_cohort(dir_);
  ASSERT_EQ(t.rows.size(), 6u);
  std::vector<std::string> subjects, statuses;
  for (const json& r : t.rows) {
    subjects.push_back(r.at("subject"));
    statuses.push_back(r.at("status"));
    EXPECT_EQ(r.size(), kCohortColumns.size());
  }
  EXPECT_EQ(subjects, (std::vector<std::string>{"a", "a", "b", "c", "d", "e"}));
  EXPECT_EQ(statuses, (std::vector<std::string>{"ok", "ok", "failed", "incomplete", "unreadable", "ok"}));

  const json& fu1 = t.rows[0];
  EXPECT_EQ(fu1.at("follow_up"), "fu1");
  EXPECT_EQ(fu1.at("day"), 42);
  EXPECT_EQ(fu1.at("baseline"), "base");
  EXPECT_EQ(fu1.at("baseline_volume_ml"), 2.0);
  EXPECT_EQ(fu1.at("volume_ml"), 1.0);
  EXPECT_EQ(fu1.at("sld_mm"), 13.8);
  EXPECT_EQ(fu1.at("volume_change_vs_baseline_pct"), -50.0);
  EXPECT_TRUE(fu1.at("sld_change_vs_nadir_pct").is_null());
  EXPECT_EQ(fu1.at("recist_1_1"), "PR");
  EXPECT_EQ(fu1.at("new_lesions"), 1);
  EXPECT_EQ(fu1.at("registration_ncc_body"), 0.41);
  EXPECT_TRUE(fu1.at("prediction_probability").is_null());
  EXPECT_EQ(fu1.at("qc_flags"), (json{"registration_suspect", "no_prediction"}));
  EXPECT_EQ(fu1.at("report"), "sub-a/sub-a_report.json");

  const json& fu2 = t.rows[1];
  EXPECT_EQ(fu2.at("recist_1_1"), "PD");
  EXPECT_EQ(fu2.at("prediction_probability"), 0.25);
  EXPECT_EQ(fu2.at("prediction_label"), "non-responder");
  EXPECT_EQ(fu2.at("dice_vs_reference"), 0.8);
  EXPECT_EQ(fu2.at("qc_flags"), (json{"warnings"}));

  EXPECT_EQ(t.rows[2].at("error"), "segment: cannot read\tthe scan");
  EXPECT_TRUE(t.rows[5].at("follow_up").is_null());
  EXPECT_EQ(t.rows[5].at("baseline_volume_ml"), 1.5);
  ASSERT_EQ(t.problems.size(), 1u);
  EXPECT_NE(t.problems[0].find("sub-d_report.json"), std::string::npos) << t.problems[0];

  // TSV: a header of the columns, one line per row, n/a for null, no tab inside a cell.
  std::istringstream tsv(cohort_tsv(t));
  std::string line;
  std::vector<std::vector<std::string>> cells;
  while (std::getline(tsv, line)) {
    cells.emplace_back();
    std::istringstream l(line);
    for (std::string c; std::getline(l, c, '\t');) cells.back().push_back(c);
  }
  ASSERT_EQ(cells.size(), 7u);
  EXPECT_EQ(cells[0], kCohortColumns);
  for (const auto& row : cells) EXPECT_EQ(row.size(), kCohortColumns.size());
  const auto column = [&](const std::string& name) {
    return std::find(kCohortColumns.begin(), kCohortColumns.end(), name) - kCohortColumns.begin();
  };
  EXPECT_EQ(cells[1][column("prediction_probability")], "n/a");
  EXPECT_EQ(cells[1][column("qc_flags")], "registration_suspect;no_prediction");
  EXPECT_EQ(cells[2][column("qc_flags")], "warnings");
  EXPECT_EQ(cells[3][column("error")], "segment: cannot read the scan");
  EXPECT_EQ(cells[1][column("volume_change_vs_baseline_pct")], "-50");
  EXPECT_EQ(cohort_json(t).at("rows").size(), 6u);
}

// Found by fuzz/report_fuzzer: the JSON parser's message quotes the invalid byte it stopped at, so the problem
// list held invalid UTF-8 and writing cohort.json threw (`aggregate` ended as an internal error).
TEST_F(CohortTableTest, AReportWithInvalidUtf8IsAProblemAndTheTableStillWrites) {
  write("sub-a/sub-a_report.json", "{\"subject\": \"a\", \"status\": \"ok\", \"x\": \"\x95\"}");
  const CohortTable t = collect_cohort(dir_);
  ASSERT_EQ(t.problems.size(), 1u);
  write_json_file(dir_ / "cohort.json", cohort_json(t));
  const json back = read_json_file(dir_ / "cohort.json", "cohort table");
  ASSERT_EQ(back.at("problems").size(), 1u);
  EXPECT_NE(back.at("problems")[0].get<std::string>().find("sub-a_report.json"), std::string::npos);
}

// The same overflow fuzz/manifest_fuzzer found in manifests: read_json_file refuses it as an Error.
TEST_F(CohortTableTest, AReportWithANumberOverflowIsAProblem) {
  write("sub-a/sub-a_report.json", R"({"subject": "a", "status": "ok", "x": 2E2222})");
  const CohortTable t = collect_cohort(dir_);
  ASSERT_EQ(t.problems.size(), 1u);
  EXPECT_NE(t.problems[0].find("not valid JSON"), std::string::npos) << t.problems[0];
}

TEST_F(CohortTableTest, RefusesAFolderWithoutSubjects) {
  fs::create_directories(dir_);
  EXPECT_THROW(collect_cohort(dir_), Error);
  EXPECT_THROW(collect_cohort(dir_ / "missing"), Error);
}

}  // namespace
}  // namespace oncotrack::report
