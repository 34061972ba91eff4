#include "oncotrack/core/geometry.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace oncotrack {

double determinant(const Mat3& m) {
  return m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
         m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
         m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
}

double Geometry::voxel_volume_ml() const {
  return spacing_mm[0] * spacing_mm[1] * spacing_mm[2] * std::abs(determinant(direction)) / 1000.0;
}

Vec3 Geometry::index_to_lps(const Vec3& ijk) const {
  Vec3 p = origin_mm_lps;
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) p[r] += direction[r][c] * spacing_mm[c] * ijk[c];
  return p;
}

Vec3 Geometry::lps_to_index(const Vec3& lps) const {
  Mat3 m{};  // direction * diag(spacing)
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) m[r][c] = direction[r][c] * spacing_mm[c];
  const double det = determinant(m);
  const Vec3 d{lps[0] - origin_mm_lps[0], lps[1] - origin_mm_lps[1], lps[2] - origin_mm_lps[2]};
  // Cramer's rule: component c is det(m with column c replaced by d) / det(m).
  Vec3 ijk{};
  for (int c = 0; c < 3; ++c) {
    Mat3 mc = m;
    for (int r = 0; r < 3; ++r) mc[r][c] = d[r];
    ijk[c] = determinant(mc) / det;
  }
  return ijk;
}

int Geometry::axial_axis() const {
  int best = 2;
  double best_s = -1;
  for (int c = 0; c < 3; ++c) {
    const double s = std::abs(direction[2][c]);
    if (s > best_s + 1e-9) {
      best_s = s;
      best = c;
    }
  }
  return best;
}

bool GeometryDelta::within(double tolerance_mm, double tolerance_direction) const {
  return same_size && spacing_mm <= tolerance_mm && origin_mm <= tolerance_mm &&
         direction <= tolerance_direction;
}

std::string GeometryDelta::describe() const {
  std::ostringstream s;
  s << (same_size ? "same size" : "different size") << ", max |Δspacing| " << spacing_mm
    << " mm, max |Δorigin| " << origin_mm << " mm, max |Δdirection| " << direction;
  return s.str();
}

GeometryDelta compare_geometry(const Geometry& a, const Geometry& b) {
  GeometryDelta d;
  d.same_size = a.size == b.size;
  for (int i = 0; i < 3; ++i) {
    d.spacing_mm = std::max(d.spacing_mm, std::abs(a.spacing_mm[i] - b.spacing_mm[i]));
    d.origin_mm = std::max(d.origin_mm, std::abs(a.origin_mm_lps[i] - b.origin_mm_lps[i]));
    for (int j = 0; j < 3; ++j)
      d.direction = std::max(d.direction, std::abs(a.direction[i][j] - b.direction[i][j]));
  }
  return d;
}

std::string describe_geometry(const Geometry& g) {
  std::ostringstream s;
  s << g.size[0] << "x" << g.size[1] << "x" << g.size[2] << " @ " << g.spacing_mm[0] << "x" << g.spacing_mm[1]
    << "x" << g.spacing_mm[2] << " mm, origin (" << g.origin_mm_lps[0] << ", " << g.origin_mm_lps[1] << ", "
    << g.origin_mm_lps[2] << ") mm LPS, direction [";
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) s << g.direction[r][c] << (r == 2 && c == 2 ? "]" : ",");
  return s.str();
}

}  // namespace oncotrack
