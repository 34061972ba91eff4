#include "oncotrack/cest/spline.h"

#include <algorithm>
#include <cmath>

#include "oncotrack/core/error.h"

namespace oncotrack::cest {

CubicSpline::CubicSpline(std::vector<double> x, std::vector<double> y) : x_(std::move(x)), y_(std::move(y)) {
  const std::size_t n = x_.size();
  ONCOTRACK_ASSERT(n >= 2 && y_.size() == n, "a spline needs at least two samples");
  for (std::size_t i = 1; i < n; ++i) ONCOTRACK_ASSERT(x_[i] > x_[i - 1], "spline knots must increase");
  m_.assign(n, 0.0);
  if (n < 3) return;
  // Tridiagonal system for the inner second derivatives (Thomas algorithm), natural ends m_0 = m_{n-1} = 0.
  std::vector<double> diag(n, 0.0), rhs(n, 0.0), upper(n, 0.0);
  for (std::size_t i = 1; i + 1 < n; ++i) {
    const double h0 = x_[i] - x_[i - 1], h1 = x_[i + 1] - x_[i];
    const double lower = h0 / 6.0;
    diag[i] = (h0 + h1) / 3.0;
    upper[i] = h1 / 6.0;
    rhs[i] = (y_[i + 1] - y_[i]) / h1 - (y_[i] - y_[i - 1]) / h0;
    if (i > 1) {
      const double w = lower / diag[i - 1];
      diag[i] -= w * upper[i - 1];
      rhs[i] -= w * rhs[i - 1];
    }
  }
  for (std::size_t i = n - 2; i >= 1; --i) {
    m_[i] = (rhs[i] - upper[i] * m_[i + 1]) / diag[i];
    if (i == 1) break;
  }
}

std::size_t CubicSpline::piece(double x) const {
  const auto it = std::upper_bound(x_.begin(), x_.end(), x);
  const auto i = static_cast<std::size_t>(std::max<std::ptrdiff_t>(it - x_.begin() - 1, 0));
  return std::min(i, x_.size() - 2);
}

double CubicSpline::value_in(std::size_t i, double x) const {
  const double h = x_[i + 1] - x_[i];
  const double a = (x_[i + 1] - x) / h, b = (x - x_[i]) / h;
  return a * y_[i] + b * y_[i + 1] + ((a * a * a - a) * m_[i] + (b * b * b - b) * m_[i + 1]) * h * h / 6.0;
}

double CubicSpline::operator()(double x) const {
  if (x <= x_.front()) return y_.front();
  if (x >= x_.back()) return y_.back();
  return value_in(piece(x), x);
}

double CubicSpline::argmin(double lo, double hi) const {
  lo = std::max(lo, x_.front());
  hi = std::min(hi, x_.back());
  ONCOTRACK_ASSERT(lo <= hi, "argmin over an empty range");
  double best_x = lo, best = (*this)(lo);
  auto consider = [&](double x) {
    const double v = (*this)(x);
    if (v < best) best = v, best_x = x;
  };
  consider(hi);
  for (std::size_t i = piece(lo); i + 1 < x_.size() && x_[i] < hi; ++i) {
    if (x_[i] >= lo) consider(x_[i]);
    // Piece i as y(t) = y_i + p t + q t^2 + r t^3 with t = x - x_i; its derivative p + 2 q t + 3 r t^2.
    const double h = x_[i + 1] - x_[i];
    const double p = (y_[i + 1] - y_[i]) / h - h * (2.0 * m_[i] + m_[i + 1]) / 6.0;
    const double q = m_[i] / 2.0, r = (m_[i + 1] - m_[i]) / (6.0 * h);
    std::vector<double> roots;
    if (std::abs(r) < 1e-300) {
      if (q != 0.0) roots.push_back(-p / (2.0 * q));
    } else {
      const double disc = 4.0 * q * q - 12.0 * r * p;
      if (disc >= 0.0) {
        const double s = std::sqrt(disc);
        roots.push_back((-2.0 * q + s) / (6.0 * r));
        roots.push_back((-2.0 * q - s) / (6.0 * r));
      }
    }
    for (double t : roots) {
      const double x = x_[i] + t;
      if (t >= 0.0 && t <= h && x >= lo && x <= hi) consider(x);
    }
  }
  return best_x;
}

}  // namespace oncotrack::cest
