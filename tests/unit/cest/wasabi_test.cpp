#include "oncotrack/cest/wasabi.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "oncotrack/cest/simulate.h"
#include "oncotrack/core/error.h"

namespace oncotrack::cest {
namespace {

// The phantom's WASABI protocol (../shared/data/real/cest_phantom_3t): 31 offsets from −2 to 2 ppm at 3 T,
// 3.7 µT block of 5 ms.
std::vector<double> wasabi_offsets() {
  std::vector<double> x;
  for (int i = 0; i <= 30; ++i) x.push_back(-2.0 + 4.0 * i / 30.0);
  return x;
}

WasabiAcquisition acquisition() {
  WasabiAcquisition a;
  a.b0_tesla = 2.89;
  a.b1_ut = 3.7;
  a.pulse_duration_s = 0.005;
  return a;
}

TEST(Wasabi, ModelIsSymmetricAboutTheShiftAndHasTheBlochValueOnResonance) {
  const WasabiAcquisition a = acquisition();
  const WasabiParameters p{0.3, 0.9, 1.0, 2.0};
  for (double x : {0.1, 0.5, 1.3}) EXPECT_NEAR(wasabi_z(a, p, 0.3 + x), wasabi_z(a, p, 0.3 - x), 1e-12);
  // On resonance the magnetisation nutates by ω1·tp about B1: Mz = cos(ω1 tp) = 1 − 2 sin²(ω1 tp / 2).
  const double w1 = 2.0 * kPi * a.gamma_hz_per_ut * a.b1_ut * 0.9;
  EXPECT_NEAR(wasabi_z(a, p, 0.3), std::abs(std::cos(w1 * a.pulse_duration_s)), 1e-12);
}

TEST(Wasabi, RecoversShiftAndRelativeB1FromNoiselessModelData) {
  const WasabiAcquisition a = acquisition();
  const std::vector<double> x = wasabi_offsets();
  // Off the fit's start grid (steps of 0.05 in both), and the ideal c = 1, d = 2.
  for (const WasabiParameters truth :
       {WasabiParameters{0.0, 1.0, 1.0, 2.0}, WasabiParameters{0.173, 0.871, 0.95, 1.8},
        WasabiParameters{-0.617, 1.383, 0.9, 1.7}, WasabiParameters{0.412, 0.553, 1.0, 1.9}}) {
    std::vector<double> z;
    for (double v : x) z.push_back(wasabi_z(a, truth, v));
    const WasabiFit fit = fit_wasabi(a, x, z);
    EXPECT_NEAR(fit.parameters.b0_shift_ppm, truth.b0_shift_ppm, 0.01) << truth.b0_shift_ppm;
    EXPECT_NEAR(fit.parameters.rel_b1, truth.rel_b1, 0.01 * truth.rel_b1) << truth.rel_b1;
    EXPECT_LT(fit.rms_residual, 1e-6);
  }
}

TEST(Wasabi, StaysAccurateWithNoise) {
  // SD 0.01 of M0 (SNR 100 in the M0 image): over 40 noise draws the errors stay within 0.03 ppm and 3 %.
  const WasabiAcquisition a = acquisition();
  const std::vector<double> x = wasabi_offsets();
  const WasabiParameters truth{0.23, 1.12, 0.97, 1.85};
  std::mt19937 random(7);
  std::normal_distribution<double> noise(0.0, 0.01);
  double worst_shift = 0, worst_b1 = 0;
  for (int draw = 0; draw < 40; ++draw) {
    std::vector<double> z;
    for (double v : x) z.push_back(wasabi_z(a, truth, v) + noise(random));
    const WasabiFit fit = fit_wasabi(a, x, z);
    worst_shift = std::max(worst_shift, std::abs(fit.parameters.b0_shift_ppm - truth.b0_shift_ppm));
    worst_b1 = std::max(worst_b1, std::abs(fit.parameters.rel_b1 / truth.rel_b1 - 1.0));
  }
  EXPECT_LT(worst_shift, 0.03);
  EXPECT_LT(worst_b1, 0.03);
}

TEST(Wasabi, AgreesWithTheBlochMcConnellSimulatorOfTheSamePulse) {
  // The model neglects relaxation during the 5 ms pulse: with phantom-like water (T1 3 s, T2 1 s) the fitted
  // field errors stay below 0.01 ppm and 1 %; magnitude images, so |signal|. (With T2 = 0.1 s the relaxation
  // during the pulse biases rB1 by about 1 %.)
  Schedule s;
  s.b0_tesla = 2.89;
  s.carry_over = false;
  for (double v : wasabi_offsets()) s.images.push_back({v, 3.7, 0.005, 0.005, 90.0});
  Tissue t;
  t.water = {3.0, 1.0};
  for (const auto& [shift, b1] : {std::pair{0.0, 1.0}, std::pair{0.35, 0.8}, std::pair{-0.2, 1.25}}) {
    std::vector<double> z = simulate_signal(t, scanner_for(s, shift, b1), s);
    for (double& v : z) v = std::abs(v);
    const WasabiFit fit = fit_wasabi(acquisition(), wasabi_offsets(), z);
    EXPECT_NEAR(fit.parameters.b0_shift_ppm, shift, 0.01) << shift;
    EXPECT_NEAR(fit.parameters.rel_b1, b1, 0.01 * b1) << b1;
  }
}

TEST(Wasabi, RefusesTooFewOffsets) {
  EXPECT_THROW(fit_wasabi(acquisition(), {0.0, 1.0}, {0.5, 0.7}), Error);
  EXPECT_THROW(fit_wasabi(acquisition(), wasabi_offsets(), {0.5, 0.7}), Error);
}

}  // namespace
}  // namespace oncotrack::cest
