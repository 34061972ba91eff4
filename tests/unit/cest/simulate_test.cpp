#include "oncotrack/cest/simulate.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "support/bloch_mcconnell_rk45.h"

namespace oncotrack::cest {
namespace {

Tissue arginine_phantom_vial() {
  Tissue t;
  t.water = {2.9, 0.9};
  t.cest.push_back({3.0, 400.0, fraction_from_concentration(60.0, 3.0), 2.8, 0.04});
  return t;
}

Tissue brain_with_mt() {
  Tissue t;
  t.water = {1.8, 0.07};
  t.cest.push_back({3.5, 60.0, 0.0009, 1.8, 0.01});
  t.mt = MtPool{-2.5, 30.0, 0.1, 1.8, 1e-5, Lineshape::kSuperLorentzian};
  return t;
}

Schedule fingerprint(std::vector<double> b1_ut, std::vector<double> offset_ppm, double tsat_s, double tr_s) {
  Schedule s;
  s.b0_tesla = 9.4;
  for (std::size_t i = 0; i < b1_ut.size(); ++i)
    s.images.push_back({offset_ppm[i], b1_ut[i], tsat_s, tr_s, 90.0});
  return s;
}

TEST(Simulate, FingerprintAgreesWithRk45OverTheWholeTimeline) {
  Schedule s = fingerprint({2.0, 0.0, 4.0, 1.0}, {3.0, 3.0, 3.0, -3.0}, 0.4, 0.7);
  s.images[2].readout_flip_deg = 60.0;
  const Tissue t = arginine_phantom_vial();
  const Scanner sc = scanner_for(s);
  const std::vector<double> got = simulate_signal(t, sc, s);
  const std::vector<double> want = test::simulate_rk45(t, sc, s);
  ASSERT_EQ(got.size(), 4u);
  for (std::size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-6) << i;
  // Carried over: image 1's 90° readout leaves Mz ≈ 0, which recovers for 0.3 s + image 2's 0.4 s without RF
  // (≈ water T1 recovery; the solute and exchange move it by < 1e-3).
  EXPECT_NEAR(got[1], 1.0 - std::exp(-0.7 / 2.9), 1e-3);
}

TEST(Simulate, PulsedGaussianTrainWithMtAgreesWithRk45) {
  Schedule s = fingerprint({1.5, 0.8}, {3.5, -3.5}, 0.0, 0.0);
  s.saturation = Saturation::kPulsed;
  s.pulse = {PulseShape::kGaussian, 0.02, 0.02, 16};
  for (ScheduleImage& im : s.images) {
    im.tsat_s = 0.14;  // 4 pulses
    im.tr_s = 0.3;
  }
  const Tissue t = brain_with_mt();
  const Scanner sc = scanner_for(s, 0.05, 1.1);
  const std::vector<double> got = simulate_signal(t, sc, s);
  const std::vector<double> want = test::simulate_rk45(t, sc, s);
  for (std::size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-6) << i;
}

TEST(Simulate, RectangularTrainWithoutGapsEqualsContinuousWave) {
  Schedule cw = fingerprint({2.0, 3.0}, {3.0, 1.0}, 1.0, 1.5);
  Schedule pulsed = cw;
  pulsed.saturation = Saturation::kPulsed;
  pulsed.pulse = {PulseShape::kRectangular, 0.1, 0.0, 1};
  const Tissue t = brain_with_mt();
  const std::vector<double> a = simulate_signal(t, scanner_for(cw), cw);
  const std::vector<double> b = simulate_signal(t, scanner_for(pulsed), pulsed);
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], 1e-12);
}

TEST(Simulate, ResetMakesEveryImageIndependentOfTheOthers) {
  Schedule z = fingerprint({1.0, 1.0, 1.0}, {-3.0, 0.5, 3.0}, 2.0, 2.5);
  z.carry_over = false;
  const Tissue t = brain_with_mt();
  const std::vector<double> all = simulate_signal(t, scanner_for(z), z);
  for (std::size_t i = 0; i < z.images.size(); ++i) {
    Schedule one = z;
    one.images = {z.images[i]};
    EXPECT_DOUBLE_EQ(simulate_signal(t, scanner_for(one), one)[0], all[i]);
  }
  // Direct water saturation makes the spectrum dip towards 0 ppm.
  EXPECT_LT(all[1], std::min(all[0], all[2]));
}

TEST(Simulate, MoreSoluteOrFasterExchangeSaturatesWaterMoreAtItsResonance) {
  const Schedule s = fingerprint({2.0}, {3.0}, 3.0, 4.0);
  Tissue t = arginine_phantom_vial();
  const double base = simulate_signal(t, scanner_for(s), s)[0];
  Tissue more = t;
  more.cest[0].fraction *= 2.0;
  EXPECT_LT(simulate_signal(more, scanner_for(s), s)[0], base);
  // Faster exchange saturates more only when the RF keeps up (labelling efficiency ω1² / (ω1² + k(k + R2)):
  // at 2 µT doubling k from 400 s⁻¹ loses more efficiency than it gains in rate, at 6 µT it gains.
  Tissue faster = t;
  faster.cest[0].exchange_rate_per_s *= 2.0;
  EXPECT_GT(simulate_signal(faster, scanner_for(s), s)[0], base);
  const Schedule strong = fingerprint({6.0}, {3.0}, 3.0, 4.0);
  EXPECT_LT(simulate_signal(faster, scanner_for(strong), strong)[0],
            simulate_signal(t, scanner_for(strong), strong)[0]);
  // The opposite side of the spectrum does not see the pool (only direct saturation): MTR asymmetry > 0.
  Schedule mirror = s;
  mirror.images[0].offset_ppm = -3.0;
  EXPECT_GT(simulate_signal(t, scanner_for(mirror), mirror)[0] - base, 0.01);
}

}  // namespace
}  // namespace oncotrack::cest
