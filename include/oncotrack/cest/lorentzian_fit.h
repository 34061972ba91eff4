#pragma once
// Multi-pool Lorentzian analysis of a (B0-corrected, M0-normalised) Z-spectrum (Zaiss et al., J Magn Reson
// 2011; Windschuh et al., NMR Biomed 2015):
//   Z(Δ) = c − Σ_i L_i(Δ),  L_i(Δ) = A_i / (1 + ((Δ − δ_i) / (Γ_i / 2))²)
// Δ the saturation offset in ppm, per pool the amplitude A_i (fraction of M0), the full width at half maximum
// Γ_i (ppm) and the position δ_i (ppm); c the baseline. Fitted by levenberg_marquardt() with box bounds.
//
// default_pools(): water (0 ppm), amide (+3.5), amine (+2.0), NOE (−3.5) and semisolid MT (−2.5). Start
// values and bounds are the ranges in use in the literature for brain at 3–7 T (water start 0.9 / 1.4 ppm
// and bounds [0.02, 1] / [0.3, 10] ppm as in Windschuh et al. 2015; the solute pools' ranges follow the same
// setup and Zaiss et al. 2011); they are this project's choice, stated in lorentzian_fit.cpp, and every
// number is overridable. Thread safety: pure functions.
#include <string>
#include <vector>

namespace oncotrack::cest {

struct Bounded {
  double start = 0.0, lower = 0.0, upper = 0.0;
};

struct LorentzianPool {
  std::string name;  // map names: "<name>_amplitude", "<name>_fwhm_ppm", "<name>_shift_ppm"
  Bounded amplitude;
  Bounded fwhm_ppm;
  Bounded shift_ppm;
};

struct LorentzianModel {
  Bounded baseline{1.0, 0.5, 1.1};  // c
  std::vector<LorentzianPool> pools;
};

LorentzianModel default_lorentzian_model();

struct PoolFit {
  double amplitude = 0.0, fwhm_ppm = 0.0, shift_ppm = 0.0;
};

struct LorentzianFit {
  double baseline = 0.0;
  std::vector<PoolFit> pools;  // in the model's order
  double rms_residual = 0.0;   // sqrt(mean (model − Z)²) over the fitted offsets
  bool converged = false;
};

// Z(offset) of the model for given parameters.
double lorentzian_z(double baseline, const std::vector<PoolFit>& pools, double offset_ppm);

// Fits Z (one value per offset, any order) from the model's start values. Requires offsets_ppm.size() ==
// z.size() ≥ the number of free parameters (throws oncotrack::Error otherwise).
LorentzianFit fit_lorentzians(const LorentzianModel& model, const std::vector<double>& offsets_ppm,
                              const std::vector<double>& z);

}  // namespace oncotrack::cest
