// The bundled default model on real glioblastoma scans nobody here made and the model never saw: TCIA
// Brain-Tumor-Progression (../shared/data/real/btp; Schmainda & Prah 2018, doi:10.7937/K9/TCIA.2018.15quzvnb,
// CC BY 3.0), T1 post-contrast with tumour masks before and at progression. `oncotrack segment` then
// `oncotrack evaluate` give Dice, HD95 and volume error per scan and whether the predicted volume change has
// the reference's sign. The goal is a median Dice of 0.70; the floors below are what the bundled
// model measured (a regression check, see data/models/oncotrack-t1c-brain-v4.md), not the goal. The model's
// brain mask (Colin27 registered to each scan) must be applied on every scan: these are adult heads.
//
// The NIfTI re-packaging lost the geometry (spacing 1 × 1 × 1 mm, see btp/README.md). The test restores an
// assumed one on temporary copies: 256 × 256 at 0.9375 mm (a 240 mm field of view) and 6.5 mm between slices
// (5 mm slices with a 1.5 mm gap, the usual protocol of these perfusion studies). The model resamples to its
// own 1.5 × 1.5 × 3 mm grid, so a wrong assumption shows up as a scale error, not a crash.
#include <gtest/gtest.h>

#include <iostream>

#include "oncotrack/io/image_io.h"
#include "support/run_cli.h"

namespace oncotrack::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kReal = ONCOTRACK_REAL_DATA_DIR;
// oncotrack-t1c-brain-v4 measured Dice median 0.237, mean 0.225, same sign 2 of 6 (its model card; v3,
// the same weights without the brain mask: 0.078, 0.122, 2 of 6).
constexpr double kMedianDiceFloor = 0.23;
constexpr double kMeanDiceFloor = 0.22;
constexpr std::size_t kSameSignFloor = 2;  // of 6 pairs

template <class V>
void with_assumed_spacing(V volume, const fs::path& out, void (*write)(const V&, const fs::path&)) {
  volume.geometry.spacing_mm = {0.9375, 0.9375, 6.5};
  write(volume, out);
}

TEST(RealBtpModel, BundledModelAgainstTheReferenceMasks) {
  if (!fs::exists(kReal / "btp")) GTEST_SKIP() << "no " << kReal / "btp";
  const fs::path dir = fresh_dir("real_btp_model");
  std::ofstream manifest(dir / "manifest.csv");
  manifest << "subject,timepoint,day,sequence,path,mask\n";
  for (const std::string id : {"01", "02", "03", "05", "06", "07"})
    for (const std::string tp : {"Pre", "Post"}) {
      const fs::path src = kReal / "btp" / id;
      const std::string stem = id + "_" + tp;
      with_assumed_spacing(io::read_image(src / (tp + "_Scan_T1.nii.gz")), dir / (stem + "_T1.nii.gz"),
                           &io::write_image);
      with_assumed_spacing(io::read_labels(src / (tp + "_Mask.nii.gz")), dir / (stem + "_mask.nii.gz"),
                           &io::write_labels);
      manifest << id << ',' << (tp == "Pre" ? "pre,0" : "post,100") << ",t1c," << stem << "_T1.nii.gz,"
               << stem << "_mask.nii.gz\n";
    }
  manifest.close();
  const CliResult seg =
      run_cli("-j 2 segment " + (dir / "manifest.csv").string() + " --out " + (dir / "seg").string());
  ASSERT_EQ(seg.exit_code, 0) << seg.err;
  for (const std::string id : {"01", "02", "03", "05", "06", "07"}) {
    const fs::path subject = dir / "seg" / ("sub-" + id);
    for (const json& tp : read_json(subject / ("sub-" + id + "_segmentation.json")).at("timepoints")) {
      const json& brain = tp.at("segmentation").at("brain_mask");
      EXPECT_TRUE(brain.at("applied").get<bool>()) << id << " " << brain;
      EXPECT_TRUE(tp.at("brain_mask").is_string() &&
                  fs::exists(subject / tp.at("brain_mask").get<std::string>()))
          << id << " " << tp.at("brain_mask");
    }
  }
  const CliResult ev = run_cli("evaluate " + (dir / "seg").string() + " " + (dir / "manifest.csv").string() +
                               " --json " + (dir / "evaluation.json").string());
  ASSERT_EQ(ev.exit_code, 0) << ev.err;
  std::cerr << ev.out;  // the per-case table and summary: the figures of the model card
  const json e = read_json(dir / "evaluation.json");
  EXPECT_EQ(e.at("problems").size(), 0u) << e.at("problems");
  EXPECT_EQ(e.at("cases").size(), 12u);
  EXPECT_EQ(e.at("changes").size(), 6u);
  EXPECT_GE(e.at("summary").at("dice_median").get<double>(), kMedianDiceFloor);
  EXPECT_GE(e.at("summary").at("dice_mean").get<double>(), kMeanDiceFloor);
  EXPECT_GE(e.at("summary").at("changes_with_same_sign").get<std::size_t>(), kSameSignFloor);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace oncotrack::testing
