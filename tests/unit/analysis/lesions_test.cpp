#include "oncotrack/analysis/lesions.h"

#include <gtest/gtest.h>

#include <cmath>

#include "oncotrack/core/error.h"
#include "unit/analysis/test_masks.h"

namespace oncotrack::analysis {
namespace {

using test::Ellipsoid;
using test::make_grid;
using test::rotation;
using test::voxel_diagonal_mm;

constexpr double kExact = 1e-9;

Lesion only_lesion(const TumorMeasurement& m) {
  EXPECT_EQ(m.lesions.size(), 1u);
  return m.lesions.at(0);
}

// ---- exact answers on lines and single voxels (spacing 0.7 × 1.3 × 2.0 mm) ----

const Geometry kAnisotropic = make_grid({12, 12, 12}, {0.7, 1.3, 2.0});

TEST(Diameters, LineAlongIIsNTimesSpacingLong) {
  Mask mask(kAnisotropic);
  for (std::size_t i = 2; i < 9; ++i) mask.at(i, 5, 5) = 1;
  const Lesion l = only_lesion(measure_tumor(mask, {}));
  EXPECT_NEAR(l.longest_diameter_mm, 7 * 0.7, kExact);
  EXPECT_NEAR(l.perpendicular_diameter_mm, 1.3, kExact);
  EXPECT_NEAR(l.max_3d_diameter_mm, std::sqrt(4.9 * 4.9 + 1.3 * 1.3 + 2.0 * 2.0), kExact);
  EXPECT_NEAR(l.volume_ml, 7 * 0.7 * 1.3 * 2.0 / 1000, 1e-15);
  EXPECT_EQ(l.voxel_count, 7u);
  EXPECT_EQ(l.longest_diameter_slice, 5u);
}

TEST(Diameters, LineAlongJIsNTimesSpacingLong) {
  Mask mask(kAnisotropic);
  for (std::size_t j = 0; j < 10; ++j) mask.at(3, j, 4) = 1;
  const Lesion l = only_lesion(measure_tumor(mask, {}));
  EXPECT_NEAR(l.longest_diameter_mm, 10 * 1.3, kExact);
  EXPECT_NEAR(l.perpendicular_diameter_mm, 0.7, kExact);
  EXPECT_NEAR(l.max_3d_diameter_mm, std::sqrt(13.0 * 13.0 + 0.7 * 0.7 + 2.0 * 2.0), kExact);
}

TEST(Diameters, LineAlongTheAxialAxisIsOneVoxelPerSlice) {
  Mask mask(kAnisotropic);
  for (std::size_t k = 1; k < 7; ++k) mask.at(3, 3, k) = 1;
  const Lesion l = only_lesion(measure_tumor(mask, {}));
  EXPECT_NEAR(l.longest_diameter_mm, 1.3, kExact);  // the larger in-plane spacing
  EXPECT_NEAR(l.perpendicular_diameter_mm, 0.7, kExact);
  EXPECT_NEAR(l.max_3d_diameter_mm, std::sqrt(0.7 * 0.7 + 1.3 * 1.3 + 12.0 * 12.0), kExact);
  EXPECT_EQ(l.longest_diameter_slice, 1u);  // all slices tie: the lowest index
}

TEST(Diameters, SingleVoxel) {
  Mask mask(kAnisotropic);
  mask.at(4, 5, 6) = 1;
  const TumorMeasurement m = measure_tumor(mask, {});
  const Lesion l = only_lesion(m);
  EXPECT_EQ(l.id, 1);
  EXPECT_NEAR(l.longest_diameter_mm, 1.3, kExact);
  EXPECT_NEAR(l.perpendicular_diameter_mm, 0.7, kExact);
  EXPECT_NEAR(l.max_3d_diameter_mm, std::sqrt(0.49 + 1.69 + 4.0), kExact);
  EXPECT_NEAR(l.volume_ml, kAnisotropic.voxel_volume_ml(), 1e-15);
  EXPECT_NEAR(l.centroid_mm_lps[0], 4 * 0.7, kExact);
  EXPECT_NEAR(l.centroid_mm_lps[1], 5 * 1.3, kExact);
  EXPECT_NEAR(l.centroid_mm_lps[2], 6 * 2.0, kExact);
  EXPECT_FALSE(l.touches_border);
  EXPECT_FALSE(l.measurable);
  EXPECT_EQ(m.axial_axis, 2);
}

TEST(Diameters, DiagonalStaircaseMeasuresCornerToCorner) {
  Mask mask(make_grid({10, 10, 3}));
  for (std::size_t t = 1; t < 9; ++t) mask.at(t, t, 1) = 1;  // 8 voxels joined by in-plane edges
  const Lesion l = only_lesion(measure_tumor(mask, {}));
  EXPECT_NEAR(l.longest_diameter_mm, 8 * std::sqrt(2.0), kExact);
  EXPECT_NEAR(l.perpendicular_diameter_mm, std::sqrt(2.0), kExact);
  EXPECT_NEAR(l.max_3d_diameter_mm, std::sqrt(8.0 * 8.0 * 2 + 1), kExact);
}

TEST(Diameters, LongestSliceAndPerpendicularOfAStackOfRectangles) {
  Mask mask(make_grid({20, 20, 6}));
  for (std::size_t i = 2; i < 8; ++i)  // slice 1: 6 × 2 voxels
    for (std::size_t j = 2; j < 4; ++j) mask.at(i, j, 1) = 1;
  for (std::size_t i = 2; i < 12; ++i)  // slice 2: 10 × 3 voxels, the longest
    for (std::size_t j = 2; j < 5; ++j) mask.at(i, j, 2) = 1;
  const Lesion l = only_lesion(measure_tumor(mask, {}));
  EXPECT_EQ(l.longest_diameter_slice, 2u);
  // Farthest centres are opposite corners of the 9 × 2 centre grid; the extent along that line adds one
  // voxel's footprint |u_x| + |u_y|.
  const double centre_distance = std::sqrt(81.0 + 4.0);
  EXPECT_NEAR(l.longest_diameter_mm, centre_distance + (9.0 + 2.0) / centre_distance, kExact);
  EXPECT_NEAR(l.max_3d_diameter_mm, std::sqrt(100.0 + 9.0 + 4.0), kExact);
  EXPECT_LE(l.perpendicular_diameter_mm, l.longest_diameter_mm);
}

// ---- voxelised ellipsoids: volume within the straddling-voxel bound, diameters within a voxel diagonal ----

struct ShapeCase {
  const char* name;
  Geometry grid;  // origin is set so that the shape centre is on the centre voxel
  Ellipsoid shape;
  double longest_mm, perpendicular_mm, max_3d_mm;  // truth
  int axial_axis;
};

void expect_within_bounds(const ShapeCase& c) {
  SCOPED_TRACE(c.name);
  Geometry g = c.grid;
  const Vec3 centre_ijk{double(g.size[0] / 2), double(g.size[1] / 2), double(g.size[2] / 2)};
  g.origin_mm_lps = test::origin_for(g, centre_ijk, c.shape.centre_mm_lps);
  const test::Voxelised v = test::voxelise(c.shape, g);
  const TumorMeasurement m = measure_tumor(v.mask, {});
  EXPECT_EQ(m.axial_axis, c.axial_axis);
  const Lesion l = only_lesion(m);
  EXPECT_GE(l.volume_ml, v.volume_min_ml);
  EXPECT_LE(l.volume_ml, v.volume_max_ml);
  EXPECT_NEAR(l.volume_ml, static_cast<double>(l.voxel_count) * g.voxel_volume_ml(), 1e-12);
  const double in_plane = voxel_diagonal_mm(g, true), full = voxel_diagonal_mm(g, false);
  EXPECT_NEAR(l.longest_diameter_mm, c.longest_mm, in_plane);
  EXPECT_NEAR(l.perpendicular_diameter_mm, c.perpendicular_mm, in_plane);
  EXPECT_NEAR(l.max_3d_diameter_mm, c.max_3d_mm, full);
  EXPECT_LE(l.longest_diameter_mm, l.max_3d_diameter_mm + kExact);
  for (int r = 0; r < 3; ++r) EXPECT_NEAR(l.centroid_mm_lps[r], c.shape.centre_mm_lps[r], kExact);
  EXPECT_TRUE(l.measurable);
  EXPECT_FALSE(l.touches_border);
}

const Mat3 kSagittal{{{0, 0, 1}, {1, 0, 0}, {0, -1, 0}}};   // i -> P, j -> I, k -> L: axial axis 1
const Mat3 kAxialFirst{{{0, 1, 0}, {0, 0, 1}, {1, 0, 0}}};  // i -> S, j -> L, k -> P: axial axis 0

TEST(Diameters, VoxelisedShapesAreWithinOneVoxelDiagonal) {
  const Vec3 centre{12.3, -40.1, 7.7};
  // Radii off the lattice distances: no voxel centre sits on the surface, so voxelisation is symmetric.
  const Ellipsoid sphere{centre, {7.9, 7.9, 7.9}, kIdentity3};
  const Ellipsoid flat{centre, {12.1, 6.9, 4.9}, kIdentity3};   // a along L, b along P, c along S
  const Ellipsoid tall{centre, {10.1, 5.9, 15.1}, kIdentity3};  // longest along S: not an axial diameter
  const Mat3 tilted = test::multiply(rotation(2, 30), rotation(0, 20));
  const ShapeCase cases[] = {
      {"sphere 1 mm", make_grid({21, 21, 21}), sphere, 15.8, 15.8, 15.8, 2},
      {"ellipsoid 0.5x0.5x2 mm", make_grid({56, 36, 9}, {0.5, 0.5, 2}), flat, 24.2, 13.8, 24.2, 2},
      {"rotated 30 deg about S", make_grid({31, 31, 13}, {1, 1, 1}, rotation(2, 30)), flat, 24.2, 13.8, 24.2,
       2},
      {"rotated and tilted", make_grid({23, 23, 11}, {0.9, 0.9, 2}, tilted), sphere, 15.8, 15.8, 15.8, 2},
      {"sagittal grid", make_grid({37, 17, 25}, {1, 2, 1}, kSagittal), tall, 20.2, 11.8, 30.2, 1},
      {"first axis superior", make_grid({17, 25, 15}, {2, 1, 1.5}, kAxialFirst), tall, 20.2, 11.8, 30.2, 0},
  };
  for (const ShapeCase& c : cases) expect_within_bounds(c);
}

TEST(Diameters, RotatingGridAndShapeTogetherGivesTheSameNumbers) {
  const Geometry straight = make_grid({29, 19, 11}, {0.8, 0.8, 1.6});
  Geometry oblique = straight;
  oblique.direction = test::multiply(rotation(2, 30), rotation(0, 25));
  const Vec3 ijk{14, 9, 5};
  const Vec3 centre{-3, 5, 60};
  auto measure = [&](Geometry g) {
    g.origin_mm_lps = test::origin_for(g, ijk, centre);
    return only_lesion(measure_tumor(test::voxelise({centre, {10.1, 6.1, 4.1}, g.direction}, g).mask, {}));
  };
  const Lesion a = measure(straight), b = measure(oblique);
  EXPECT_EQ(a.voxel_count, b.voxel_count);
  EXPECT_NEAR(a.longest_diameter_mm, b.longest_diameter_mm, kExact);
  EXPECT_NEAR(a.perpendicular_diameter_mm, b.perpendicular_diameter_mm, kExact);
  EXPECT_NEAR(a.max_3d_diameter_mm, b.max_3d_diameter_mm, kExact);
  EXPECT_NEAR(a.volume_ml, b.volume_ml, 1e-12);
  EXPECT_NEAR(a.longest_diameter_mm, 20.2, voxel_diagonal_mm(straight, true));
  EXPECT_NEAR(a.perpendicular_diameter_mm, 12.2, voxel_diagonal_mm(straight, true));
}

// ---- lesion records ----

TEST(MeasureTumor, CornerContactIsOneLesionAt26AndTwoAt6) {
  Mask mask(make_grid({5, 5, 5}));
  mask.at(1, 1, 1) = 1;
  mask.at(2, 2, 2) = 1;
  AnalysisConfig config;
  EXPECT_EQ(measure_tumor(mask, config).lesions.size(), 1u);
  config.connectivity = 6;
  EXPECT_EQ(measure_tumor(mask, config).lesions.size(), 2u);
  config.connectivity = 8;
  EXPECT_THROW(measure_tumor(mask, config), Error);
}

TEST(MeasureTumor, LesionsSortedByVolumeWithTotalsAndSizeFilter) {
  Mask mask(make_grid({20, 20, 20}, {1, 1, 2}));
  mask.at(2, 2, 2) = 1;  // 1 voxel, first in memory order
  for (std::size_t k = 5; k < 7; ++k)
    for (std::size_t j = 5; j < 7; ++j)
      for (std::size_t i = 5; i < 7; ++i) mask.at(i, j, k) = 1;  // 8 voxels
  for (std::size_t k = 10; k < 13; ++k)
    for (std::size_t j = 10; j < 13; ++j)
      for (std::size_t i = 10; i < 13; ++i) mask.at(i, j, k) = 1;  // 27 voxels
  const double voxel_ml = 0.002;
  AnalysisConfig config;
  TumorMeasurement m = measure_tumor(mask, config);
  ASSERT_EQ(m.lesions.size(), 3u);
  EXPECT_EQ(m.lesions[0].voxel_count, 27u);
  EXPECT_EQ(m.lesions[1].voxel_count, 8u);
  EXPECT_EQ(m.lesions[2].voxel_count, 1u);
  for (int n = 0; n < 3; ++n) EXPECT_EQ(m.lesions[n].id, n + 1);
  EXPECT_NEAR(m.total_volume_ml, 36 * voxel_ml, 1e-12);
  EXPECT_NEAR(
      m.sum_longest_diameter_mm,
      m.lesions[0].longest_diameter_mm + m.lesions[1].longest_diameter_mm + m.lesions[2].longest_diameter_mm,
      kExact);
  EXPECT_NEAR(m.lesions[0].longest_diameter_mm, 3 * std::sqrt(2.0), kExact);

  config.min_lesion_volume_ml = 8 * voxel_ml;  // inclusive: the 8-voxel lesion stays
  m = measure_tumor(mask, config);
  ASSERT_EQ(m.lesions.size(), 2u);
  EXPECT_EQ(m.lesions[1].voxel_count, 8u);
  EXPECT_EQ(m.mask_voxel_count, 36u);
  EXPECT_NEAR(m.mask_volume_ml, 36 * voxel_ml, 1e-12);
  EXPECT_NEAR(m.total_volume_ml, 35 * voxel_ml, 1e-12);
}

TEST(MeasureTumor, TouchesBorderOnAnyFaceOfTheGrid) {
  const Geometry g = make_grid({6, 7, 8});
  const Size3 inside{3, 3, 3};
  const Size3 on_border[] = {{0, 3, 3}, {5, 3, 3}, {3, 0, 3}, {3, 6, 3}, {3, 3, 0}, {3, 3, 7}};
  Mask mask(g);
  mask.at(inside[0], inside[1], inside[2]) = 1;
  EXPECT_FALSE(only_lesion(measure_tumor(mask, {})).touches_border);
  for (const Size3& v : on_border) {
    Mask m(g);
    m.at(v[0], v[1], v[2]) = 1;
    EXPECT_TRUE(only_lesion(measure_tumor(m, {})).touches_border) << v[0] << "," << v[1] << "," << v[2];
  }
}

TEST(MeasureTumor, CentroidIsTheMeanVoxelCentreInLps) {
  Geometry g = make_grid({6, 6, 6}, {0.5, 0.75, 3}, rotation(2, 30), {100, -20, 35});
  Mask mask(g);
  for (const Size3& v : {Size3{1, 1, 1}, Size3{2, 1, 1}, Size3{3, 1, 1}, Size3{1, 2, 1}})
    mask.at(v[0], v[1], v[2]) = 1;
  const Vec3 expected = g.index_to_lps({1.75, 1.25, 1});
  const Lesion l = only_lesion(measure_tumor(mask, {}));
  for (int r = 0; r < 3; ++r) EXPECT_NEAR(l.centroid_mm_lps[r], expected[r], kExact);
}

TEST(MeasureTumor, MeasurableFromExactlyTenMillimetres) {
  const std::pair<std::size_t, bool> cases[] = {{100, true}, {99, false}};
  for (const auto& [voxels, measurable] : cases) {
    Mask mask(make_grid({120, 3, 3}, {0.1, 0.1, 1}));
    for (std::size_t i = 0; i < voxels; ++i) mask.at(i + 5, 1, 1) = 1;
    EXPECT_EQ(only_lesion(measure_tumor(mask, {})).measurable, measurable) << voxels;
  }
}

TEST(MeasureTumor, EmptyMaskAndDegenerateGrid) {
  const TumorMeasurement empty = measure_tumor(Mask(make_grid({4, 4, 4})), {});
  EXPECT_TRUE(empty.lesions.empty());
  EXPECT_EQ(empty.total_volume_ml, 0);
  EXPECT_THROW(measure_tumor(Mask(make_grid({4, 4, 4}, {1, 0, 1})), {}), Error);
  EXPECT_THROW(
      measure_tumor(Mask(make_grid({4, 4, 4}, {1, 1, 1}, Mat3{{{1, 0, 0}, {1, 0, 0}, {0, 0, 1}}})), {}),
      Error);
}

}  // namespace
}  // namespace oncotrack::analysis
