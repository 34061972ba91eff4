#pragma once
// Natural cubic spline through samples of a Z-spectrum (offsets strictly increasing): the interpolant used
// for B0 shift correction, MTRasym at offsets that were not acquired, and the spectrum-minimum B0 estimate.
// Outside [x.front(), x.back()] the spline is held constant at the end values (no extrapolation: a
// corrected spectrum near the edge of the acquired range repeats the outermost sample).
// Plain std::vector, no Eigen; thread safety: const methods may be called concurrently.
#include <vector>

namespace oncotrack::cest {

class CubicSpline {
 public:
  CubicSpline() = default;
  // Requires x.size() == y.size() >= 2 and x strictly increasing (asserted: callers validate offsets).
  CubicSpline(std::vector<double> x, std::vector<double> y);

  double operator()(double x) const;
  double front() const { return x_.front(); }
  double back() const { return x_.back(); }
  // The abscissa of the smallest value of the spline on [lo, hi] ∩ [front, back] (exact per cubic piece:
  // ends and the roots of the derivative).
  double argmin(double lo, double hi) const;

 private:
  std::size_t piece(double x) const;  // index i of [x_i, x_{i+1}] holding x (clamped)
  double value_in(std::size_t i, double x) const;
  std::vector<double> x_, y_, m_;  // m_: second derivatives at the knots (0 at both ends)
};

}  // namespace oncotrack::cest
