#include "oncotrack/cest/lineshape.h"

#include <gtest/gtest.h>

#include <cmath>

namespace oncotrack::cest {
namespace {

// ∫ g(Δ) dΔ over rad/s by the trapezoid rule on a log-spaced grid (the line shapes are even).
double area(Lineshape shape, double t2_s) {
  double sum = 0.0, prev_x = 0.0, prev_g = lineshape_s(shape, t2_s, 0.0);
  for (int i = 0; i <= 20000; ++i) {
    const double x = 1e-3 / t2_s * std::pow(10.0, i * 9.0 / 20000);
    const double g = lineshape_s(shape, t2_s, x);
    sum += 0.5 * (g + prev_g) * (x - prev_x);
    prev_x = x;
    prev_g = g;
  }
  return 2.0 * sum;
}

TEST(Lineshape, LorentzianHasUnitAreaAndItsPeak) {
  EXPECT_NEAR(area(Lineshape::kLorentzian, 1e-5), 1.0, 1e-5);  // the tails beyond 1e6 / T2 hold 6e-7
  EXPECT_DOUBLE_EQ(lineshape_s(Lineshape::kLorentzian, 1e-5, 0.0), 1e-5 / kPi);
  EXPECT_DOUBLE_EQ(lineshape_s(Lineshape::kLorentzian, 1e-5, 1e5), 1e-5 / kPi / 2.0);
}

// The defining integral by a plain midpoint rule with very many nodes (slow, independent of the clustering).
double super_lorentzian_brute(double t2_s, double dw) {
  constexpr int kNodes = 4000000;
  double sum = 0.0;
  for (int i = 0; i < kNodes; ++i) {
    const double u = (i + 0.5) / kNodes, x = 3.0 * u * u - 1.0, r = dw * t2_s / x;
    sum += std::sqrt(2.0 / kPi) * t2_s / std::abs(x) * std::exp(-2.0 * r * r);
  }
  return sum / kNodes;
}

TEST(Lineshape, SuperLorentzianHasUnitAreaIsEvenAndMatchesItsIntegral) {
  // Near 0, g ≈ T2 · √(2/π)/√3 · ln(1/(|Δ| T2)) + c; the clamp at a = 1e-3 / T2 loses ∫₀^a ln(a/Δ) dΔ = a per
  // side: 2 · 1e-3 · √(2/π)/√3 = 9.21e-4 of the area.
  EXPECT_NEAR(area(Lineshape::kSuperLorentzian, 1e-5), 1.0 - 9.21e-4, 5e-5);
  EXPECT_DOUBLE_EQ(lineshape_s(Lineshape::kSuperLorentzian, 1e-5, 3e4),
                   lineshape_s(Lineshape::kSuperLorentzian, 1e-5, -3e4));
  for (double dw : {1e3, 2e4, 1e5, 3e5, 6e5}) {
    const double want = super_lorentzian_brute(1e-5, dw);
    EXPECT_NEAR(lineshape_s(Lineshape::kSuperLorentzian, 1e-5, dw), want, 1e-6 * want) << dw;
  }
}

TEST(Lineshape, SuperLorentzianIsFiniteOnResonance) {
  const double g0 = lineshape_s(Lineshape::kSuperLorentzian, 1e-5, 0.0);
  EXPECT_TRUE(std::isfinite(g0));
  EXPECT_DOUBLE_EQ(g0, lineshape_s(Lineshape::kSuperLorentzian, 1e-5, 1.0));  // clamped at 1e-3 / T2
  EXPECT_GT(g0, lineshape_s(Lineshape::kSuperLorentzian, 1e-5, 1e4));
}

}  // namespace
}  // namespace oncotrack::cest
