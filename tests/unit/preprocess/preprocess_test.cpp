// The driver: step order, summary, masks back to native space, exact native geometry for every combination.
#include "oncotrack/preprocess/preprocess.h"

#include <gtest/gtest.h>

#include <cmath>

#include "oncotrack/core/error.h"
#include "oncotrack/preprocess/body_mask.h"
#include "test_volumes.h"

namespace oncotrack::preprocess {
namespace {

// An ellipsoidal "head" with a dark core, noise and a gentle bias, on the oblique flipped test grid.
ImageF make_scan() {
  const Geometry g = test::oblique_grid({48, 40, 14}, {1.1, 1.4, 3.5});
  ImageF im(g);
  test::Noise noise(11);
  const Vec3 c{3, -5, 7};
  for (std::size_t k = 0; k < g.size[2]; ++k)
    for (std::size_t j = 0; j < g.size[1]; ++j)
      for (std::size_t i = 0; i < g.size[0]; ++i) {
        const Vec3 p = test::voxel_lps(g, i, j, k);
        const double r2 = (p[0] - c[0]) * (p[0] - c[0]) / (20 * 20) +
                          (p[1] - c[1]) * (p[1] - c[1]) / (24 * 24) +
                          (p[2] - c[2]) * (p[2] - c[2]) / (18 * 18);
        double v = r2 < 1 ? (r2 < 0.1 ? 30 : 200) : 5;
        v *= 1 + 0.004 * (p[0] - c[0]);
        im.at(i, j, k) = static_cast<float>(v + 8 * noise.next());
      }
  return im;
}

std::vector<std::string> step_names(const nlohmann::json& summary) {
  std::vector<std::string> names;
  for (const auto& s : summary.at("steps")) names.push_back(s.at("step").get<std::string>());
  return names;
}

void expect_exactly_equal(const Geometry& a, const Geometry& b) {
  EXPECT_EQ(a.size, b.size);
  EXPECT_EQ(a.spacing_mm, b.spacing_mm);
  EXPECT_EQ(a.origin_mm_lps, b.origin_mm_lps);
  EXPECT_EQ(a.direction, b.direction);
}

TEST(Preprocess, DefaultsReorientAndNormalise) {
  const ImageF scan = make_scan();
  const Preprocessed p = preprocess(scan, PreprocessConfig{});
  ASSERT_EQ(p.records.size(), 1u);
  EXPECT_EQ(p.records[0].step, SpatialStep::reorient);
  EXPECT_EQ(step_names(p.summary), (std::vector<std::string>{"reorient", "normalize"}));
  EXPECT_TRUE(same_grid(p.body.geometry, p.image.geometry));
  for (int c = 0; c < 3; ++c) EXPECT_GT(p.image.geometry.direction[c][c], 0.9);
  double s = 0, s2 = 0, n = 0;
  for (std::size_t v = 0; v < p.image.voxels.size(); ++v)
    if (p.body.voxels[v]) {
      const auto x = static_cast<double>(p.image.voxels[v]);
      s += x;
      s2 += x * x;
      ++n;
    }
  EXPECT_NEAR(s / n, 0, 1e-5);
  EXPECT_NEAR(std::sqrt(s2 / n - (s / n) * (s / n)), 1, 1e-5);
  EXPECT_EQ(p.summary.at("body_mask").at("voxels").get<double>(), n);
  EXPECT_GT(p.summary.at("steps").at(1).at("sd").get<double>(), 0);
}

TEST(Preprocess, AllStepsAndBackToNativeSpace) {
  const ImageF scan = make_scan();
  PreprocessConfig config;
  config.n4 = true;
  config.n4_options.shrink_factor = 2;
  config.n4_options.iterations = {10, 10};
  config.spacing_mm = {2, 2, 2};
  config.crop = true;
  config.crop_margin_mm = 3;
  const Preprocessed p = preprocess(scan, config);
  EXPECT_EQ(step_names(p.summary),
            (std::vector<std::string>{"reorient", "n4", "resample", "crop", "normalize"}));
  ASSERT_EQ(p.records.size(), 3u);
  EXPECT_EQ(p.image.geometry.spacing_mm, (Vec3{2, 2, 2}));
  EXPECT_TRUE(same_grid(p.body.geometry, p.image.geometry));
  EXPECT_EQ(p.summary.at("steps").at(1).at("iterations").size(), 2u);
  EXPECT_EQ(p.summary.at("steps").at(3).at("margin_mm").get<double>(), 3);

  // A prediction equal to the body mask lands on the native grid exactly and matches the native body mask.
  const Mask native = to_native(p, p.body);
  expect_exactly_equal(native.geometry, scan.geometry);
  EXPECT_GE(test::dice(native, body_mask(scan)), 0.9);
  // An "everything" prediction comes back as the crop box: zeros outside it, never a shifted grid.
  const Mask all = to_native(p, Mask(p.image.geometry, 1));
  EXPECT_GT(test::count(all), 0u);
  EXPECT_LT(test::count(all), all.voxels.size());
}

TEST(Preprocess, ToNativeRefusesAMaskOnAnotherGrid) {
  const Preprocessed p = preprocess(make_scan(), PreprocessConfig{});
  EXPECT_THROW(to_native(p, Mask(make_scan().geometry, 1)), Error);
}

TEST(Preprocess, ConstantImageCannotBeNormalised) {
  try {
    preprocess(ImageF(make_scan().geometry, 1.0f), PreprocessConfig{});
    FAIL() << "a constant image has no body mask to normalise in";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("in preprocessing step normalize"), std::string::npos) << e.what();
  }
}

class DriverCombination : public ::testing::TestWithParam<int> {};

TEST_P(DriverCombination, NativeGeometryIsRestoredExactly) {
  PreprocessConfig config;
  config.reorient = GetParam() & 1;
  if (GetParam() & 2) config.spacing_mm = {1.6, 1.6, 1.6};
  config.crop = GetParam() & 4;
  const ImageF scan = make_scan();
  const Preprocessed p = preprocess(scan, config);
  EXPECT_EQ(p.records.size(),
            static_cast<std::size_t>(config.reorient + !config.spacing_mm.empty() + config.crop));
  const Mask native = to_native(p, p.body);
  expect_exactly_equal(native.geometry, scan.geometry);
  EXPECT_EQ(native.voxels.size(), scan.voxels.size());
  EXPECT_EQ(p.summary.at("input_geometry"), to_json(scan.geometry));
  EXPECT_EQ(p.summary.at("output_geometry"), to_json(p.image.geometry));
}

INSTANTIATE_TEST_SUITE_P(SpatialSteps, DriverCombination, ::testing::Range(0, 8));

}  // namespace
}  // namespace oncotrack::preprocess
