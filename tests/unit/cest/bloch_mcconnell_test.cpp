#include "oncotrack/cest/bloch_mcconnell.h"

#include <gtest/gtest.h>

#include <cmath>

#include "support/bloch_mcconnell_rk45.h"

namespace oncotrack::cest {
namespace {

Scanner scanner_9p4() {
  Scanner s;
  s.b0_tesla = 9.4;
  return s;
}

Tissue water_only(double t1_s, double t2_s) {
  Tissue t;
  t.water = {t1_s, t2_s};
  return t;
}

// Water + amide-like + amine-like pools + a super-Lorentzian semisolid pool.
Tissue three_pools_and_mt() {
  Tissue t = water_only(1.8, 0.08);
  t.cest.push_back({3.5, 50.0, 0.0009, 1.3, 0.01});
  t.cest.push_back({2.0, 700.0, 0.003, 1.3, 0.04});
  t.mt = MtPool{-2.5, 40.0, 0.12, 1.8, 1.2e-5, Lineshape::kSuperLorentzian};
  return t;
}

TEST(BlochMcConnell, WithoutRfWaterRelaxesExactly) {
  const Tissue t = water_only(1.5, 0.09);
  const BlochMcConnell bm(t, scanner_9p4());
  Eigen::VectorXd m = bm.equilibrium();
  m.head(3) << 0.6, 0.0, -0.4;
  for (double time : {0.01, 0.3, 2.0}) {
    const Eigen::VectorXd r = bm.relaxation(time) * m;
    EXPECT_NEAR(r[0], 0.6 * std::exp(-time / 0.09), 1e-13);
    EXPECT_NEAR(r[1], 0.0, 1e-13);
    EXPECT_NEAR(r[2], 1.0 - 1.4 * std::exp(-time / 1.5), 1e-13);
  }
}

TEST(BlochMcConnell, OffResonanceWaterPrecessesAtTheDetuning) {
  const Tissue t = water_only(1.5, 0.09);
  const Scanner s = scanner_9p4();
  const BlochMcConnell bm(t, s);
  Eigen::VectorXd m = bm.equilibrium();
  m.head(3) << 1.0, 0.0, 0.0;
  const double time = 0.0123,
               dw = (0.0 - 1.5) * s.omega_per_ppm();  // RF at +1.5 ppm: water at −1.5 ppm from it
  const Eigen::VectorXd r = bm.propagator(0.0, 0.0, 1.5, time) * m;
  EXPECT_NEAR(r[0], std::exp(-time / 0.09) * std::cos(dw * time), 1e-12);
  EXPECT_NEAR(r[1], std::exp(-time / 0.09) * std::sin(dw * time), 1e-12);
}

TEST(BlochMcConnell, ContinuousWaveReachesTheBlochSteadyState) {
  // Water alone under CW: Mz_ss = (1 + (ΔT2)²) / (1 + (ΔT2)² + ω1² T1 T2).
  const double t1 = 1.2, t2 = 0.05, b1 = 1.0;
  const Scanner s = scanner_9p4();
  const BlochMcConnell bm(water_only(t1, t2), s);
  const double w1 = s.gamma_rad_per_s_per_ut() * b1;
  for (double offset : {0.0, 0.1, 1.0}) {
    const double d = offset * s.omega_per_ppm() * t2;
    const double want = (1.0 + d * d) / (1.0 + d * d + w1 * w1 * t1 * t2);
    const Eigen::VectorXd r = bm.propagator(b1, 0.0, offset, 20.0 * t1) * bm.equilibrium();
    EXPECT_NEAR(BlochMcConnell::water_mz(r), want, 1e-9) << offset;
  }
}

TEST(BlochMcConnell, EquilibriumIsStationaryByDetailedBalance) {
  const BlochMcConnell bm(three_pools_and_mt(), scanner_9p4());
  EXPECT_EQ(bm.size(), 3 * 3 + 1 + 1);
  const Eigen::VectorXd d = bm.generator(0.0, 0.0, 0.0) * bm.equilibrium();
  EXPECT_LT(d.cwiseAbs().maxCoeff(), 1e-12);
}

TEST(BlochMcConnell, WithoutExchangeThePoolsAreIndependent) {
  Tissue t = three_pools_and_mt();
  for (CestPool& p : t.cest) p.exchange_rate_per_s = 0.0;
  t.mt->exchange_rate_per_s = 0.0;
  const Scanner s = scanner_9p4();
  const BlochMcConnell bm(t, s);
  const Eigen::VectorXd all = bm.propagator(2.0, 0.3, 2.5, 0.8) * bm.equilibrium();
  const BlochMcConnell water(water_only(t.water.t1_s, t.water.t2_s), s);
  const Eigen::VectorXd w = water.propagator(2.0, 0.3, 2.5, 0.8) * water.equilibrium();
  EXPECT_LT((all.head(3) - w.head(3)).cwiseAbs().maxCoeff(), 1e-12);
  // A pool alone behaves as water shifted by its resonance, scaled by its fraction.
  const CestPool& p = t.cest[1];
  const BlochMcConnell alone(water_only(p.t1_s, p.t2_s), s);
  const Eigen::VectorXd a = alone.propagator(2.0, 0.3, 2.5 - p.shift_ppm, 0.8) * alone.equilibrium();
  EXPECT_LT((all.segment(6, 3) - p.fraction * a.head(3)).cwiseAbs().maxCoeff(), 1e-14);
}

TEST(BlochMcConnell, PropagatorAgreesWithAnIndependentRk45Integration) {
  const Tissue t = three_pools_and_mt();
  Scanner s = scanner_9p4();
  s.b0_shift_ppm = 0.07;
  s.b1_scale = 0.93;
  const BlochMcConnell bm(t, s);
  for (double offset : {3.5, -2.5, 10.0}) {
    const Eigen::VectorXd m = bm.propagator(1.5, 0.0, offset, 0.1) * bm.equilibrium();
    test::State r = test::relaxed_state(t);
    test::integrate(t, s, {1.5, offset}, r, 0.1);
    for (std::size_t i = 0; i < r.size(); ++i)
      EXPECT_NEAR(m[static_cast<Eigen::Index>(i)], r[i], 1e-8) << offset;
  }
}

TEST(BlochMcConnell, ExcitationRotatesLiquidPoolsOnlyAndSpoilerClearsTransverse) {
  const BlochMcConnell bm(three_pools_and_mt(), scanner_9p4());
  const Eigen::VectorXd m = bm.spoiler() * bm.excitation(90.0) * bm.equilibrium();
  EXPECT_NEAR(m[2], 0.0, 1e-15);
  EXPECT_NEAR(m[5], 0.0, 1e-15);
  EXPECT_EQ(m[0], 0.0);
  EXPECT_EQ(m[1], 0.0);
  EXPECT_DOUBLE_EQ(m[bm.mt_index()], 0.12);
  const Eigen::VectorXd half = bm.excitation(60.0) * bm.equilibrium();
  EXPECT_NEAR(half[2], 0.5, 1e-15);
  EXPECT_NEAR(half[1], -std::sqrt(3.0) / 2.0, 1e-15);
}

}  // namespace
}  // namespace oncotrack::cest
