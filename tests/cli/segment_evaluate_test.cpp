// `oncotrack segment` and `oncotrack evaluate` on the synthetic cohort: a model that calls everything tumour
// and one that calls nothing tumour give masks on each scan's own grid whose Dice against the reference is
// what the voxel counts say; the reference masks evaluated against themselves agree perfectly.
#include <gtest/gtest.h>

#include "support/constant_model.h"
#include "support/run_cli.h"

namespace oncotrack::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class SegmentEvaluate : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fresh_dir("segment_evaluate"));
    const CliResult synth = run_cli("synth --out " + (*dir_ / "cohort").string());
    ASSERT_EQ(synth.exit_code, 0) << synth.err;
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
  }
  static fs::path manifest() { return *dir_ / "cohort" / "manifest.csv"; }
  static fs::path model(const std::string& name, float logit) {
    const json preprocessing{{"sequence", "t1c"},
                             {"preprocess", {{"resample", {{"spacing_mm", {2, 2, 3}}}}}}};
    return write_constant_model(*dir_ / (name + ".safetensors"), logit, preprocessing);
  }
  static fs::path* dir_;
};
fs::path* SegmentEvaluate::dir_ = nullptr;

TEST_F(SegmentEvaluate, EverythingAndNothingGiveTheDiceTheCountsSay) {
  for (const float logit : {3.0f, -3.0f}) {
    const fs::path out = *dir_ / (logit > 0 ? "all" : "none");
    const CliResult seg = run_cli("-j 2 segment " + manifest().string() + " --out " + out.string() +
                                  " --model " + model(logit > 0 ? "all" : "none", logit).string());
    ASSERT_EQ(seg.exit_code, 0) << seg.err;
    const json report = read_json(out / "sub-pr" / "sub-pr_segmentation.json");
    EXPECT_EQ(report.at("timepoints").size(), 3u);
    EXPECT_EQ(report.at("model").at("sha256").get<std::string>().size(), 64u);
    const CliResult ev = run_cli("evaluate " + out.string() + " " + manifest().string() + " --json " +
                                 (out / "evaluation.json").string());
    ASSERT_EQ(ev.exit_code, 0) << ev.err;
    const json e = read_json(out / "evaluation.json");
    EXPECT_EQ(e.at("problems").size(), 0u) << e.at("problems");
    ASSERT_GE(e.at("cases").size(), 12u);
    for (const auto& c : e.at("cases")) {
      const double ref = c.at("reference_ml"), pred = c.at("predicted_ml");
      if (logit > 0) {
        // The whole scan is predicted: Dice = 2·ref / (ref + scan).
        EXPECT_NEAR(c.at("dice").get<double>(), 2 * ref / (ref + pred), 1e-9) << c;
        EXPECT_GT(pred, 100.0);
      } else {
        EXPECT_EQ(pred, 0.0);
        EXPECT_EQ(c.at("dice").get<double>(), ref > 0 ? 0.0 : 1.0) << c;
        EXPECT_TRUE(c.at("hd95_mm").is_null());
      }
    }
  }
}

TEST_F(SegmentEvaluate, ReferenceMasksAgreeWithThemselves) {
  const fs::path out = *dir_ / "copied";
  const json expected = read_json(*dir_ / "cohort" / "expected.json");
  for (const auto& [id, subject] : expected.at("subjects").items())
    for (const auto& tp : subject.at("timepoints")) {
      const std::string t = tp.at("id");
      const fs::path dst =
          out / ("sub-" + id) / ("ses-" + t) / ("sub-" + id + "_ses-" + t + "_desc-tumor_mask.nii.gz");
      fs::create_directories(dst.parent_path());
      fs::copy_file(*dir_ / "cohort" / tp.at("mask").get<std::string>(), dst);
    }
  const CliResult ev = run_cli("evaluate " + out.string() + " " + manifest().string());
  ASSERT_EQ(ev.exit_code, 0) << ev.err;
  EXPECT_NE(ev.out.find("dice_median\t1.000"), std::string::npos) << ev.out;
  EXPECT_NE(ev.out.find("hd95_median_mm\t0.000"), std::string::npos) << ev.out;
  EXPECT_NE(ev.out.find("changes_with_same_sign\t8"), std::string::npos) << ev.out;
  // Nothing to compare: exit 1 and the reason.
  const CliResult empty = run_cli("evaluate " + (*dir_ / "cohort").string() + " " + manifest().string());
  EXPECT_EQ(empty.exit_code, 1);
  EXPECT_NE(empty.err.find("no predicted mask"), std::string::npos) << empty.err;
}

}  // namespace
}  // namespace oncotrack::testing
