#include "oncotrack/synth/registration_pair.h"

#include <gtest/gtest.h>

#include <cmath>

#include "oncotrack/synth/tre.h"

namespace oncotrack::synth {

namespace {
// Smooth, non-symmetric test anatomy on a 1 mm grid with a half-millimetre origin.
ImageF test_source(const Size3& size = {40, 36, 30}) {
  Geometry g;
  g.size = size;
  g.origin_mm_lps = {-20.5, -18.5, -15.5};
  ImageF image(g, 0.f);
  for (std::size_t k = 0; k < size[2]; ++k)
    for (std::size_t j = 0; j < size[1]; ++j)
      for (std::size_t i = 0; i < size[0]; ++i)
        image.at(i, j, k) =
            static_cast<float>(100 + 40 * std::sin(0.31 * double(i)) * std::cos(0.22 * double(j)) +
                               2.0 * double(k) + 0.5 * double(i));
  return image;
}

double distance(const Vec3& a, const Vec3& b) {
  return std::sqrt((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) +
                   (a[2] - b[2]) * (a[2] - b[2]));
}

Vec3 centroid(const Mask& mask, std::size_t* count) {
  Vec3 sum{0, 0, 0};
  std::size_t n = 0;
  const Geometry& g = mask.geometry;
  for (std::size_t k = 0; k < g.size[2]; ++k)
    for (std::size_t j = 0; j < g.size[1]; ++j)
      for (std::size_t i = 0; i < g.size[0]; ++i)
        if (mask.at(i, j, k)) {
          const Vec3 p = g.index_to_lps({double(i), double(j), double(k)});
          for (int c = 0; c < 3; ++c) sum[c] += p[c];
          ++n;
        }
  *count = n;
  return {sum[0] / double(n), sum[1] / double(n), sum[2] / double(n)};
}
}  // namespace

TEST(SynthRegistrationPair, IdentityOnTheSameGridWithoutNoiseGivesEqualImages) {
  const ImageF source = test_source();
  PairSpec spec;
  spec.fixed_grid = centred_grid({0.25, -0.5, 1}, {24, 20, 16}, {1.25, 1.5, 2});
  spec.moving_grid = spec.fixed_grid;
  spec.slice_samples = 1;
  spec.lesion = LesionChange{{{2, 1, 0}, {5, 4, 3}, kIdentity3}, 1.0, 1.7};
  const RegistrationPair pair = make_registration_pair(source, spec);
  ASSERT_EQ(pair.fixed.voxels.size(), spec.fixed_grid.voxel_count());
  EXPECT_TRUE(pair.fixed.voxels == pair.moving.voxels);
  EXPECT_TRUE(pair.fixed_lesion.voxels == pair.moving_lesion.voxels);
  std::size_t lesion_voxels = 0;
  for (const auto v : pair.fixed_lesion.voxels) lesion_voxels += v;
  EXPECT_GT(lesion_voxels, 20u);
  // The lesion brightens the source by the factor; elsewhere the fixed image is the source.
  const Vec3 inside = spec.fixed_grid.lps_to_index({2, 1, 0});
  const auto [i, j, k] =
      std::array<std::size_t, 3>{std::size_t(std::lround(inside[0])), std::size_t(std::lround(inside[1])),
                                 std::size_t(std::lround(inside[2]))};
  ASSERT_EQ(pair.fixed_lesion.at(i, j, k), 1);
  spec.lesion.reset();
  const RegistrationPair plain = make_registration_pair(source, spec);
  EXPECT_NEAR(pair.fixed.at(i, j, k), 1.7f * plain.fixed.at(i, j, k), 1e-3);
  for (const auto v : plain.moving_lesion.voxels) ASSERT_EQ(v, 0);
  EXPECT_EQ(plain.moving_lesion.geometry.size, spec.moving_grid.size);
}

TEST(SynthRegistrationPair, WholeVoxelTranslationShiftsVoxelsExactly) {
  const ImageF source = test_source();
  PairSpec spec;
  spec.fixed_grid = source.geometry;
  spec.moving_grid = source.geometry;
  spec.slice_samples = 1;
  spec.truth = make_motion({{0, 0, 0}, {2, -3, 1}, {1, 1, 1}, {7, 8, 9}});
  const RegistrationPair pair = make_registration_pair(source, spec);
  const Size3 n = source.geometry.size;
  std::size_t compared = 0;
  for (std::size_t k = 1; k + 2 < n[2]; ++k)
    for (std::size_t j = 0; j + 3 < n[1]; ++j)
      for (std::size_t i = 2; i < n[0]; ++i) {
        // moving(y) = source(y - t): voxel (i, j, k) shows fixed voxel (i - 2, j + 3, k - 1).
        ASSERT_EQ(pair.moving.at(i, j, k), pair.fixed.at(i - 2, j + 3, k - 1)) << i << " " << j << " " << k;
        ++compared;
      }
  EXPECT_GT(compared, 30000u);
  EXPECT_EQ(pair.moving.at(0, 0, 0), 0.f);  // T^-1 of it is outside the source
  EXPECT_EQ(pair.fixed.voxels, source.voxels);
}

TEST(SynthRegistrationPair, ThickSliceAveragesSubSamplesAcrossTheSlice) {
  // One bright source slice: trilinear sampling makes it a tent of half-width 1 mm along LPS z.
  Geometry g;
  g.size = {5, 5, 21};
  ImageF source(g, 0.f);
  for (std::size_t j = 0; j < 5; ++j)
    for (std::size_t i = 0; i < 5; ++i) source.at(i, j, 10) = 1;
  PairSpec spec;
  spec.fixed_grid = g;
  spec.moving_grid = g;
  spec.moving_grid.size = {5, 5, 7};
  spec.moving_grid.spacing_mm = {1, 1, 3};
  spec.moving_grid.origin_mm_lps = {0, 0, 1};  // slice 3 is centred on z = 10
  spec.slice_samples = 5;                      // sub-samples at z offsets -1.2, -0.6, 0, 0.6, 1.2 mm
  const RegistrationPair pair = make_registration_pair(source, spec);
  EXPECT_NEAR(pair.moving.at(2, 2, 3), (0 + 0.4 + 1 + 0.4 + 0) / 5, 1e-6);
  EXPECT_EQ(pair.moving.at(2, 2, 2), 0.f);
  EXPECT_EQ(pair.fixed.at(2, 2, 10), 1.f);
}

TEST(SynthRegistrationPair, TruthMapsTheFixedLesionCentreOntoTheMovingLesion) {
  const ImageF source = test_source();
  PairSpec spec;
  spec.fixed_grid = centred_grid({0, 0, 0}, {32, 30, 24}, {1.1, 1.1, 1.1});
  spec.moving_grid = centred_grid({3, -2, 1}, {34, 32, 12}, {1.2, 1.3, 3});
  const Vec3 centre{3, -2.5, 1.5};
  spec.truth = make_motion({{6, -4, 10}, {2.5, -1.5, 1}, {1.05, 0.95, 1.02}, {0.5, 0.5, 0.5}});
  spec.lesion = LesionChange{{centre, {6, 4.5, 4}, rotation_about({0, 0, 1}, 25)}, 1.5, 1.6};
  const RegistrationPair pair = make_registration_pair(source, spec);
  std::size_t fixed_count = 0, moving_count = 0;
  const Vec3 fixed_centroid = centroid(pair.fixed_lesion, &fixed_count);
  const Vec3 moving_centroid = centroid(pair.moving_lesion, &moving_count);
  const Vec3 expected = spec.truth.apply(centre);
  for (int c = 0; c < 3; ++c) {
    EXPECT_NEAR(fixed_centroid[c], centre[c], 0.5 * spec.fixed_grid.spacing_mm[c]);
    EXPECT_NEAR(moving_centroid[c], expected[c], 0.5 * spec.moving_grid.spacing_mm[c]);
  }
  // Volumes: the moving lesion is 1.5^3 times larger in anatomy, and det(matrix) times larger again.
  const Mat3& a = spec.truth.matrix;
  const double det = a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) -
                     a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0]) +
                     a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
  const double fixed_ml = double(fixed_count) * spec.fixed_grid.voxel_volume_ml();
  const double moving_ml = double(moving_count) * spec.moving_grid.voxel_volume_ml();
  EXPECT_NEAR(fixed_ml, spec.lesion->fixed.volume_ml(), 0.05 * spec.lesion->fixed.volume_ml());
  EXPECT_NEAR(moving_ml, 3.375 * det * spec.lesion->fixed.volume_ml(), 0.05 * moving_ml);
}

TEST(SynthRegistrationPair, MotionFollowsItkEulerOrderAndCentre) {
  // R = Rz Rx Ry: with x = y = 90 degrees, Ry takes z to x and Rx keeps x (Ry Rx would give -y).
  const AffineMotion r = make_motion({{90, 90, 0}, {0, 0, 0}, {1, 1, 1}, {0, 0, 0}});
  const Vec3 z = r.apply({0, 0, 1});
  EXPECT_NEAR(distance(z, {1, 0, 0}), 0, 1e-12);
  // Scale first, then rotate: x scaled by 2 then turned 90 degrees about z lands on 2 y.
  const AffineMotion s = make_motion({{0, 0, 90}, {0, 0, 0}, {2, 1, 1}, {0, 0, 0}});
  EXPECT_NEAR(distance(s.apply({1, 0, 0}), {0, 2, 0}), 0, 1e-12);
  // The centre moves by the translation.
  const AffineMotion m = make_motion({{10, -20, 30}, {1, 2, 3}, {1.1, 0.9, 1}, {5, -6, 7}});
  EXPECT_NEAR(distance(m.apply({5, -6, 7}), {6, -4, 10}), 0, 1e-12);
  const AffineMotion round_trip = m.then(m.inverse());
  for (const Vec3& p : {Vec3{0, 0, 0}, Vec3{30, -40, 50}})
    EXPECT_NEAR(distance(round_trip.apply(p), p), 0, 1e-12);
  const AffineMotion twice = m.then(m);
  EXPECT_NEAR(distance(twice.apply({3, 4, 5}), m.apply(m.apply({3, 4, 5}))), 0, 1e-12);
}

TEST(SynthRegistrationPair, NoiseIsSeededAndScaledByThe99thPercentile) {
  Geometry g;
  g.size = {32, 32, 32};
  ImageF source(g, 50.f);
  for (std::size_t i = 0; i < 32; ++i) source.voxels[i] = 1000;  // above the 99th percentile
  PairSpec spec;
  spec.fixed_grid = g;
  spec.moving_grid = g;
  spec.slice_samples = 1;
  spec.noise_fraction = 0.04;  // sigma 2
  spec.seed = 9;
  const RegistrationPair a = make_registration_pair(source, spec), b = make_registration_pair(source, spec);
  EXPECT_TRUE(a.fixed.voxels == b.fixed.voxels);
  EXPECT_TRUE(a.moving.voxels == b.moving.voxels);
  double sum2 = 0;
  std::size_t n = 0, same = 0;
  for (std::size_t v = 32; v < a.fixed.voxels.size(); ++v) {
    const double e = double(a.fixed.voxels[v]) - 50;
    sum2 += e * e;
    ++n;
    same += a.fixed.voxels[v] == a.moving.voxels[v];
  }
  EXPECT_NEAR(std::sqrt(sum2 / double(n)), 2.0, 0.05);
  EXPECT_LT(same, 10u);  // independent streams for the two images
  spec.seed = 10;
  EXPECT_FALSE(make_registration_pair(source, spec).fixed.voxels == a.fixed.voxels);
}

TEST(SynthTre, TruthAgainstItselfIsZeroAndIdentityMeasuresTheTranslation) {
  Geometry g;
  g.size = {9, 8, 7};
  g.spacing_mm = {2, 2, 3};
  g.origin_mm_lps = {-8, -7, -9};
  Mask brain(g, 0);
  for (std::size_t k = 1; k < 6; ++k)
    for (std::size_t j = 1; j < 7; ++j)
      for (std::size_t i = 2; i < 8; ++i) brain.at(i, j, k) = 1;
  const std::vector<Vec3> all = brain_points(brain, 1), every_other = brain_points(brain, 2);
  EXPECT_EQ(all.size(), 5u * 6 * 6);
  EXPECT_EQ(every_other.size(), 2u * 3 * 3);  // k in {2, 4}, j in {2, 4, 6}, i in {2, 4, 6}
  EXPECT_EQ(all.front(), g.index_to_lps({2, 1, 1}));

  const AffineMotion truth = make_motion({{0, 0, 0}, {3, -4, 12}, {1, 1, 1}, {0, 0, 0}});
  const PointMap truth_map = [&](const Vec3& p) { return truth.apply(p); };
  const TreStats self = tre(all, truth_map, truth_map);
  EXPECT_EQ(self.count, all.size());
  EXPECT_EQ(self.mean_mm, 0);
  EXPECT_EQ(self.max_mm, 0);
  const TreStats none = tre(
      all, [](const Vec3& p) { return p; }, truth_map);
  EXPECT_NEAR(none.mean_mm, 13, 1e-12);
  EXPECT_NEAR(none.max_mm, 13, 1e-12);
  EXPECT_EQ(tre({}, truth_map, truth_map).count, 0u);
}

}  // namespace oncotrack::synth
