#include "oncotrack/synth/ellipsoid.h"

#include <cmath>

#include "oncotrack/core/error.h"

namespace oncotrack::synth {

namespace {
constexpr double kPi = 3.141592653589793238462643383279;

double dot(const Vec3& a, const Vec3& b) {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

Vec3 cross(const Vec3& a, const Vec3& b) {
  return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}

Vec3 normalised(const Vec3& v) {
  const double n = std::sqrt(dot(v, v));
  return {v[0] / n, v[1] / n, v[2] / n};
}

// Quadratic form Q(u, v) = sum_c (u . axes_c)(v . axes_c) / semi_c^2 of the ellipsoid (x^T Q x <= 1 inside).
double form(const Ellipsoid& e, const Vec3& u, const Vec3& v) {
  double s = 0;
  for (int c = 0; c < 3; ++c) {
    const Vec3 axis{e.axes[0][c], e.axes[1][c], e.axes[2][c]};
    s += dot(u, axis) * dot(v, axis) / (e.semi_axes_mm[c] * e.semi_axes_mm[c]);
  }
  return s;
}
}  // namespace

double Ellipsoid::radius2(const Vec3& p) const {
  const Vec3 d{p[0] - centre_mm_lps[0], p[1] - centre_mm_lps[1], p[2] - centre_mm_lps[2]};
  const Vec3 local = apply_transposed(axes, d);
  double s = 0;
  for (int c = 0; c < 3; ++c) s += local[c] * local[c] / (semi_axes_mm[c] * semi_axes_mm[c]);
  return s;
}

double Ellipsoid::volume_ml() const {
  return 4.0 / 3.0 * kPi * semi_axes_mm[0] * semi_axes_mm[1] * semi_axes_mm[2] / 1000.0;
}

SectionDiameters largest_section_diameters(const Ellipsoid& e, const Vec3& n) {
  ONCOTRACK_ASSERT(std::abs(dot(n, n) - 1.0) < 1e-9, "plane normal must be a unit vector");
  // Any orthonormal basis (u, v) of the plane: start from the LPS axis least aligned with n.
  Vec3 seed{0, 0, 0};
  int least = 0;
  for (int c = 1; c < 3; ++c)
    if (std::abs(n[c]) < std::abs(n[least])) least = c;
  seed[least] = 1;
  const Vec3 u = normalised(cross(n, seed));
  const Vec3 v = cross(n, u);
  const double quu = form(e, u, u), quv = form(e, u, v), qvv = form(e, v, v);
  const double mean = 0.5 * (quu + qvv);
  const double half_gap = std::sqrt(0.25 * (quu - qvv) * (quu - qvv) + quv * quv);
  return {2.0 / std::sqrt(mean - half_gap), 2.0 / std::sqrt(mean + half_gap)};
}

Volume<std::uint8_t> voxelise(const std::vector<Ellipsoid>& lesions, const Geometry& geometry) {
  ONCOTRACK_ASSERT(lesions.size() <= 255, "at most 255 lesions fit a uint8 label");
  Volume<std::uint8_t> labels(geometry, 0);
  for (std::size_t k = 0; k < geometry.size[2]; ++k)
    for (std::size_t j = 0; j < geometry.size[1]; ++j)
      for (std::size_t i = 0; i < geometry.size[0]; ++i) {
        const Vec3 p = geometry.index_to_lps({double(i), double(j), double(k)});
        for (std::size_t l = 0; l < lesions.size(); ++l) {
          if (!lesions[l].contains(p)) continue;
          ONCOTRACK_ASSERT(labels.at(i, j, k) == 0, "synthetic lesions overlap");
          labels.at(i, j, k) = static_cast<std::uint8_t>(l + 1);
        }
      }
  return labels;
}

Mat3 rotation_about(const Vec3& a, double angle_deg) {
  const double t = angle_deg * kPi / 180.0, c = std::cos(t), s = std::sin(t), C = 1 - c;
  return Mat3{{{c + a[0] * a[0] * C, a[0] * a[1] * C - a[2] * s, a[0] * a[2] * C + a[1] * s},
               {a[1] * a[0] * C + a[2] * s, c + a[1] * a[1] * C, a[1] * a[2] * C - a[0] * s},
               {a[2] * a[0] * C - a[1] * s, a[2] * a[1] * C + a[0] * s, c + a[2] * a[2] * C}}};
}

Mat3 multiply(const Mat3& a, const Mat3& b) {
  Mat3 m{};
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c)
      for (int k = 0; k < 3; ++k) m[r][c] += a[r][k] * b[k][c];
  return m;
}

Vec3 apply(const Mat3& m, const Vec3& v) {
  return {dot(m[0], v), dot(m[1], v), dot(m[2], v)};
}

Vec3 apply_transposed(const Mat3& m, const Vec3& v) {
  return {m[0][0] * v[0] + m[1][0] * v[1] + m[2][0] * v[2], m[0][1] * v[0] + m[1][1] * v[1] + m[2][1] * v[2],
          m[0][2] * v[0] + m[1][2] * v[1] + m[2][2] * v[2]};
}

}  // namespace oncotrack::synth
