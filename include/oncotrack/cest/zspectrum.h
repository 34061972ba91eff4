#pragma once
// Conventional CEST analysis of Z-spectrum acquisitions, per voxel on plain arrays (no images, no ITK):
//  1. M0 normalisation: measurements at |offset| ≥ m0_threshold_ppm are unsaturated references (M0); Z = S /
//     mean(S of the M0 measurements), and the M0 measurements leave the spectrum. Input that is already
//     normalised (no M0 measurement) is taken as Z when ZSpectrumOptions::normalised_input is set.
//  2. B0 shift δB0 (ppm; a resonance appears at its chemical shift + δB0, the sign of tissue.h):
//     kMinimum: the offset of the minimum of the natural cubic spline (spline.h) through Z near 0 ppm (the
//     lowest sample within ±minimum_search_ppm, refined exactly on the spline between its neighbours);
//     kWasabi: fitted per voxel on a separate WASABI series (wasabi.h), which also gives relative B1.
//  3. Shift correction: the corrected spectrum is Z_c(Δ) = spline(Δ + δB0), sampled back at the acquired
//     offsets (held constant beyond the acquired range, see spline.h).
//  4. MTRasym(Δ) = Z_c(−Δ) − Z_c(+Δ) (positive for a CEST effect at +Δ, e.g. amide at 3.5 ppm).
//  5. Optionally the multi-pool Lorentzian fit (lorentzian_fit.h) of Z_c at the acquired offsets.
// Map names (analyse_zspectra): "b0_shift_ppm"; with WASABI "rel_b1" and "wasabi_rms"; "z_<x>ppm" for each
// z_at_ppm (corrected Z); "mtrasym_<x>ppm" for each mtrasym_ppm; with the fit "<pool>_amplitude",
// "<pool>_fwhm_ppm", "<pool>_shift_ppm", "lorentz_baseline", "lorentz_rms". <x> is offset_tag().
// Units: offsets and shifts in ppm of the water frequency, B0 in T, B1 in µT, durations in s.
// Uses Eigen 3.4 directly: never include this next to ITK transform headers (ARCHITECTURE.md §2).
#include <Eigen/Dense>
#include <cstdint>
#include <string>
#include <vector>

#include "oncotrack/cest/lorentzian_fit.h"
#include "oncotrack/cest/spline.h"
#include "oncotrack/cest/wasabi.h"

namespace oncotrack::cest {

// The pulseq-cest protocols put M0 at −300 ppm; no saturation offset of a CEST protocol comes near 250 ppm.
constexpr double kDefaultM0ThresholdPpm = 250.0;

struct SpectrumLayout {
  std::vector<std::size_t> m0;         // measurement indices of the M0 references
  std::vector<std::size_t> saturated;  // the other measurements, by increasing offset
  std::vector<double> offsets_ppm;     // their offsets, strictly increasing
};

// Sorts the measurements. Throws oncotrack::Error naming `source` for non-finite offsets, duplicated
// saturation offsets, fewer than 3 saturation offsets, no M0 measurement (unless normalised_input), or M0
// measurements in a series said to be normalised already.
SpectrumLayout layout_spectrum(const std::vector<double>& offsets_ppm, double m0_threshold_ppm,
                               bool normalised_input, const std::string& source);

// Z of one voxel by increasing offset from its signals in measurement order (signals[i], i < measurements).
// With M0 references: S / mean(S_M0), false when that mean is not > 0 (no signal); without: the signals.
bool normalise_spectrum(const SpectrumLayout& layout, const float* signals, std::vector<double>& z);

// δB0 by the spectrum minimum (see 2. above); offsets/z by increasing offset.
double b0_shift_by_minimum(const CubicSpline& spectrum, const std::vector<double>& offsets_ppm,
                           double search_ppm);

// "3p5ppm", "m3p5ppm", "0ppm", "0p25ppm": an offset in a file name.
std::string offset_tag(double offset_ppm);

enum class B0Correction { kNone, kMinimum, kWasabi };

struct ZSpectrumOptions {
  double m0_threshold_ppm = kDefaultM0ThresholdPpm;
  bool normalised_input = false;  // the series holds Z already (no M0 measurement)
  B0Correction b0_correction = B0Correction::kMinimum;
  double minimum_search_ppm = 1.0;
  std::vector<double> z_at_ppm{0.0};
  std::vector<double> mtrasym_ppm{3.5};
  bool fit = false;
  LorentzianModel lorentzian = default_lorentzian_model();
  WasabiAcquisition wasabi;  // with kWasabi
  WasabiOptions wasabi_options;
};

// Signals of the analysed voxels: one row per voxel, one column per measurement (acquisition order).
using SignalMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct ZSpectrumInput {
  std::vector<double> offsets_ppm;  // one per column of signals
  SignalMatrix signals;
  std::vector<double> wasabi_offsets_ppm;  // with kWasabi: one per column of wasabi_signals
  SignalMatrix wasabi_signals;             // with kWasabi: the same voxels (rows) as signals
};

struct ZSpectrumMaps {
  std::vector<std::string> names;
  std::vector<std::vector<float>> values;  // [map][voxel]; 0 where valid[voxel] == 0
  std::vector<std::uint8_t> valid;         // 1: the voxel had a signal (M0 > 0, WASABI M0 > 0)
};

// Every voxel independently, split over `threads` (results identical for any thread count). Throws
// oncotrack::Error for inconsistent inputs (offset counts ≠ columns, WASABI rows ≠ rows, missing M0).
ZSpectrumMaps analyse_zspectra(const ZSpectrumInput& input, const ZSpectrumOptions& options, int threads);

}  // namespace oncotrack::cest
