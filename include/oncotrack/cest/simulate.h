#pragma once
// Signals of a tissue under an acquisition schedule (schedule.h gives the timeline of each image).
#include <vector>

#include "oncotrack/cest/schedule.h"
#include "oncotrack/cest/tissue.h"

namespace oncotrack::cest {

// The scanner a schedule was acquired on, with field inhomogeneity b0_shift_ppm and relative B1 b1_scale.
Scanner scanner_for(const Schedule& schedule, double b0_shift_ppm = 0.0, double b1_scale = 1.0);

// One value per image: the transverse water magnetisation right after the readout excitation, Mz_w ·
// sin(flip), relative to the water M0 (so Z-spectra with a 90° readout read directly as Z = Mz/M0). Exact
// block-constant propagation (matrix exponentials), starting from equilibrium. Thread safe (no shared state).
std::vector<double> simulate_signal(const Tissue& tissue, const Scanner& scanner, const Schedule& schedule);

}  // namespace oncotrack::cest
