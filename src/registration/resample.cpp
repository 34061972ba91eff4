#include <algorithm>
#include <cmath>

#include "oncotrack/registration/transform.h"

namespace oncotrack::registration {

namespace {

// Calls f(linear index in the fixed grid, continuous moving index) for every fixed voxel. Affine transforms
// are evaluated incrementally along rows (exact up to rounding); deformable ones point by point.
template <class F>
void for_each_mapped_voxel(const Geometry& fixed, const Geometry& moving, const Transform& t, F&& f) {
  const auto& s = fixed.size;
  if (!t.deformable()) {
    // index -> fixed LPS -> moving LPS -> moving index is one affine map: idx' = M idx + b.
    const Vec3 o = moving.lps_to_index(t.apply(fixed.index_to_lps({0, 0, 0})));
    Vec3 col[3];
    for (int c = 0; c < 3; ++c) {
      Vec3 e{0, 0, 0};
      e[c] = 1;
      const Vec3 p = moving.lps_to_index(t.apply(fixed.index_to_lps(e)));
      for (int r = 0; r < 3; ++r) col[c][r] = p[r] - o[r];
    }
    std::size_t n = 0;
    for (std::size_t k = 0; k < s[2]; ++k)
      for (std::size_t j = 0; j < s[1]; ++j)
        for (std::size_t i = 0; i < s[0]; ++i, ++n) {
          Vec3 m;
          for (int r = 0; r < 3; ++r)
            m[r] = o[r] + col[0][r] * double(i) + col[1][r] * double(j) + col[2][r] * double(k);
          f(n, m);
        }
    return;
  }
  std::size_t n = 0;
  for (std::size_t k = 0; k < s[2]; ++k)
    for (std::size_t j = 0; j < s[1]; ++j)
      for (std::size_t i = 0; i < s[0]; ++i, ++n)
        f(n, moving.lps_to_index(t.apply(fixed.index_to_lps({double(i), double(j), double(k)}))));
}

template <class T>
Volume<T> resample_nearest(const Volume<T>& moving, const Geometry& fixed_grid, const Transform& t) {
  Volume<T> out(fixed_grid, T{0});
  const auto& ms = moving.geometry.size;
  for_each_mapped_voxel(fixed_grid, moving.geometry, t, [&](std::size_t n, const Vec3& m) {
    const double i = std::floor(m[0] + 0.5), j = std::floor(m[1] + 0.5), k = std::floor(m[2] + 0.5);
    if (i < 0 || j < 0 || k < 0 || i >= double(ms[0]) || j >= double(ms[1]) || k >= double(ms[2])) return;
    out.voxels[n] = moving.at(std::size_t(i), std::size_t(j), std::size_t(k));
  });
  return out;
}

}  // namespace

// Trilinear inside the moving grid; along an axis of size 1 the single slice is used within ±0.5 voxel.
ImageF resample_image(const ImageF& moving, const Geometry& fixed_grid, const Transform& t, float outside) {
  ImageF out(fixed_grid, outside);
  const auto& ms = moving.geometry.size;
  for_each_mapped_voxel(fixed_grid, moving.geometry, t, [&](std::size_t n, const Vec3& m) {
    std::size_t i0[3];
    double w[3];
    for (int d = 0; d < 3; ++d) {
      const double hi = double(ms[d]) - 1;
      if (m[d] < -0.5 || m[d] > hi + 0.5) return;
      const double c = std::clamp(m[d], 0.0, hi);
      const double f = std::min(std::floor(c), std::max(hi - 1, 0.0));
      i0[d] = std::size_t(f);
      w[d] = ms[d] > 1 ? c - f : 0;
    }
    double v = 0;
    for (int c = 0; c < 8; ++c) {
      const int di = c & 1, dj = (c >> 1) & 1, dk = (c >> 2) & 1;
      const double wc = (di ? w[0] : 1 - w[0]) * (dj ? w[1] : 1 - w[1]) * (dk ? w[2] : 1 - w[2]);
      if (wc == 0) continue;
      v += wc * double(moving.at(i0[0] + di, i0[1] + dj, i0[2] + dk));
    }
    out.voxels[n] = static_cast<float>(v);
  });
  return out;
}

Mask resample_mask(const Mask& moving, const Geometry& fixed_grid, const Transform& t) {
  return resample_nearest(moving, fixed_grid, t);
}

Labels resample_labels(const Labels& moving, const Geometry& fixed_grid, const Transform& t) {
  return resample_nearest(moving, fixed_grid, t);
}

}  // namespace oncotrack::registration
