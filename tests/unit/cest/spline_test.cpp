#include "oncotrack/cest/spline.h"

#include <gtest/gtest.h>

#include <cmath>

namespace oncotrack::cest {
namespace {

TEST(CubicSpline, PassesThroughItsKnotsAndIsExactForStraightLines) {
  const std::vector<double> x{-2.0, -0.5, 0.0, 0.7, 3.0};
  std::vector<double> y;
  for (double v : x) y.push_back(0.3 * v - 1.0);
  const CubicSpline line(x, y);
  for (double v = -2.0; v <= 3.0; v += 0.1) EXPECT_NEAR(line(v), 0.3 * v - 1.0, 1e-12) << v;
  const CubicSpline wiggly(x, {1.0, -1.0, 2.0, 0.5, 4.0});
  EXPECT_DOUBLE_EQ(wiggly(-0.5), -1.0);
  EXPECT_DOUBLE_EQ(wiggly(0.7), 0.5);
  // Held constant beyond the samples.
  EXPECT_DOUBLE_EQ(wiggly(-10.0), 1.0);
  EXPECT_DOUBLE_EQ(wiggly(10.0), 4.0);
}

TEST(CubicSpline, InterpolatesASmoothDipAndFindsItsMinimum) {
  // A Lorentzian dip of FWHM 1 at 0.23, sampled every 0.25.
  auto dip = [](double v) { return 1.0 - 0.9 / (1.0 + 4.0 * (v - 0.23) * (v - 0.23)); };
  std::vector<double> x, y;
  for (int i = -24; i <= 24; ++i) x.push_back(0.25 * i), y.push_back(dip(0.25 * i));
  const CubicSpline s(x, y);
  for (double v = -2.0; v <= 2.0; v += 0.05) EXPECT_NEAR(s(v), dip(v), 0.02) << v;
  EXPECT_NEAR(s.argmin(-1.0, 1.0), 0.23, 0.01);
  // The minimum over a range that excludes the dip is at its edge.
  EXPECT_NEAR(s.argmin(1.0, 2.0), 1.0, 1e-12);
}

}  // namespace
}  // namespace oncotrack::cest
