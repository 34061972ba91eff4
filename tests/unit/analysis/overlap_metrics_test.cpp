#include "oncotrack/analysis/overlap_metrics.h"

#include <gtest/gtest.h>

#include <cmath>

#include "oncotrack/core/error.h"

namespace oncotrack::analysis {
namespace {

Geometry grid(Size3 size, Vec3 spacing) {
  Geometry g;
  g.size = size;
  g.spacing_mm = spacing;
  return g;
}

Mask ball(const Geometry& g, Vec3 centre_ijk, double radius_mm) {
  Mask m(g, 0);
  for (std::size_t k = 0; k < g.size[2]; ++k)
    for (std::size_t j = 0; j < g.size[1]; ++j)
      for (std::size_t i = 0; i < g.size[0]; ++i) {
        const double dx = (static_cast<double>(i) - centre_ijk[0]) * g.spacing_mm[0];
        const double dy = (static_cast<double>(j) - centre_ijk[1]) * g.spacing_mm[1];
        const double dz = (static_cast<double>(k) - centre_ijk[2]) * g.spacing_mm[2];
        m.at(i, j, k) = std::sqrt(dx * dx + dy * dy + dz * dz) <= radius_mm;
      }
  return m;
}

TEST(OverlapMetrics, IdenticalMasksAgreePerfectly) {
  const Geometry g = grid({20, 20, 20}, {1, 1, 1});
  const Mask a = ball(g, {10, 10, 10}, 5);
  const OverlapMetrics m = compare_masks(a, a);
  EXPECT_DOUBLE_EQ(m.dice, 1.0);
  ASSERT_TRUE(m.hd95_mm);
  EXPECT_DOUBLE_EQ(*m.hd95_mm, 0.0);
  EXPECT_DOUBLE_EQ(m.volume_error_ml, 0.0);
  EXPECT_DOUBLE_EQ(*m.volume_error_pct, 0.0);
}

TEST(OverlapMetrics, SingleVoxelsAreTheirPhysicalDistanceApart) {
  const Geometry g = grid({8, 8, 8}, {0.5, 1, 3});
  Mask a(g, 0), b(g, 0), c(g, 0);
  a.at(2, 2, 2) = 1;
  b.at(2, 2, 4) = 1;  // two slices of 3 mm
  c.at(5, 6, 2) = 1;  // (1.5, 4) mm in plane
  EXPECT_DOUBLE_EQ(*compare_masks(a, b).hd95_mm, 6.0);
  EXPECT_DOUBLE_EQ(*compare_masks(c, a).hd95_mm, std::sqrt(1.5 * 1.5 + 4.0 * 4.0));
  EXPECT_DOUBLE_EQ(compare_masks(a, b).dice, 0.0);
}

TEST(OverlapMetrics, ShiftedBallsMatchTheShift) {
  const Geometry g = grid({40, 40, 40}, {1, 1, 1});
  const Mask a = ball(g, {18, 20, 20}, 8), b = ball(g, {21, 20, 20}, 8);
  const OverlapMetrics m = compare_masks(a, b);
  // Surfaces 3 mm apart at the poles along x, nearer elsewhere: HD95 between 2 and 3 mm.
  ASSERT_TRUE(m.hd95_mm);
  EXPECT_GE(*m.hd95_mm, 2.0);
  EXPECT_LE(*m.hd95_mm, 3.0);
  // Two equal balls of radius r shifted by d overlap in 1 − 3d/(4r) + d³/(16r³) of their volume.
  const double r = 8, d = 3, overlap = 1 - 3 * d / (4 * r) + d * d * d / (16 * r * r * r);
  EXPECT_NEAR(m.dice, overlap, 0.03);
  EXPECT_NEAR(m.volume_error_ml, 0.0, 1e-12);
}

TEST(OverlapMetrics, EmptyMasksHaveNoHausdorffDistance) {
  const Geometry g = grid({10, 10, 10}, {1, 1, 2});
  const Mask empty(g, 0), some = ball(g, {5, 5, 5}, 3);
  const OverlapMetrics missed = compare_masks(empty, some);
  EXPECT_DOUBLE_EQ(missed.dice, 0.0);
  EXPECT_FALSE(missed.hd95_mm);
  EXPECT_DOUBLE_EQ(*missed.volume_error_pct, -100.0);
  const OverlapMetrics none = compare_masks(empty, empty);
  EXPECT_DOUBLE_EQ(none.dice, 1.0);
  EXPECT_FALSE(none.volume_error_pct);
  EXPECT_THROW(compare_masks(some, Mask(grid({10, 10, 9}, {1, 1, 2}), 0)), Error);
  EXPECT_THROW(compare_masks(some, Mask(grid({10, 10, 10}, {1, 1, 3}), 0)), Error);
}

}  // namespace
}  // namespace oncotrack::analysis
