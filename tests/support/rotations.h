#pragma once
// Rotation helpers shared by the unit tests (grids with oblique directions, rotated shapes).
#include <cmath>

#include "oncotrack/core/geometry.h"

namespace oncotrack::testing {

constexpr double kPi = 3.14159265358979323846;

inline Mat3 multiply(const Mat3& a, const Mat3& b) {
  Mat3 m{};
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c)
      for (int k = 0; k < 3; ++k) m[r][c] += a[r][k] * b[k][c];
  return m;
}

// Right-handed rotation by `degrees` about LPS axis `axis` (0 = L, 1 = P, 2 = S).
inline Mat3 rotation(int axis, double degrees) {
  const double c = std::cos(degrees * kPi / 180), s = std::sin(degrees * kPi / 180);
  const int p = (axis + 1) % 3, q = (axis + 2) % 3;
  Mat3 m = kIdentity3;
  m[p][p] = c;
  m[p][q] = -s;
  m[q][p] = s;
  m[q][q] = c;
  return m;
}

}  // namespace oncotrack::testing
