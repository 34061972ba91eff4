// The simulator against published benchmark values: the BMsim challenge (Huemer, Schuenke, Zaiss et al.,
// "Bloch-McConnell Simulation Study – Comparison of Various CEST Simulation Frameworks",
// github.com/pulseq-cest/BMsim_challenge), whose continuous-wave cases are fully specified: 3 T,
// γ = 42.5764 MHz/T, fully relaxed start before every offset, 2 µT block saturation, then a 6.5 ms spoiler
// delay before the readout; the result is raw water Mz (M0 = 1), and the −300 ppm scan is the normalisation.
//  - case 1: 2-pool creatine phantom (water T1 3 s, T2 2 s; creatine 1.9 ppm, k 50 s⁻¹, f 5e-4, T1 1.05 s,
//    T2 0.1 s), 15 s saturation (close to steady state);
//  - case 2: the same, 2 s saturation (transient Rabi oscillations: very sensitive to B1, γ and exchange);
//  - case 3: 5-pool white matter (water T1 1 s, T2 40 ms; amide 3.5 ppm k 50; guanidine 2 ppm k 1000; rNOE
//    −3 ppm k 20; Lorentzian semisolid pool −3 ppm k 30 f 0.1351 T2 40 µs), 2 s saturation.
// Reference values: the public submission of P. Parnianpour (github.com/Pedram-Parnianpour/
// bmsim-challenge-solver; case 1: case_1_submission.csv at 3a5c80e, case 2: results/case_2_submission.csv at
// 0b96b8c, case 3: results/case_3_submission.csv at fac7064), an independent NumPy/SciPy expm implementation.
// The study reports that submissions for cases 1–2 agree within ~1e-4, and that case 3 differs markedly
// between frameworks, mostly through the semisolid pool: the challenge asks for it with full x, y, z
// components, which is what a CestPool is (our MtPool is z-only and not interchangeable, ARCHITECTURE.md §5).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "oncotrack/cest/bloch_mcconnell.h"

namespace oncotrack::cest {
namespace {

struct Point {
  double offset_ppm;
  double mz;
};

Scanner scanner_3t() {
  Scanner s;
  s.b0_tesla = 3.0;
  s.gamma_hz_per_ut = 42.5764;
  return s;
}

Tissue creatine_phantom() {
  Tissue t;
  t.water = {3.0, 2.0};
  t.cest.push_back({1.9, 50.0, 5.0e-4, 1.05, 0.1});
  return t;
}

Tissue white_matter_xyz_semisolid() {
  Tissue t;
  t.water = {1.0, 0.040};
  t.cest.push_back({3.5, 50.0, 0.0009009, 1.0, 0.1});    // amide
  t.cest.push_back({2.0, 1000.0, 0.0009009, 1.0, 0.1});  // guanidine
  t.cest.push_back({-3.0, 20.0, 0.0045, 1.3, 0.005});    // rNOE
  t.cest.push_back({-3.0, 30.0, 0.1351, 1.0, 4.0e-5});   // semisolid, x, y, z
  return t;
}

// Raw water Mz read out after block saturation at offset_ppm for tsat_s and the 6.5 ms spoiler delay.
double readout_mz(const BlochMcConnell& bm, double offset_ppm, double tsat_s) {
  const Eigen::VectorXd m =
      bm.relaxation(0.0065) * (bm.propagator(2.0, 0.0, offset_ppm, tsat_s) * bm.equilibrium());
  return BlochMcConnell::water_mz(m);
}

double max_difference(const Tissue& tissue, double tsat_s, const std::vector<Point>& reference) {
  const BlochMcConnell bm(tissue, scanner_3t());
  double worst = 0.0;
  for (const Point& p : reference) {
    worst = std::max(worst, std::abs(readout_mz(bm, p.offset_ppm, tsat_s) - p.mz));
  }
  return worst;
}

TEST(BmsimChallenge, Case1SteadyStateCreatineMatchesTheSubmission) {
  const std::vector<Point> reference = {{-300.0, 0.9999925651}, {-15.0, 0.9970374579}, {-3.5, 0.9481533823},
                                        {-1.0, 0.5962281766},   {-0.4, 0.1901384241},  {0.0, 0.0018340820},
                                        {0.4, 0.1848553473},    {1.0, 0.5684803617},   {1.9, 0.7941124131},
                                        {3.5, 0.9439683211},    {15.0, 0.9970219390}};
  // Both are exact exponentials. Measured: ~1e-10 far off resonance, ≤ 1.6e-7 near it — far inside the
  // study's 1e-4 agreement between submissions.
  EXPECT_LT(max_difference(creatine_phantom(), 15.0, reference), 1e-6);
}

TEST(BmsimChallenge, Case2TransientCreatineMatchesWithinTheStudysAgreement) {
  const std::vector<Point> reference = {{-300.0, 0.9999934090}, {-15.0, 0.9971723061}, {-3.5, 0.9619400122},
                                        {-1.0, 0.7525823965},   {-0.4, -0.0047279166}, {0.0, -0.1382161253},
                                        {0.4, -0.0091997579},   {1.0, 0.7357988429},   {1.9, 0.8108024073},
                                        {3.5, 0.9598571726},    {15.0, 0.9971626368}};
  // Measured: ≤ 5.3e-5, largest on resonance, where 2 s of Rabi oscillation (~170 turns) amplify any
  // difference in the propagator; our own result there is reproduced to 1e-12 by 1000 shorter steps.
  EXPECT_LT(max_difference(creatine_phantom(), 2.0, reference), 1e-4);
}

TEST(BmsimChallenge, Case2OnResonanceIsIndependentOfTheStepCount) {
  const BlochMcConnell bm(creatine_phantom(), scanner_3t());
  const Eigen::VectorXd one = bm.propagator(2.0, 0.0, 0.0, 2.0) * bm.equilibrium();
  const Eigen::MatrixXd step = bm.propagator(2.0, 0.0, 0.0, 2.0 / 1000.0);
  Eigen::VectorXd many = bm.equilibrium();
  for (int i = 0; i < 1000; ++i) many = step * many;
  EXPECT_NEAR(BlochMcConnell::water_mz(one), BlochMcConnell::water_mz(many), 1e-10);
}

TEST(BmsimChallenge, Case3WhiteMatterMatchesWithinTheInterFrameworkSpread) {
  const std::vector<Point> reference = {{-300.0, 0.98772247}, {-15.0, 0.52426146}, {-3.5, 0.33356027},
                                        {-1.0, 0.07770364},   {0.0, 0.00716229},   {1.0, 0.07619888},
                                        {2.0, 0.19972742},    {3.5, 0.33852775},   {15.0, 0.55415403}};
  // Measured: ≤ 2.6e-4 (largest far off resonance, where the semisolid pool dominates); the study's spread
  // between frameworks for this case is larger. Swapping in the z-only MtPool moves Mz by ~1e-2 here.
  EXPECT_LT(max_difference(white_matter_xyz_semisolid(), 2.0, reference), 5e-4);
}

}  // namespace
}  // namespace oncotrack::cest
