#include "oncotrack/cest/lineshape.h"

#include <algorithm>
#include <cmath>

namespace oncotrack::cest {

namespace {

// Super-Lorentzian: a powder average of Gaussians, g = ∫₀¹ √(2/π) T2/|3u²−1| · exp(−2 (Δ T2 / (3u²−1))²) du.
// The integrand vanishes sharply at the magic angle u0 = 1/√3, so each side is mapped as u = u0 ∓ w·τ³ (nodes
// clustered at u0) and integrated in τ with 16 panels of 8-point Gauss–Legendre: relative error < 1e-6
// against a 4-million-node midpoint rule for |Δ| T2 from 1e-3 to 6.
double super_lorentzian_s(double t2_s, double detuning) {
  static constexpr double kNode[4] = {0.18343464249564978, 0.525532409916329, 0.7966664774136267,
                                      0.9602898564975362};
  static constexpr double kWeight[4] = {0.36268378337836177, 0.31370664587788705, 0.22238103445337434,
                                        0.10122853629037669};
  constexpr int kPanels = 16;
  const double a = std::max(std::abs(detuning) * t2_s, 1e-3);
  const double u0 = 1.0 / std::sqrt(3.0);
  const double c = std::sqrt(2.0 / kPi) * t2_s;
  auto f = [&](double u) {
    const double x = 3.0 * u * u - 1.0;
    const double r = a / x;
    return c / std::abs(x) * std::exp(-2.0 * r * r);
  };
  auto both_sides = [&](double tau) {  // integrand in τ, Jacobian 3 w τ²
    const double j = 3.0 * tau * tau;
    return f(u0 * (1.0 - tau * tau * tau)) * u0 * j + f(u0 + (1.0 - u0) * tau * tau * tau) * (1.0 - u0) * j;
  };
  double sum = 0.0;
  for (int p = 0; p < kPanels; ++p) {
    const double mid = (p + 0.5) / kPanels, half = 0.5 / kPanels;
    for (int i = 0; i < 4; ++i)
      sum += kWeight[i] * (both_sides(mid - half * kNode[i]) + both_sides(mid + half * kNode[i]));
  }
  return sum * 0.5 / kPanels;
}

}  // namespace

double lineshape_s(Lineshape shape, double t2_s, double detuning_rad_per_s) {
  if (shape == Lineshape::kLorentzian) {
    const double x = detuning_rad_per_s * t2_s;
    return t2_s / kPi / (1.0 + x * x);
  }
  return super_lorentzian_s(t2_s, detuning_rad_per_s);
}

}  // namespace oncotrack::cest
