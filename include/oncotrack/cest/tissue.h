#pragma once
// Tissue and scanner parameters of the Bloch–McConnell model (Perlman et al., Nat Biomed Eng 2022; Zaiss et
// al., pulseq-cest). Conventions, stated once here and used by the whole cest module:
//  - Magnetisation is relative to the water pool's equilibrium: M0_water = 1, M0_pool = fraction.
//  - exchange_rate_per_s is the pool → water rate k; water → pool is k · fraction (detailed balance).
//  - A pool resonates at shift_ppm from water; the RF is applied at offset_ppm. The detuning of a pool from
//  the
//    RF is (shift_ppm + b0_shift_ppm − offset_ppm) · ω_ppm, with ω_ppm = γ · B0 in rad/s per ppm, so a pool
//    at +3 ppm is saturated by RF at +3 ppm, and a positive b0_shift_ppm moves every resonance up.
//  - γ of ¹H defaults to 2π · 42.5764 rad/s/µT (CODATA); pulseq-cest uses 267.5153 — settable for
//  comparisons.
//  - Concentration (mM) ↔ fraction: fraction = protons · concentration_mM / (water_proton_molarity_mM), with
//    110 M of water protons (Perlman 2022; some papers use 111 M).
#include <optional>
#include <vector>

namespace oncotrack::cest {

constexpr double kPi = 3.14159265358979323846;
constexpr double kGammaHzPerMicroTesla = 42.5764;  // ¹H, γ/2π
constexpr double kWaterProtonMolarityMilliMolar = 110000.0;

// The fraction of a solute with `protons` exchangeable protons per molecule at concentration_mm.
inline double fraction_from_concentration(double concentration_mm, double protons) {
  return concentration_mm * protons / kWaterProtonMolarityMilliMolar;
}
inline double concentration_from_fraction(double fraction, double protons) {
  return fraction * kWaterProtonMolarityMilliMolar / protons;
}

struct WaterPool {
  double t1_s = 1.0;
  double t2_s = 0.1;
};

// A dilute exchanging pool (amide, amine, guanidine, L-arginine …), modelled with full x, y, z components.
struct CestPool {
  double shift_ppm = 3.0;
  double exchange_rate_per_s = 100.0;
  double fraction = 0.001;
  double t1_s = 1.0;
  double t2_s = 0.04;
};

enum class Lineshape { kLorentzian, kSuperLorentzian };

// The semisolid macromolecular pool, modelled z-only: RF saturates it at the rate π ω1² g(Δ) with g the line
// shape (not interchangeable with a full x, y, z model, see ARCHITECTURE.md §5).
struct MtPool {
  double shift_ppm = -2.5;
  double exchange_rate_per_s = 30.0;
  double fraction = 0.1;
  double t1_s = 1.0;
  double t2_s = 1e-5;
  Lineshape lineshape = Lineshape::kSuperLorentzian;
};

struct Tissue {
  WaterPool water;
  std::vector<CestPool> cest;
  std::optional<MtPool> mt;
};

struct Scanner {
  double b0_tesla = 3.0;
  double gamma_hz_per_ut = kGammaHzPerMicroTesla;
  double b0_shift_ppm = 0.0;  // field inhomogeneity: shifts every resonance
  double b1_scale = 1.0;      // relative B1 (1 = nominal)

  double gamma_rad_per_s_per_ut() const { return 2.0 * kPi * gamma_hz_per_ut; }
  // rad/s per ppm at this field.
  double omega_per_ppm() const { return gamma_rad_per_s_per_ut() * b0_tesla; }
};

}  // namespace oncotrack::cest
