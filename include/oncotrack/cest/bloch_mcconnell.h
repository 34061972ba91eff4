#pragma once
// The Bloch–McConnell equations of a tissue (tissue.h states the conventions) as a linear system with a
// homogeneous coordinate: M̂ = [Mx_w, My_w, Mz_w, Mx_1, My_1, Mz_1, …, Mz_mt, 1] and dM̂/dt = Â M̂ with
// Â = [[A, C], [0, 0]] while the RF is constant. e^{Â t} holds the exact solution
// M(t) = e^{At}(M(0) + A⁻¹C) − A⁻¹C without needing A to be invertible (no relaxation, no RF).
// Rotating frame at the RF frequency; the RF field points along (cos φ, sin φ, 0) and M precesses about
// ω = (ω1 cos φ, ω1 sin φ, Δ): dM/dt = ω × M − relaxation + exchange.
// Uses Eigen 3.4 directly: never include this next to ITK transform headers (ARCHITECTURE.md §2).
// Thread safety: const methods may be called concurrently.
#include <Eigen/Dense>
#include <limits>

#include "oncotrack/cest/tissue.h"

namespace oncotrack::cest {

class BlochMcConnell {
 public:
  BlochMcConnell(const Tissue& tissue, const Scanner& scanner);

  Eigen::Index size() const { return size_; }
  Eigen::Index cest_pools() const { return static_cast<Eigen::Index>(tissue_.cest.size()); }
  bool has_mt() const { return tissue_.mt.has_value(); }
  Eigen::Index mt_index() const { return size_ - 2; }  // only with has_mt()

  // The fully relaxed state (M0 of every pool, homogeneous coordinate 1).
  Eigen::VectorXd equilibrium() const;

  // Â for RF of amplitude b1_ut (nominal, scaled by the scanner's b1_scale) and phase_rad at offset_ppm.
  // mt_lineshape_s: the MT pool's absorption lineshape at this offset (mt_lineshape_s(offset_ppm)) when the
  // caller has it already — a super-Lorentzian costs more than the rest of the generator; computed when NaN.
  Eigen::MatrixXd generator(double b1_ut, double phase_rad, double offset_ppm,
                            double mt_lineshape_s = std::numeric_limits<double>::quiet_NaN()) const;
  // The MT pool's lineshape G(Δ) in s at offset_ppm (0 without an MT pool).
  double mt_lineshape_s(double offset_ppm) const;
  // e^{Â · duration_s}: the exact propagator of a block-constant step.
  Eigen::MatrixXd propagator(double b1_ut, double phase_rad, double offset_ppm, double duration_s) const;
  // Free relaxation and exchange for duration_s (no RF).
  Eigen::MatrixXd relaxation(double duration_s) const { return propagator(0.0, 0.0, 0.0, duration_s); }

  // An instantaneous hard pulse of flip_deg about x on the liquid pools (water and CEST pools). The semisolid
  // pool is left as it is: its saturation by the short readout pulse is neglected.
  Eigen::MatrixXd excitation(double flip_deg) const;
  // Perfect spoiling: every transverse component to zero.
  Eigen::MatrixXd spoiler() const;

  static double water_mz(const Eigen::VectorXd& m) { return m[2]; }

 private:
  Tissue tissue_;
  Scanner scanner_;
  Eigen::Index size_;
};

}  // namespace oncotrack::cest
