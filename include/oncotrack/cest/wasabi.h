#pragma once
// WASABI: simultaneous mapping of water shift and B1 (Schuenke et al., Magn Reson Med 77:571–580, 2017).
// A short block pulse (duration tp, amplitude B1) at offsets around water gives an oscillating, symmetric
// spectrum. With the water magnetisation rotated about the effective field (Bloch, no relaxation during the
// short pulse) and the relaxation/readout folded into c and d:
//   Z(Δ) = | c − d · sin²θ · sin²( √(ω1² + Δω²) · tp / 2 ) |,   sin²θ = ω1² / (ω1² + Δω²)  (θ = atan(ω1/Δω))
//   ω1 = 2π · γ · B1 · rB1          (rad/s; γ in Hz/µT, B1 the nominal amplitude in µT, rB1 relative B1)
//   Δω = 2π · γ · B0 · (Δ − δB0)    (rad/s; B0 in T, Δ and δB0 in ppm: a resonance moved up by δB0 ppm)
// The sin²θ form is the same as sin²(atan(ω1/Δω)) and has no singularity on resonance.
// Fit: a grid over (δB0, rB1) with c and d solved by linear least squares at each node, then
// Levenberg–Marquardt on all four from the best node (the model is oscillatory in rB1, so a local fit alone
// can lock onto a wrong period). Thread safety: pure functions.
#include <vector>

#include "oncotrack/cest/tissue.h"

namespace oncotrack::cest {

struct WasabiAcquisition {
  double b0_tesla = 3.0;
  double b1_ut = 3.7;               // nominal block-pulse amplitude
  double pulse_duration_s = 0.005;  // tp
  double gamma_hz_per_ut = kGammaHzPerMicroTesla;
};

struct WasabiOptions {
  double b0_range_ppm = 1.0;  // |δB0| searched and allowed
  double b0_grid_step_ppm = 0.05;
  double rel_b1_min = 0.3, rel_b1_max = 2.0;
  double rel_b1_grid_step = 0.05;
};

struct WasabiParameters {
  double b0_shift_ppm = 0.0;
  double rel_b1 = 1.0;
  double c = 1.0, d = 2.0;
};

struct WasabiFit {
  WasabiParameters parameters;
  double rms_residual = 0.0;  // sqrt(mean (model − Z)²)
  bool converged = false;
};

double wasabi_z(const WasabiAcquisition& acquisition, const WasabiParameters& p, double offset_ppm);

// Fits one voxel's WASABI Z values (M0-normalised, one per offset, any order). Throws oncotrack::Error for
// fewer than 5 offsets or mismatched sizes.
WasabiFit fit_wasabi(const WasabiAcquisition& acquisition, const std::vector<double>& offsets_ppm,
                     const std::vector<double>& z, const WasabiOptions& options = {});

}  // namespace oncotrack::cest
