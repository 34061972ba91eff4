// Resume's two decisions: the fingerprint changes with anything a result depends on (an input file's bytes, the
// config, the model, the stage) and with nothing else; a result is up to date only when it is a whole document
// of status "ok" recording that fingerprint. clear_stale removes the result, error.json and a killed run's
// temporaries, and nothing else.
#include "oncotrack/pipeline/resume.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "oncotrack/pipeline/segmentation.h"
#include "unit/pipeline/subject_entries.h"

namespace oncotrack::pipeline {
namespace {

namespace fs = std::filesystem;

class ResumeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("oncotrack_resume_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    std::ofstream(dir_ / "t0.nii.gz") << "image bytes";
    subject_ = testing::baseline_only_subject("a", dir_ / "t0.nii.gz");
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
  }
  fs::path dir_;
  io::SubjectEntry subject_;
  RunOptions options_;
};

TEST_F(ResumeTest, TheFingerprintFollowsInputsConfigModelAndStageOnly) {
  const std::string base = subject_fingerprint(subject_, options_);
  EXPECT_EQ(base.size(), 64u);
  RunOptions other_threads = options_;
  other_threads.threads = 7;
  other_threads.jobs = 3;
  other_threads.out_dir = dir_ / "elsewhere";
  EXPECT_EQ(subject_fingerprint(subject_, other_threads), base);  // how it runs does not change results

  std::ofstream(dir_ / "t0.nii.gz") << "other bytes";
  const std::string changed_input = subject_fingerprint(subject_, options_);
  EXPECT_NE(changed_input, base);
  std::ofstream(dir_ / "t0.nii.gz") << "image bytes";
  EXPECT_EQ(subject_fingerprint(subject_, options_), base);

  RunOptions config = options_;
  config.config.analysis.measurable_min_diameter_mm += 1;
  EXPECT_NE(subject_fingerprint(subject_, config), base);
  RunOptions stage = options_;
  stage.stage = RunOptions::Stage::kRegistration;
  EXPECT_NE(subject_fingerprint(subject_, stage), base);
  LoadedModel model;
  model.sha256 = std::string(64, 'a');
  RunOptions with_model = options_;
  with_model.model = &model;
  EXPECT_NE(subject_fingerprint(subject_, with_model), base);
  io::SubjectEntry later_day = subject_;
  later_day.timepoints[0].day = 3;
  EXPECT_NE(subject_fingerprint(later_day, options_), base);
}

TEST_F(ResumeTest, OnlyAWholeOkResultWithTheSameFingerprintIsUpToDate) {
  const std::string fp(64, 'f');
  const fs::path result = dir_ / "sub-a" / "sub-a_report.json";
  EXPECT_FALSE(up_to_date(result, fp));  // none
  write(result, R"({"status": "ok", "provenance": {"fingerprint": ")" + fp + R"("}})");
  EXPECT_TRUE(up_to_date(result, fp));
  EXPECT_FALSE(up_to_date(result, std::string(64, 'e')));
  write(result, R"({"status": "failed", "provenance": {"fingerprint": ")" + fp + R"("}})");
  EXPECT_FALSE(up_to_date(result, fp));
  write(result, R"({"status": "ok", "provenance": {"fingerprint": ")" + fp.substr(0, 20));  // cut short
  EXPECT_FALSE(up_to_date(result, fp));
  write(result, R"({"status": "ok", "provenance": {"fingerprint": null}})");
  EXPECT_FALSE(up_to_date(result, fp));
  write(result, R"(["ok"])");
  EXPECT_FALSE(up_to_date(result, fp));
}

TEST_F(ResumeTest, ClearStaleRemovesResultErrorAndTemporariesOnly) {
  const fs::path folder = dir_ / "sub-a";
  write(folder / "sub-a_report.json", "{}");
  write(folder / "error.json", "{}");
  write(folder / "ses-t0" / ".tmp-123-4-sub-a_ses-t0_desc-tumor_mask.nii.gz", "half");
  write(folder / "ses-t0" / "sub-a_ses-t0_desc-tumor_mask.nii.gz", "whole");
  write(dir_ / ".tmp-9-1-dataset_description.json", "half");
  write(dir_ / ".tmp-9-2-other.json", "someone else's");
  clear_stale(folder / "sub-a_report.json", folder / "error.json");
  EXPECT_FALSE(fs::exists(folder / "sub-a_report.json"));
  EXPECT_FALSE(fs::exists(folder / "error.json"));
  EXPECT_FALSE(fs::exists(folder / "ses-t0" / ".tmp-123-4-sub-a_ses-t0_desc-tumor_mask.nii.gz"));
  EXPECT_TRUE(fs::exists(folder / "ses-t0" / "sub-a_ses-t0_desc-tumor_mask.nii.gz"));
  clear_stale_temporaries(dir_, "dataset_description.json");
  EXPECT_FALSE(fs::exists(dir_ / ".tmp-9-1-dataset_description.json"));
  EXPECT_TRUE(fs::exists(dir_ / ".tmp-9-2-other.json"));
}

}  // namespace
}  // namespace oncotrack::pipeline
