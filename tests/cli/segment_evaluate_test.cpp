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

// `run --tumor-source model` with the nothing-is-tumour model: every timepoint is measured from the model's
// (empty) masks, the manifest's become the reference (Dice 0 against a non-empty one, reference volume =
// the manifest mask's), and each follow-up gets the zero-weight head's probability sigmoid(0) = 0.5, which is
// at the threshold and so labelled "responder". `predict` gives the same prediction as `run`.
TEST_F(SegmentEvaluate, RunMeasuresTheModelsMasksWhenAskedAndPredictMatchesRun) {
  const fs::path none = model("none_run", -3.0f);
  const fs::path out = *dir_ / "run_model";
  const CliResult r = run_cli("-j 2 run " + manifest().string() + " --out " + out.string() + " --model " +
                              none.string() + " --tumor-source model");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const fs::path masks_out = *dir_ / "run_masks";
  const CliResult m = run_cli("-j 2 run " + manifest().string() + " --out " + masks_out.string() +
                              " --model " + none.string());
  ASSERT_EQ(m.exit_code, 0) << m.err;
  const fs::path predicted = *dir_ / "predict";
  const CliResult p = run_cli("-j 2 predict " + manifest().string() + " --out " + predicted.string() +
                              " --model " + none.string() + " --tumor-source model");
  ASSERT_EQ(p.exit_code, 0) << p.err;
  for (const std::string id : {"cr", "pr", "sd", "pd"}) {
    const fs::path path = out / ("sub-" + id) / ("sub-" + id + "_report.json");
    EXPECT_EQ(schema_errors(path), "") << path;
    const json rep = read_json(path);
    const json by_mask = read_json(masks_out / ("sub-" + id) / ("sub-" + id + "_report.json"));
    EXPECT_EQ(rep.at("provenance").at("model").at("sha256").get<std::string>().size(), 64u);
    for (std::size_t t = 0; t < rep.at("timepoints").size(); ++t) {
      const json& tp = rep.at("timepoints")[t];
      EXPECT_EQ(tp.at("tumor").at("source"), "model");
      EXPECT_EQ(tp.at("tumor").at("total_volume_ml").get<double>(), 0.0);
      const json& agreement = tp.at("segmentation").at("reference_agreement");
      const json& measured_by_mask = by_mask.at("timepoints")[t].at("tumor");
      EXPECT_EQ(by_mask.at("timepoints")[t].at("tumor").at("source"), "mask");  // auto: the manifest's
      EXPECT_NEAR(agreement.at("reference_ml").get<double>(),
                  measured_by_mask.at("mask_volume_ml").get<double>(), 1e-3);
      EXPECT_EQ(agreement.at("dice").get<double>(),
                measured_by_mask.at("mask_volume_ml").get<double>() > 0 ? 0.0 : 1.0);
      EXPECT_TRUE(fs::exists(out / ("sub-" + id) / tp.at("segmentation").at("mask").get<std::string>()));
    }
    const json pred = read_json(predicted / ("sub-" + id) / ("sub-" + id + "_prediction.json"));
    EXPECT_EQ(schema_errors(predicted / ("sub-" + id) / ("sub-" + id + "_prediction.json")), "");
    ASSERT_EQ(pred.at("prediction").size(), rep.at("response").size());
    for (std::size_t f = 0; f < rep.at("response").size(); ++f) {
      const json& a = rep.at("response")[f].at("prediction");
      EXPECT_EQ(a.at("probability").get<double>(), 0.5);
      EXPECT_EQ(a.at("label"), "responder");
      EXPECT_EQ(a.at("crop").at("tumour_voxels"), 0);  // no tumour in either mask: the grid's centre
      EXPECT_EQ(pred.at("prediction")[f].at("prediction"), a);
    }
  }
}

// A model whose working grid is one voxel cannot normalise any scan. With the manifest's masks at every
// timepoint the subject still completes, measured on them; the report says why there is no segmentation or
// prediction, and no mask file of the failed attempt is left. Asked to measure the model's masks, the subject
// fails and error.json names the stage and the scan.
TEST_F(SegmentEvaluate, AFailedSegmentationFallsBackToTheManifestsMasks) {
  const json preprocessing{{"sequence", "t1c"},
                           {"preprocess", {{"resample", {{"spacing_mm", {500, 500, 500}}}}}}};
  const fs::path coarse = write_constant_model(*dir_ / "one_voxel.safetensors", 3.0f, preprocessing);
  const fs::path out = *dir_ / "run_fallback";
  const CliResult r =
      run_cli("-j 2 run " + manifest().string() + " --out " + out.string() + " --model " + coarse.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json expected = read_json(*dir_ / "cohort" / "expected.json");
  for (const auto& [id, subject] : expected.at("subjects").items()) {
    const fs::path path = out / ("sub-" + id) / ("sub-" + id + "_report.json");
    EXPECT_EQ(schema_errors(path), "") << path;
    const json rep = read_json(path);
    for (const json& tp : rep.at("timepoints")) {
      EXPECT_EQ(tp.at("tumor").at("source"), "mask") << id;
      EXPECT_TRUE(tp.at("segmentation").is_null()) << id;
      const std::string why = tp.at("reasons").at("segmentation");
      EXPECT_NE(why.find("cannot normalise"), std::string::npos) << why;
      EXPECT_NE(why.find("while segmenting"), std::string::npos) << why;
    }
    for (const json& f : rep.at("response"))
      EXPECT_NE(f.at("reasons").at("prediction").get<std::string>().find("segmentation failed"),
                std::string::npos)
          << f;
    for (const auto& file : fs::recursive_directory_iterator(out / ("sub-" + id)))
      EXPECT_EQ(file.path().filename().string().find("_desc-tumor_"), std::string::npos) << file.path();
  }
  const fs::path forced = *dir_ / "run_fallback_model";
  const CliResult m = run_cli("-j 2 run " + manifest().string() + " --out " + forced.string() + " --model " +
                              coarse.string() + " --tumor-source model");
  EXPECT_EQ(m.exit_code, 2) << m.err;
  const fs::path error = forced / "sub-pr" / "error.json";
  EXPECT_EQ(schema_errors(error), "") << error;
  const json e = read_json(error);
  EXPECT_EQ(e.at("stage"), "segment");
  EXPECT_NE(e.at("message").get<std::string>().find("sub-pr ses-"), std::string::npos) << e;
  EXPECT_FALSE(fs::exists(forced / "sub-pr" / "sub-pr_report.json"));
}

}  // namespace
}  // namespace oncotrack::testing
