#include "oncotrack/cest/lorentzian_fit.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "oncotrack/core/error.h"

namespace oncotrack::cest {
namespace {

// A 7 T brain-like sampling: wide wings for MT, dense in ±6 ppm.
std::vector<double> offsets() {
  std::vector<double> x{-40, -30, -20, -12, -9};
  for (int i = -28; i <= 28; ++i) x.push_back(0.25 * i);
  for (double v : {9.0, 12.0, 20.0, 30.0, 40.0}) x.push_back(v);
  return x;
}

// Truth differs from every start value of default_lorentzian_model(); order water, amide, amine, NOE, MT.
const std::vector<PoolFit> kTruth{
    {0.78, 1.9, 0.04}, {0.035, 0.9, 3.55}, {0.02, 1.2, 2.1}, {0.045, 2.6, -3.4}, {0.16, 32.0, -2.2}};
constexpr double kBaseline = 0.98;

std::vector<double> synthetic(const std::vector<double>& x) {
  std::vector<double> z;
  for (double v : x) z.push_back(lorentzian_z(kBaseline, kTruth, v));
  return z;
}

TEST(LorentzianFit, ModelIsBaselineMinusLorentzians) {
  const std::vector<PoolFit> one{{0.5, 2.0, 1.0}};
  EXPECT_DOUBLE_EQ(lorentzian_z(1.0, one, 1.0), 0.5);   // full amplitude on the pool
  EXPECT_DOUBLE_EQ(lorentzian_z(1.0, one, 2.0), 0.75);  // half amplitude at half the FWHM away
  EXPECT_DOUBLE_EQ(lorentzian_z(0.9, {}, 7.0), 0.9);
}

TEST(LorentzianFit, RecoversFivePoolsFromNoiselessData) {
  const std::vector<double> x = offsets();
  const LorentzianFit fit = fit_lorentzians(default_lorentzian_model(), x, synthetic(x));
  ASSERT_EQ(fit.pools.size(), kTruth.size());
  EXPECT_TRUE(fit.converged);
  EXPECT_NEAR(fit.baseline, kBaseline, 1e-6 * kBaseline);
  for (std::size_t p = 0; p < kTruth.size(); ++p) {
    EXPECT_NEAR(fit.pools[p].amplitude, kTruth[p].amplitude, 1e-6 * kTruth[p].amplitude) << p;
    EXPECT_NEAR(fit.pools[p].fwhm_ppm, kTruth[p].fwhm_ppm, 1e-6 * kTruth[p].fwhm_ppm) << p;
    EXPECT_NEAR(fit.pools[p].shift_ppm, kTruth[p].shift_ppm,
                1e-6 * std::max(std::abs(kTruth[p].shift_ppm), 1.0))
        << p;
  }
  EXPECT_LT(fit.rms_residual, 1e-9);
}

TEST(LorentzianFit, StaysCloseWithNoise) {
  // SD 0.005 of M0 on every offset; over 20 draws: water and the CEST pools' amplitudes within 0.015 (amide
  // 0.035 ± 0.015), positions of amide and NOE within 0.3 ppm, water within 0.01 ppm.
  const std::vector<double> x = offsets();
  std::mt19937 random(11);
  std::normal_distribution<double> noise(0.0, 0.005);
  for (int draw = 0; draw < 20; ++draw) {
    std::vector<double> z = synthetic(x);
    for (double& v : z) v += noise(random);
    const LorentzianFit fit = fit_lorentzians(default_lorentzian_model(), x, z);
    EXPECT_NEAR(fit.pools[0].amplitude, kTruth[0].amplitude, 0.015) << draw;
    EXPECT_NEAR(fit.pools[0].shift_ppm, kTruth[0].shift_ppm, 0.01) << draw;
    EXPECT_NEAR(fit.pools[1].amplitude, kTruth[1].amplitude, 0.015) << draw;
    EXPECT_NEAR(fit.pools[1].shift_ppm, kTruth[1].shift_ppm, 0.3) << draw;
    EXPECT_NEAR(fit.pools[3].amplitude, kTruth[3].amplitude, 0.015) << draw;
    EXPECT_NEAR(fit.pools[3].shift_ppm, kTruth[3].shift_ppm, 0.3) << draw;
    EXPECT_NEAR(fit.rms_residual, 0.005, 0.002) << draw;
  }
}

TEST(LorentzianFit, KeepsParametersWithinTheirBounds) {
  // Data with a deeper amide dip than the amide bound allows: the fit stops at the bound.
  std::vector<PoolFit> truth = kTruth;
  truth[1].amplitude = 0.4;
  const std::vector<double> x = offsets();
  std::vector<double> z;
  for (double v : x) z.push_back(lorentzian_z(kBaseline, truth, v));
  const LorentzianModel model = default_lorentzian_model();
  const LorentzianFit fit = fit_lorentzians(model, x, z);
  for (std::size_t p = 0; p < fit.pools.size(); ++p) {
    EXPECT_GE(fit.pools[p].amplitude, model.pools[p].amplitude.lower);
    EXPECT_LE(fit.pools[p].amplitude, model.pools[p].amplitude.upper);
    EXPECT_GE(fit.pools[p].shift_ppm, model.pools[p].shift_ppm.lower);
    EXPECT_LE(fit.pools[p].shift_ppm, model.pools[p].shift_ppm.upper);
  }
  EXPECT_DOUBLE_EQ(fit.pools[1].amplitude, model.pools[1].amplitude.upper);
}

TEST(LorentzianFit, RefusesTooFewOffsets) {
  EXPECT_THROW(fit_lorentzians(default_lorentzian_model(), {-1, 0, 1}, {0.9, 0.1, 0.9}), Error);
  EXPECT_THROW(fit_lorentzians(default_lorentzian_model(), offsets(), {0.9}), Error);
}

}  // namespace
}  // namespace oncotrack::cest
