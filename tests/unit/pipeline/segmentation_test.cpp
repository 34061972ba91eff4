#include "oncotrack/pipeline/segmentation.h"

#include <gtest/gtest.h>

#include <cmath>

#include "oncotrack/core/error.h"
#include "oncotrack/nn/model_file.h"
#include "oncotrack/nn/safetensors.h"
#include "oncotrack/preprocess/spatial_record.h"
#include "support/constant_model.h"
#include "unit/preprocess/test_volumes.h"

namespace oncotrack::pipeline {
namespace {

namespace fs = std::filesystem;
namespace pt = preprocess::test;
using nlohmann::json;

// A model whose segmentation logit is `logit_sum` everywhere (tests/support/constant_model.h).
fs::path constant_model(const std::string& name, float logit_sum, const json& preprocessing) {
  return testing::write_constant_model(fs::temp_directory_path() / (name + ".safetensors"), logit_sum,
                                       preprocessing);
}

json preprocessing(double min_lesion_ml = 0) {
  return {
      {"sequence", "t1c"},
      {"preprocess", {{"resample", {{"spacing_mm", {2.0, 2.0, 2.0}}}}, {"normalize", {{"enabled", true}}}}},
      {"segmentation", {{"min_lesion_ml", min_lesion_ml}}}};
}

ImageF head_scan(const Geometry& g) {
  const Mask head = pt::sphere(g, {3, -5, 7}, 24.0);
  ImageF image = pt::textured_image(g);
  for (std::size_t v = 0; v < image.voxels.size(); ++v) image.voxels[v] *= head.voxels[v];
  return image;
}

TEST(Segmentation, ProbabilityAndMaskComeBackOnTheScansNativeGrid) {
  const Geometry g = pt::oblique_grid({41, 33, 13}, {0.9, 1.2, 3.1});
  const ImageF scan = head_scan(g);
  nn::ThreadPool pool(2);
  for (const float logit : {2.0f, -2.0f}) {
    const LoadedModel model = load_model(constant_model("seg_constant", logit, preprocessing()));
    const ScanSegmentation s = segment_scan(model, scan, 0, pool);
    ASSERT_TRUE(preprocess::same_grid(s.probability.geometry, g));
    ASSERT_TRUE(preprocess::same_grid(s.mask.geometry, g));
    const std::size_t centre = g.linear(20, 16, 6);
    EXPECT_NEAR(s.probability.voxels[centre], 1.0f / (1.0f + std::exp(-logit)), 1e-5f);
    EXPECT_EQ(s.mask.voxels[centre], logit > 0 ? 1 : 0);
    std::size_t on = 0;
    for (std::uint8_t v : s.mask.voxels) on += v;
    EXPECT_EQ(s.summary.at("voxels").get<std::size_t>(), on);
    EXPECT_EQ(logit > 0, on == s.mask.voxels.size()) << "every voxel lies inside the working grid";
    EXPECT_GE(s.summary.at("tiles").get<int>(), 1);
    EXPECT_EQ(model.sha256.size(), 64u);
  }
}

TEST(Segmentation, ComponentsBelowTheMinimumVolumeAreDropped) {
  const Geometry g = pt::oblique_grid({41, 33, 13}, {0.9, 1.2, 3.1});
  nn::ThreadPool pool(1);
  // The whole scan is one component of ~52 ml: kept at a 50 ml minimum, dropped at 60 ml.
  const double scan_ml = g.voxel_volume_ml() * static_cast<double>(g.voxel_count());
  const ScanSegmentation kept = segment_scan(
      load_model(constant_model("seg_kept", 2, preprocessing(scan_ml - 1))), head_scan(g), 0, pool);
  EXPECT_EQ(kept.summary.at("components_removed"), 0);
  const ScanSegmentation dropped = segment_scan(
      load_model(constant_model("seg_dropped", 2, preprocessing(scan_ml + 1))), head_scan(g), 0, pool);
  EXPECT_EQ(dropped.summary.at("components_removed"), 1);
  EXPECT_EQ(dropped.summary.at("voxels"), 0);
}

TEST(Segmentation, LoadingRefusesOtherArchitecturesAndBadMetadata) {
  json bad = preprocessing();
  bad["segmentation"]["threshold"] = 2;
  try {
    load_model(constant_model("seg_bad", 1, bad));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("preprocessing.segmentation.threshold"), std::string::npos)
        << e.what();
  }
  const fs::path mlp = fs::temp_directory_path() / "seg_mlp.safetensors";
  nn::write_safetensors(
      mlp,
      {{"oncotrack.format_version", "1"},
       {"oncotrack.architecture", "mlp"},
       {"oncotrack.hparams", R"({"sizes":[2,1],"hidden_activation":"tanh","output_activation":"none"})"},
       {"oncotrack.preprocessing", "{}"},
       {"oncotrack.training", "{}"}},
      {{"layers.0.weight", nn::Tensor({1, 2})}, {"layers.0.bias", nn::Tensor({1})}});
  EXPECT_THROW(load_model(mlp), Error);
  EXPECT_THROW(load_model(fs::temp_directory_path() / "no_such_model.safetensors"), Error);
}

}  // namespace
}  // namespace oncotrack::pipeline
