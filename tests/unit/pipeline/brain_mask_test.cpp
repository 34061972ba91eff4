#include "oncotrack/pipeline/brain_mask.h"

#include <gtest/gtest.h>

#include <cmath>

#include "brain_phantom.h"
#include "oncotrack/core/error.h"
#include "oncotrack/pipeline/segmentation.h"
#include "oncotrack/preprocess/body_mask.h"
#include "support/constant_model.h"
#include "support/rotations.h"
#include "unit/preprocess/test_volumes.h"

namespace oncotrack::pipeline {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::brain_distance_mm;

// The scans show the phantom moved: rotated 8 degrees about S, scaled by 1.06 and shifted.
const Mat3 kMotion = [] {
  Mat3 m = testing::rotation(2, 8);
  for (auto& row : m)
    for (double& v : row) v *= 1.06;
  return m;
}();
const Vec3 kShift{6, -9, 7};

const Geometry kScanGrid = test::centred_grid({112, 130, 60}, {1.6, 1.6, 3.2});

BrainAtlas phantom_atlas() {
  return make_brain_atlas("phantom", test::scan_of(test::kAtlasGrid, kIdentity3, {}),
                          test::atlas_distance(test::kAtlasGrid));
}

// Voxels of g whose phantom point (kMotion x + kShift) lies within `margin_mm` of the brain.
Mask true_brain(const Geometry& g, double margin_mm) {
  return test::sample_through<std::uint8_t>(
      g, kMotion, kShift, [margin_mm](const Vec3& y) { return brain_distance_mm(y) <= margin_mm; });
}

TEST(BrainMask, FollowsTheHeadThroughAnAffineMotion) {
  const ImageF scan = test::scan_of(kScanGrid, kMotion, kShift);
  const Mask body = preprocess::body_mask(scan);
  const BrainAtlas atlas = phantom_atlas();
  for (const double dilation : {0.0, 6.0}) {
    const BrainMask b = brain_mask(atlas, dilation, scan, body);
    ASSERT_TRUE(b.applied) << b.summary.dump();
    const Mask truth = true_brain(kScanGrid, dilation);
    EXPECT_GE(preprocess::test::dice(b.mask, truth), 0.95) << b.summary.dump();
    EXPECT_GE(b.summary.at("registration").at("head_dice").get<double>(), 0.9);
    EXPECT_NEAR(b.summary.at("volume_ml").get<double>(),
                double(preprocess::test::count(b.mask)) * kScanGrid.voxel_volume_ml(), 1e-6);
  }
}

TEST(BrainMask, IsNotAppliedWhenTheHeadOutlinesDisagree) {
  // A long cylinder (a limb, a mouse) is not a head: no affine map makes the outlines agree.
  ImageF scan(kScanGrid);
  for (std::size_t k = 0; k < kScanGrid.size[2]; ++k)
    for (std::size_t j = 0; j < kScanGrid.size[1]; ++j)
      for (std::size_t i = 0; i < kScanGrid.size[0]; ++i) {
        const Vec3 x = kScanGrid.index_to_lps({double(i), double(j), double(k)});
        scan.at(i, j, k) = std::hypot(x[0], x[1] - 40) < 25 ? 100.0f + float(std::abs(x[2]) < 20) * 50 : 0.0f;
      }
  const BrainMask b = brain_mask(phantom_atlas(), 5, scan, preprocess::body_mask(scan));
  EXPECT_FALSE(b.applied);
  EXPECT_EQ(preprocess::test::count(b.mask), b.mask.voxels.size()) << "not applied: every voxel kept";
  EXPECT_NE(b.summary.at("reason").get<std::string>().find("implausible"), std::string::npos);
  EXPECT_TRUE(b.summary.at("volume_ml").is_null());
}

TEST(BrainMask, AScanTooSmallToRegisterIsSegmentedWithoutIt) {
  const Geometry g = test::centred_grid({6, 6, 2}, {2, 2, 4});
  ImageF scan(g, 0);
  scan.at(2, 2, 0) = scan.at(3, 3, 1) = 100;  // a body of 2 voxels: nothing to register
  Mask body(g, 0);
  body.at(2, 2, 0) = body.at(3, 3, 1) = 1;
  const BrainMask b = brain_mask(phantom_atlas(), 5, scan, body);
  EXPECT_FALSE(b.applied);
  EXPECT_EQ(preprocess::test::count(b.mask), b.mask.voxels.size());
  EXPECT_NE(b.summary.at("reason").get<std::string>().find("the atlas registration failed"),
            std::string::npos)
      << b.summary;
  EXPECT_TRUE(b.summary.at("registration").is_null());
}

json preprocessing() {
  return {
      {"sequence", "t1c"},
      {"preprocess",
       {{"resample", {{"spacing_mm", {3.0, 3.0, 3.0}}}}, {"crop", {{"enabled", true}, {"margin_mm", 5}}}}}};
}

fs::path model_file(const std::string& name, const json& pre, std::vector<nn::NamedTensor> extra) {
  return testing::write_constant_model(fs::temp_directory_path() / (name + ".safetensors"), 2.0f, pre,
                                       std::move(extra));
}

TEST(BrainMask, SegmentationZeroesTheProbabilityOutsideTheBrain) {
  const LoadedModel model = load_model(
      model_file("brain_seg", test::atlas_preprocessing(preprocessing(), 5), test::atlas_tensors()));
  ASSERT_TRUE(model.brain_atlas);
  const ImageF scan = test::scan_of(kScanGrid, kMotion, kShift);
  nn::ThreadPool pool(2);
  const ScanSegmentation s = segment_scan(model, scan, 0, pool);
  const json& summary = s.summary.at("brain_mask");
  ASSERT_TRUE(summary.at("applied").get<bool>()) << summary.dump();
  const Mask deep_inside = true_brain(kScanGrid, -6), far_outside = true_brain(kScanGrid, 10);
  const Mask head = preprocess::body_mask(scan);
  const float inside_p = 1.0f / (1.0f + std::exp(-2.0f));
  std::size_t inside = 0, outside = 0;
  for (std::size_t v = 0; v < scan.voxels.size(); ++v) {
    if (deep_inside.voxels[v]) {
      ++inside;
      EXPECT_NEAR(s.probability.voxels[v], inside_p, 1e-4f);
    } else if (!far_outside.voxels[v] && head.voxels[v]) {
      ++outside;
      EXPECT_EQ(s.probability.voxels[v], 0.0f);
    }
  }
  EXPECT_GT(inside, 10000u);
  EXPECT_GT(outside, 1000u) << "the scalp lies more than 10 mm outside the brain";

  const LoadedModel plain = load_model(model_file("brain_seg_plain", preprocessing(), {}));
  EXPECT_FALSE(plain.brain_atlas);
  EXPECT_TRUE(segment_scan(plain, scan, 0, pool).summary.at("brain_mask").is_null());
}

void expect_load_error(const fs::path& file, const std::string& part) {
  try {
    load_model(file);
    FAIL() << "expected an error containing " << part;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
  }
}

TEST(BrainMask, LoadingChecksTheAtlasTensorsAgainstTheMetadata) {
  const json with_atlas = test::atlas_preprocessing(preprocessing(), 5);
  expect_load_error(model_file("brain_missing", with_atlas, {}),
                    "missing tensor preprocessing.brain_atlas.image");
  expect_load_error(model_file("brain_unexpected", preprocessing(), test::atlas_tensors()),
                    "unexpected tensor preprocessing.brain_atlas");
  json other_grid = with_atlas;
  other_grid["brain_mask"]["atlas_geometry"]["size"] = {72, 84, 75};
  expect_load_error(model_file("brain_shape", other_grid, test::atlas_tensors()),
                    "does not match preprocessing.brain_mask.atlas_geometry");
  json singular = with_atlas;
  singular["brain_mask"]["atlas_geometry"]["direction"] = {{1, 0, 0}, {1, 0, 0}, {0, 0, 1}};
  expect_load_error(model_file("brain_singular", singular, test::atlas_tensors()),
                    "preprocessing.brain_mask.atlas_geometry.direction");
  json no_geometry = with_atlas;
  no_geometry["brain_mask"].erase("atlas_geometry");
  expect_load_error(model_file("brain_no_geometry", no_geometry, test::atlas_tensors()),
                    "preprocessing.brain_mask.atlas_geometry");
}

}  // namespace
}  // namespace oncotrack::pipeline
