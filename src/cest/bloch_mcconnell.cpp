#include "oncotrack/cest/bloch_mcconnell.h"

#include <cmath>

#include "expm.h"

#include "oncotrack/cest/lineshape.h"

namespace oncotrack::cest {

BlochMcConnell::BlochMcConnell(const Tissue& tissue, const Scanner& scanner)
    : tissue_(tissue),
      scanner_(scanner),
      size_(3 * (1 + static_cast<Eigen::Index>(tissue.cest.size())) + (tissue.mt ? 1 : 0) + 1) {}

Eigen::VectorXd BlochMcConnell::equilibrium() const {
  Eigen::VectorXd m = Eigen::VectorXd::Zero(size_);
  m[2] = 1.0;
  for (Eigen::Index i = 0; i < cest_pools(); ++i) m[3 * (i + 1) + 2] = tissue_.cest[i].fraction;
  if (has_mt()) m[mt_index()] = tissue_.mt->fraction;
  m[size_ - 1] = 1.0;
  return m;
}

double BlochMcConnell::mt_lineshape_s(double offset_ppm) const {
  if (!has_mt()) return 0.0;
  const MtPool& p = *tissue_.mt;
  return lineshape_s(p.lineshape, p.t2_s,
                     (p.shift_ppm + scanner_.b0_shift_ppm - offset_ppm) * scanner_.omega_per_ppm());
}

Eigen::MatrixXd BlochMcConnell::generator(double b1_ut, double phase_rad, double offset_ppm,
                                          double mt_lineshape) const {
  const Eigen::Index n = size_, one = n - 1;
  Eigen::MatrixXd a = Eigen::MatrixXd::Zero(n, n);
  const double w1 = scanner_.gamma_rad_per_s_per_ut() * b1_ut * scanner_.b1_scale;
  const double w1x = w1 * std::cos(phase_rad), w1y = w1 * std::sin(phase_rad);
  const double w_ppm = scanner_.omega_per_ppm();
  // One liquid pool at state offset o: precession about (w1x, w1y, detuning), relaxation towards m0.
  auto liquid = [&](Eigen::Index o, double shift_ppm, double r1, double r2, double m0) {
    const double dw = (shift_ppm + scanner_.b0_shift_ppm - offset_ppm) * w_ppm;
    a(o, o) = -r2;
    a(o, o + 1) = -dw;
    a(o, o + 2) = w1y;
    a(o + 1, o) = dw;
    a(o + 1, o + 1) = -r2;
    a(o + 1, o + 2) = -w1x;
    a(o + 2, o) = -w1y;
    a(o + 2, o + 1) = w1x;
    a(o + 2, o + 2) = -r1;
    a(o + 2, one) = r1 * m0;
  };
  liquid(0, 0.0, 1.0 / tissue_.water.t1_s, 1.0 / tissue_.water.t2_s, 1.0);
  // Exchange between water (state 0..2) and a pool's components at `o` (z only when z_only).
  auto exchange = [&](Eigen::Index o, double k, double f, bool z_only) {
    for (Eigen::Index c = z_only ? 2 : 0; c < 3; ++c) {
      const Eigen::Index p = z_only ? o : o + c;
      a(c, c) -= k * f;
      a(c, p) += k;
      a(p, p) -= k;
      a(p, c) += k * f;
    }
  };
  for (Eigen::Index i = 0; i < cest_pools(); ++i) {
    const CestPool& p = tissue_.cest[i];
    const Eigen::Index o = 3 * (i + 1);
    liquid(o, p.shift_ppm, 1.0 / p.t1_s, 1.0 / p.t2_s, p.fraction);
    exchange(o, p.exchange_rate_per_s, p.fraction, false);
  }
  if (has_mt()) {
    const MtPool& p = *tissue_.mt;
    const Eigen::Index o = mt_index();
    const double g = std::isnan(mt_lineshape) ? mt_lineshape_s(offset_ppm) : mt_lineshape;
    const double r_rf = w1 == 0.0 ? 0.0 : kPi * w1 * w1 * g;
    a(o, o) = -1.0 / p.t1_s - r_rf;
    a(o, one) = p.fraction / p.t1_s;
    exchange(o, p.exchange_rate_per_s, p.fraction, true);
  }
  return a;
}

Eigen::MatrixXd BlochMcConnell::propagator(double b1_ut, double phase_rad, double offset_ppm,
                                           double duration_s) const {
  return detail::expm<Eigen::MatrixXd>(generator(b1_ut, phase_rad, offset_ppm) * duration_s);
}

Eigen::MatrixXd BlochMcConnell::excitation(double flip_deg) const {
  Eigen::MatrixXd r = Eigen::MatrixXd::Identity(size_, size_);
  const double t = flip_deg * kPi / 180.0, c = std::cos(t), s = std::sin(t);
  for (Eigen::Index i = 0; i <= cest_pools(); ++i) {
    const Eigen::Index o = 3 * i;  // rotation about x: y' = c y − s z, z' = s y + c z (as ω × M with ω ∥ x)
    r(o + 1, o + 1) = c;
    r(o + 1, o + 2) = -s;
    r(o + 2, o + 1) = s;
    r(o + 2, o + 2) = c;
  }
  return r;
}

Eigen::MatrixXd BlochMcConnell::spoiler() const {
  Eigen::MatrixXd s = Eigen::MatrixXd::Identity(size_, size_);
  for (Eigen::Index i = 0; i <= cest_pools(); ++i) s(3 * i, 3 * i) = s(3 * i + 1, 3 * i + 1) = 0.0;
  return s;
}

}  // namespace oncotrack::cest
