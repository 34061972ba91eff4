#include "oncotrack/synth/ellipsoid.h"

#include <gtest/gtest.h>

#include <cmath>

#include "oncotrack/core/error.h"

namespace oncotrack::synth {

namespace {
constexpr double kPi = 3.141592653589793;

// Independent of the closed form: half-chord along d from the centre by bisection on contains().
double radius_along(const Ellipsoid& e, const Vec3& d) {
  double lo = 0, hi = 100;
  for (int it = 0; it < 60; ++it) {
    const double mid = 0.5 * (lo + hi);
    const Vec3 p{e.centre_mm_lps[0] + mid * d[0], e.centre_mm_lps[1] + mid * d[1],
                 e.centre_mm_lps[2] + mid * d[2]};
    (e.contains(p) ? lo : hi) = mid;
  }
  return lo;
}
}  // namespace

TEST(SynthEllipsoid, VolumeAndAxisAlignedDiameters) {
  const Ellipsoid e{{1, 2, 3}, {12, 9, 8}, kIdentity3};
  EXPECT_NEAR(e.volume_ml(), 4.0 / 3.0 * kPi * 12 * 9 * 8 / 1000, 1e-12);
  const SectionDiameters axial = largest_section_diameters(e, {0, 0, 1});
  EXPECT_NEAR(axial.major_mm, 24, 1e-9);
  EXPECT_NEAR(axial.minor_mm, 18, 1e-9);
  const SectionDiameters coronal = largest_section_diameters(e, {0, 1, 0});
  EXPECT_NEAR(coronal.major_mm, 24, 1e-9);
  EXPECT_NEAR(coronal.minor_mm, 16, 1e-9);
}

TEST(SynthEllipsoid, TiltedSectionMatchesNumericalSearch) {
  const Ellipsoid e{
      {-5, 4, 10}, {16, 11, 10}, multiply(rotation_about({0, 0, 1}, 35), rotation_about({0, 1, 0}, 20))};
  for (const Vec3& n : {Vec3{0, 0, 1}, Vec3{0, std::sin(0.3), std::cos(0.3)}}) {
    const Vec3 u{1, 0, 0};  // lies in both planes
    const Vec3 v{n[1] * u[2] - n[2] * u[1], n[2] * u[0] - n[0] * u[2], n[0] * u[1] - n[1] * u[0]};
    double longest = 0, shortest = 1e9;
    for (int a = 0; a < 3600; ++a) {
      const double t = a * kPi / 3600;
      const Vec3 d{std::cos(t) * u[0] + std::sin(t) * v[0], std::cos(t) * u[1] + std::sin(t) * v[1],
                   std::cos(t) * u[2] + std::sin(t) * v[2]};
      const double r = radius_along(e, d);
      longest = std::max(longest, 2 * r);
      shortest = std::min(shortest, 2 * r);
    }
    const SectionDiameters s = largest_section_diameters(e, n);
    EXPECT_NEAR(s.major_mm, longest, 1e-3);
    EXPECT_NEAR(s.minor_mm, shortest, 1e-3);
    EXPECT_LT(s.major_mm, 32);  // the 16 mm semi-axis is tilted out of the plane
  }
}

TEST(SynthEllipsoid, VoxeliseUsesVoxelCentresAndLabelsLesions) {
  Geometry g;
  g.size = {20, 20, 10};
  g.spacing_mm = {1, 1, 2};
  const Ellipsoid a{{5, 5, 6}, {3.0, 2.0, 2.0}, kIdentity3};
  const Ellipsoid b{{14, 14, 10}, {2.5, 2.5, 4.5}, kIdentity3};
  const Volume<std::uint8_t> labels = voxelise({a, b}, g);
  std::size_t count_a = 0, count_b = 0;
  for (std::size_t k = 0; k < g.size[2]; ++k)
    for (std::size_t j = 0; j < g.size[1]; ++j)
      for (std::size_t i = 0; i < g.size[0]; ++i) {
        const Vec3 p = g.index_to_lps({double(i), double(j), double(k)});
        const std::uint8_t expected = a.contains(p) ? 1 : b.contains(p) ? 2 : 0;
        EXPECT_EQ(labels.at(i, j, k), expected);
        count_a += expected == 1;
        count_b += expected == 2;
      }
  EXPECT_GT(count_a, 0u);
  EXPECT_GT(count_b, 0u);
  EXPECT_EQ(labels.at(8, 5, 3), 1);  // (8, 5, 6) mm: on a's surface, boundary included
}

TEST(SynthEllipsoid, OverlappingLesionsAreADesignBug) {
  Geometry g;
  g.size = {8, 8, 8};
  const Ellipsoid a{{3, 3, 3}, {2, 2, 2}, kIdentity3};
  EXPECT_THROW(voxelise({a, a}, g), InternalError);
}

TEST(SynthEllipsoid, RotationIsOrthonormalAndRightHanded) {
  const Mat3 r = rotation_about({0, 0, 1}, 90);
  const Vec3 x = apply(r, {1, 0, 0});
  EXPECT_NEAR(x[0], 0, 1e-12);
  EXPECT_NEAR(x[1], 1, 1e-12);
  const Vec3 back = apply_transposed(r, x);
  EXPECT_NEAR(back[0], 1, 1e-12);
  EXPECT_NEAR(back[1], 0, 1e-12);
}

}  // namespace oncotrack::synth
