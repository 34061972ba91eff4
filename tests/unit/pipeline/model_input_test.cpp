#include "oncotrack/pipeline/model_input.h"

#include <gtest/gtest.h>

#include "oncotrack/core/error.h"
#include "oncotrack/preprocess/spatial_record.h"
#include "unit/preprocess/test_volumes.h"

namespace oncotrack::pipeline {
namespace {

using nlohmann::json;
namespace pt = preprocess::test;

json full_preprocessing() {
  return {
      {"sequence", "t1c"},
      {"preprocess", {{"resample", {{"spacing_mm", {1.5, 1.5, 3.0}}}}, {"crop", {{"enabled", true}}}}},
      {"segmentation", {{"threshold", 0.4}, {"min_lesion_ml", 0.1}, {"tile_step", 0.25}, {"mirror", true}}},
      {"response", {{"threshold", 0.6}}}};
}

std::string error_of(const json& doc) {
  try {
    ModelPreprocessing::from_json(doc, "model.safetensors");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(ModelPreprocessing, ReadsEveryKeyAndRoundTrips) {
  const ModelPreprocessing m = ModelPreprocessing::from_json(full_preprocessing(), "m");
  EXPECT_EQ(m.sequence, "t1c");
  EXPECT_EQ(m.preprocess.spacing_mm, (std::vector<double>{1.5, 1.5, 3.0}));
  EXPECT_TRUE(m.preprocess.crop);
  EXPECT_DOUBLE_EQ(m.segmentation_threshold, 0.4);
  EXPECT_DOUBLE_EQ(m.min_lesion_ml, 0.1);
  EXPECT_DOUBLE_EQ(m.tile_step, 0.25);
  EXPECT_TRUE(m.mirror);
  EXPECT_DOUBLE_EQ(m.response_threshold, 0.6);
  EXPECT_EQ(ModelPreprocessing::from_json(m.to_json(), "m").to_json(), m.to_json());
}

TEST(ModelPreprocessing, OptionalSectionsTakeDefaults) {
  const ModelPreprocessing m =
      ModelPreprocessing::from_json({{"sequence", "flair"}, {"preprocess", json::object()}}, "m");
  EXPECT_DOUBLE_EQ(m.segmentation_threshold, 0.5);
  EXPECT_DOUBLE_EQ(m.tile_step, 0.5);
  EXPECT_FALSE(m.mirror);
  EXPECT_DOUBLE_EQ(m.response_threshold, 0.5);
}

TEST(ModelPreprocessing, StrictAboutKeysTypesAndValues) {
  json doc = full_preprocessing();
  doc.erase("sequence");
  EXPECT_NE(error_of(doc).find("missing config key preprocessing.sequence"), std::string::npos);
  doc = full_preprocessing();
  doc["sequence"] = "";
  EXPECT_NE(error_of(doc).find("preprocessing.sequence"), std::string::npos);
  doc = full_preprocessing();
  doc["segmentation"]["treshold"] = 0.5;
  EXPECT_NE(error_of(doc).find("unknown config key preprocessing.segmentation.treshold"), std::string::npos);
  doc = full_preprocessing();
  doc["segmentation"]["threshold"] = 1.5;
  EXPECT_NE(error_of(doc).find("preprocessing.segmentation.threshold"), std::string::npos);
  doc = full_preprocessing();
  doc["response"]["threshold"] = "high";
  EXPECT_NE(error_of(doc).find("wrong type for config key preprocessing.response.threshold"),
            std::string::npos);
  doc = full_preprocessing();
  doc["preprocess"]["resample"]["spacing_mm"] = {1.0, 0.0, 1.0};
  EXPECT_NE(error_of(doc).find("preprocess.resample.spacing_mm"), std::string::npos);
  doc = full_preprocessing();
  doc["channels"] = 2;
  const std::string e = error_of(doc);
  EXPECT_NE(e.find("unknown config key preprocessing.channels"), std::string::npos);
  EXPECT_NE(e.find("in model.safetensors"), std::string::npos);
}

TEST(TensorBridge, VoxelXYZIsTensorZYXAndBack) {
  Geometry g;
  g.size = {5, 4, 3};
  g.spacing_mm = {1, 2, 3};
  ImageF image(g);
  for (std::size_t k = 0; k < 3; ++k)
    for (std::size_t j = 0; j < 4; ++j)
      for (std::size_t i = 0; i < 5; ++i) image.at(i, j, k) = static_cast<float>(i + 10 * j + 100 * k);
  const nn::Tensor t = to_tensor(image);
  ASSERT_EQ(t.shape(), (nn::Shape{1, 1, 3, 4, 5}));
  EXPECT_EQ(t.data()[(2 * 4 + 1) * 5 + 3], 3 + 10 + 200);  // [0,0,z=2,y=1,x=3]
  const ImageF back = to_image(t, g);
  EXPECT_EQ(back.voxels, image.voxels);
  Geometry other = g;
  other.size = {4, 5, 3};
  EXPECT_THROW(to_image(t, other), Error);
}

TEST(MaskFraction, FollowsTheScanThroughReorientResampleAndCrop) {
  const Geometry g = pt::oblique_grid({61, 49, 17}, {0.9, 1.2, 3.1});
  const Mask mask = pt::sphere(g, {3, -5, 7}, 9.0);
  preprocess::PreprocessConfig config;
  config.spacing_mm = {2.0, 2.0, 2.0};
  config.normalize = false;
  config.crop = true;
  // A "head" (bright ball) around the tumour, so the body mask and the crop have something to find.
  const Mask head = pt::sphere(g, {3, -5, 7}, 24.0);
  ImageF image = pt::textured_image(g);
  for (std::size_t v = 0; v < image.voxels.size(); ++v) image.voxels[v] *= head.voxels[v];
  const preprocess::Preprocessed p = preprocess::preprocess(image, config);
  const ImageF f = mask_fraction(p, mask);
  ASSERT_TRUE(preprocess::same_grid(f.geometry, p.image.geometry));
  double volume = 0;
  for (float v : f.voxels) {
    ASSERT_GE(v, 0.0f);
    ASSERT_LE(v, 1.0f);
    volume += static_cast<double>(v);
  }
  const auto& s = f.geometry.spacing_mm;
  const double native_ml = static_cast<double>(pt::count(mask)) * 0.9 * 1.2 * 3.1 / 1000;
  EXPECT_NEAR(volume * s[0] * s[1] * s[2] / 1000, native_ml, 0.1 * native_ml);
  // Thresholded and taken back to the native grid, it is the same sphere.
  Mask half(f.geometry, 0);
  for (std::size_t v = 0; v < f.voxels.size(); ++v) half.voxels[v] = f.voxels[v] >= 0.5f;
  EXPECT_GT(pt::dice(preprocess::to_native(p, half), mask), 0.85);

  Mask elsewhere = mask;
  elsewhere.geometry.origin_mm_lps[0] += 1.0;
  EXPECT_THROW(mask_fraction(p, elsewhere), Error);
}

}  // namespace
}  // namespace oncotrack::pipeline
