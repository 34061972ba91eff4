#pragma once
// Absorption line shapes of the semisolid (MT) pool, g(Δ) in seconds (per rad/s), each of unit area over Δ in
// rad/s; the z-only MT pool is saturated at the rate π · ω1² · g(Δ) (Henkelman et al., MRM 1993).
#include "oncotrack/cest/tissue.h"

namespace oncotrack::cest {

// g(Δ) for transverse relaxation time t2_s at detuning_rad_per_s. The super-Lorentzian diverges
// (logarithmically) on resonance; it is evaluated at |Δ| ≥ 1e-3 / T2, where the saturation is complete
// anyway.
double lineshape_s(Lineshape shape, double t2_s, double detuning_rad_per_s);

}  // namespace oncotrack::cest
