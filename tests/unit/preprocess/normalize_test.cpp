// Percentile clipping and z-score inside a mask, on values whose percentiles are known by construction.
#include "oncotrack/preprocess/normalize.h"

#include <gtest/gtest.h>

#include <cmath>

#include "oncotrack/core/error.h"

namespace oncotrack::preprocess {
namespace {

// 101 masked voxels holding 0, 1, ..., 100 (shuffled by a stride), then 99 unmasked background voxels of
// -1000 that must not influence anything.
struct Ramp {
  ImageF image;
  Mask mask;
};

Ramp make_ramp() {
  Geometry g;
  g.size = {10, 10, 2};
  Ramp r{ImageF(g, -1000.0f), Mask(g, 0)};
  for (std::size_t n = 0; n <= 100; ++n) {
    const std::size_t v = (n * 37) % 200;  // 37 and 200 are coprime: 101 distinct voxels
    r.image.voxels[v] = static_cast<float>(n);
    r.mask.voxels[v] = 1;
  }
  return r;
}

double masked_mean(const ImageF& im, const Mask& m) {
  double s = 0, n = 0;
  for (std::size_t v = 0; v < im.voxels.size(); ++v)
    if (m.voxels[v]) {
      s += static_cast<double>(im.voxels[v]);
      ++n;
    }
  return s / n;
}

double masked_sd(const ImageF& im, const Mask& m) {
  const double mean = masked_mean(im, m);
  double s = 0, n = 0;
  for (std::size_t v = 0; v < im.voxels.size(); ++v)
    if (m.voxels[v]) {
      const double d = static_cast<double>(im.voxels[v]) - mean;
      s += d * d;
      ++n;
    }
  return std::sqrt(s / n);
}

TEST(Normalize, ZeroMeanUnitSdInsideTheMask) {
  const Ramp r = make_ramp();
  const Normalized n = normalize(r.image, &r.mask, {0, 100});  // no clipping
  EXPECT_DOUBLE_EQ(n.lower_value, 0);
  EXPECT_DOUBLE_EQ(n.upper_value, 100);
  EXPECT_DOUBLE_EQ(n.mean, 50);
  EXPECT_NEAR(n.sd, std::sqrt((101.0 * 101.0 - 1) / 12), 1e-9);  // population sd of 0..100
  EXPECT_EQ(n.mask_voxels, 101u);
  EXPECT_NEAR(masked_mean(n.image, r.mask), 0, 1e-6);
  EXPECT_NEAR(masked_sd(n.image, r.mask), 1, 1e-6);
}

TEST(Normalize, ClipsAtThePercentilesOfTheMaskedVoxels) {
  const Ramp r = make_ramp();
  // Ranks p/100 · 100: the 10th and 90th percentiles of 0..100 are exactly 10 and 90.
  const Normalized n = normalize(r.image, &r.mask, {10, 90});
  EXPECT_DOUBLE_EQ(n.lower_value, 10);
  EXPECT_DOUBLE_EQ(n.upper_value, 90);
  const float top = static_cast<float>((90 - n.mean) / n.sd);
  const float bottom = static_cast<float>((10 - n.mean) / n.sd);
  for (std::size_t v = 0; v < r.image.voxels.size(); ++v) {
    const float x = n.image.voxels[v];
    ASSERT_GE(x, bottom);
    ASSERT_LE(x, top);
  }
  // The background (-1000) is clipped to the lower bound too.
  EXPECT_FLOAT_EQ(n.image.voxels[1], bottom);
  EXPECT_NEAR(masked_mean(n.image, r.mask), 0, 1e-6);
  EXPECT_NEAR(masked_sd(n.image, r.mask), 1, 1e-6);
}

TEST(Normalize, PercentilesInterpolateBetweenOrderStatistics) {
  const Ramp r = make_ramp();
  const Normalized n = normalize(r.image, &r.mask, {0.5, 99.5});
  EXPECT_NEAR(n.lower_value, 0.5, 1e-12);  // rank 0.5 between 0 and 1
  EXPECT_NEAR(n.upper_value, 99.5, 1e-12);
}

TEST(Normalize, WithoutAMaskUsesEveryVoxel) {
  Geometry g;
  g.size = {2, 2, 1};
  ImageF im(g);
  im.voxels = {1, 2, 3, 4};
  const Normalized n = normalize(im, nullptr, {0, 100});
  EXPECT_DOUBLE_EQ(n.mean, 2.5);
  EXPECT_EQ(n.mask_voxels, 4u);
}

TEST(Normalize, RejectsBadInput) {
  const Ramp r = make_ramp();
  EXPECT_THROW(normalize(r.image, &r.mask, {50, 50}), Error);
  EXPECT_THROW(normalize(r.image, &r.mask, {-1, 50}), Error);
  EXPECT_THROW(normalize(r.image, &r.mask, {1, 101}), Error);
  EXPECT_THROW(normalize(r.image, &r.mask, {std::nan(""), 99}), Error);
  Mask empty = r.mask;
  std::fill(empty.voxels.begin(), empty.voxels.end(), 0);
  EXPECT_THROW(normalize(r.image, &empty, {}), Error);
  EXPECT_THROW(normalize(ImageF(r.image.geometry, 7.0f), nullptr, {}), Error) << "no spread";
  Mask elsewhere = r.mask;
  elsewhere.geometry.origin_mm_lps[2] = 1;
  EXPECT_THROW(normalize(r.image, &elsewhere, {}), Error);
}

}  // namespace
}  // namespace oncotrack::preprocess
