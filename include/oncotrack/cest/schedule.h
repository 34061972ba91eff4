#pragma once
// Acquisition schedules of CEST / MR-fingerprinting series: what the scanner did before each image.
//
// File format (JSON object; the format of ../shared/data/real/cest_mrf/*/schedule.json, extended):
//   "description":      string, optional
//   "b0_tesla":         number > 0, required
//   "gamma_hz_per_ut":  number > 0, optional (default 42.5764; pulseq-cest uses 267.5153 rad/s/µT = 42.57648)
//   "saturation":       "continuous_wave" | "pulsed", required
//   "pulse":            object, required when pulsed, otherwise forbidden:
//                       {"shape": "rectangular"|"gaussian", "duration_s": > 0, "interpulse_delay_s": ≥ 0,
//                        "segments": integer ≥ 1 (default 64; constant pieces of a shaped pulse)}
//                       A Gaussian is truncated at ±3σ (σ = duration / 6). A train fills tsat_s exactly:
//                       tsat = n · duration + (n − 1) · delay for an integer n, else an error.
//   "offset_ppm", "b1_ut", "tsat_s", "tr_s", "readout_flip_deg":
//                       per image: a number (the same for every image) or an array with one entry per image;
//                       every array has the same length (the number of images). b1_ut is the continuous-wave
//                       amplitude, or for pulsed saturation the pulse-average amplitude (B1pa). tr_s ≥ tsat_s
//                       is the time from one saturation's start to the next; "tr_s" and "readout_flip_deg"
//                       are optional (default tr = tsat, flip 90°).
//   "magnetisation":    "carry_over" (fingerprinting, default) | "reset" (Z-spectra: each image starts
//                       from equilibrium)
// Timeline of image i: saturation (tsat_s) → spoiling → signal = water Mz · sin(flip) → readout flip →
// spoiling → free recovery for tr_s − tsat_s. The RF phase starts at 0 in every pulse (pulseq-cest
// accumulates it; differences ~1e-2).
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace oncotrack::cest {

enum class Saturation { kContinuousWave, kPulsed };
enum class PulseShape { kRectangular, kGaussian };

struct Pulse {
  PulseShape shape = PulseShape::kRectangular;
  double duration_s = 0.0;
  double interpulse_delay_s = 0.0;
  unsigned segments = 64;
};

struct ScheduleImage {
  double offset_ppm = 0.0;
  double b1_ut = 0.0;
  double tsat_s = 0.0;
  double tr_s = 0.0;
  double readout_flip_deg = 90.0;
};

struct Schedule {
  std::string description;
  double b0_tesla = 0.0;
  double gamma_hz_per_ut = 42.5764;
  Saturation saturation = Saturation::kContinuousWave;
  Pulse pulse;  // pulsed only
  bool carry_over = true;
  std::vector<ScheduleImage> images;
};

// Parses a schedule document; throws oncotrack::Error naming `source` and the key for every violation.
Schedule parse_schedule(const nlohmann::json& doc, const std::string& source);
// Reads and parses a schedule file.
Schedule read_schedule(const std::filesystem::path& path);
// The schedule in the file format above, every per-image key as an array (parse_schedule reads it back).
nlohmann::json schedule_to_json(const Schedule& schedule);

// The number of pulses of a pulsed saturation of tsat_s (throws when the train does not fill tsat_s).
unsigned pulse_count(const Pulse& pulse, double tsat_s);
// Relative amplitude of each constant segment of one pulse, mean 1 (amplitude b1 · shape has B1pa = b1).
std::vector<double> pulse_segments(const Pulse& pulse);

}  // namespace oncotrack::cest
