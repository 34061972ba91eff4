#include "oncotrack/pipeline/run.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "oncotrack/core/error.h"
#include "unit/pipeline/subject_entries.h"

namespace oncotrack::pipeline {
namespace {

namespace fs = std::filesystem;

class RunCohortTest : public ::testing::Test {
 protected:
  void SetUp() override {
    out_ = fs::temp_directory_path() / ("oncotrack_run_" + std::to_string(::getpid()));
    fs::remove_all(out_);
    for (const char* id : {"a", "b", "c"})
      cohort_.subjects.push_back(testing::baseline_only_subject(id, out_ / "missing.nii.gz"));
    options_.out_dir = out_;
    options_.threads = 2;
  }
  void TearDown() override { fs::remove_all(out_); }
  io::Cohort cohort_;
  RunOptions options_;
  fs::path out_;
};

TEST_F(RunCohortTest, CancelledRunStartsNothingAndWritesNoSubjectOutput) {
  std::atomic<bool> cancel{true};
  options_.cancel = &cancel;
  const auto outcomes = run_cohort(cohort_, options_);
  ASSERT_EQ(outcomes.size(), 3u);
  for (const auto& o : outcomes) {
    EXPECT_FALSE(o.ok);
    EXPECT_TRUE(o.interrupted);
    EXPECT_FALSE(fs::exists(out_ / ("sub-" + o.subject)));
  }
}

TEST_F(RunCohortTest, FailedSubjectsGetErrorFilesAndNeverStopTheBatch) {
  const auto outcomes = run_cohort(cohort_, options_);
  ASSERT_EQ(outcomes.size(), 3u);
  for (const auto& o : outcomes) {
    EXPECT_FALSE(o.ok);
    EXPECT_FALSE(o.interrupted);
    EXPECT_EQ(o.output, error_path(out_, o.subject));
    EXPECT_TRUE(fs::exists(o.output));
    EXPECT_NE(o.message.find("missing.nii.gz"), std::string::npos) << o.message;
  }
  EXPECT_TRUE(fs::exists(out_ / "dataset_description.json"));
  // A failure is never up to date: a second run retries every subject (and fails them again).
  for (const auto& o : run_cohort(cohort_, options_)) {
    EXPECT_FALSE(o.ok);
    EXPECT_FALSE(o.up_to_date);
    EXPECT_TRUE(fs::exists(o.output));
  }
}

TEST_F(RunCohortTest, InputLevelProblemsRunNothing) {
  cohort_.problems.push_back({"", "", "m.csv", "manifest is missing required column(s): path", "", ""});
  EXPECT_THROW(run_cohort(cohort_, options_), Error);
  EXPECT_FALSE(fs::exists(out_));
}

}  // namespace
}  // namespace oncotrack::pipeline
