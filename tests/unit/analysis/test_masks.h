#pragma once
// Masks for the analysis tests: grids, rotations and voxelised ellipsoids with their voxelisation error
// bound.
#include <algorithm>
#include <cmath>
#include <cstddef>

#include "oncotrack/core/geometry.h"
#include "support/rotations.h"

namespace oncotrack::analysis::test {

using oncotrack::testing::kPi;
using oncotrack::testing::multiply;
using oncotrack::testing::rotation;

inline Geometry make_grid(Size3 size, Vec3 spacing_mm = {1, 1, 1}, Mat3 direction = kIdentity3,
                          Vec3 origin_mm_lps = {0, 0, 0}) {
  Geometry g;
  g.size = size;
  g.spacing_mm = spacing_mm;
  g.direction = direction;
  g.origin_mm_lps = origin_mm_lps;
  return g;
}

// Physical vector of one index step along `axis`.
inline Vec3 edge(const Geometry& g, int axis) {
  return {g.direction[0][axis] * g.spacing_mm[axis], g.direction[1][axis] * g.spacing_mm[axis],
          g.direction[2][axis] * g.spacing_mm[axis]};
}

inline double length(const Vec3& v) {
  return std::sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
}

// Longest diagonal of one voxel, over the given axes (in-plane: the two non-axial ones; 3D: all three).
inline double voxel_diagonal_mm(const Geometry& g, bool in_plane_only) {
  const int axial = g.axial_axis();
  double longest = 0;
  for (const double sa : {-1.0, 1.0})
    for (const double sb : {-1.0, 1.0}) {
      Vec3 d{0, 0, 0};
      const double signs[3] = {1.0, sa, sb};
      for (int axis = 0; axis < 3; ++axis) {
        if (in_plane_only && axis == axial) continue;
        const Vec3 e = edge(g, axis);
        for (int r = 0; r < 3; ++r) d[r] += signs[axis] * e[r];
      }
      longest = std::max(longest, length(d));
    }
  return longest;
}

// Origin that puts the centre of voxel `ijk` at `point_mm_lps`.
inline Vec3 origin_for(const Geometry& g, const Vec3& ijk, const Vec3& point_mm_lps) {
  Geometry at_zero = g;
  at_zero.origin_mm_lps = {0, 0, 0};
  const Vec3 p = at_zero.index_to_lps(ijk);
  return {point_mm_lps[0] - p[0], point_mm_lps[1] - p[1], point_mm_lps[2] - p[2]};
}

struct Ellipsoid {
  Vec3 centre_mm_lps{0, 0, 0};
  Vec3 semi_axes_mm{1, 1, 1};
  Mat3 axes = kIdentity3;  // column c: LPS unit vector of semi-axis c
};

struct Voxelised {
  Mask mask;
  double true_volume_ml = 0;
  double volume_min_ml = 0, volume_max_ml = 0;  // bounds on the voxel count × voxel volume
};

// Voxels whose centre lies inside the ellipsoid. A voxel lies within half a 3D diagonal h of its centre,
// which in the unit-sphere coordinates y = axes^T (x - centre) / semi_axes is within h / min(semi_axes): only
// voxels with | |y| - 1 | <= h / min(semi_axes) can straddle the surface. Those counted (centre inside) can
// add at most their volume to the true volume, those not counted can miss at most theirs.
inline Voxelised voxelise(const Ellipsoid& e, const Geometry& g) {
  Voxelised out{Mask(g), 0, 0, 0};
  const double reach =
      0.5 * voxel_diagonal_mm(g, false) / std::min({e.semi_axes_mm[0], e.semi_axes_mm[1], e.semi_axes_mm[2]});
  std::size_t straddling_in = 0, straddling_out = 0;
  for (std::size_t k = 0; k < g.size[2]; ++k)
    for (std::size_t j = 0; j < g.size[1]; ++j)
      for (std::size_t i = 0; i < g.size[0]; ++i) {
        const Vec3 p = g.index_to_lps({double(i), double(j), double(k)});
        double r2 = 0;
        for (int c = 0; c < 3; ++c) {
          double along = 0;
          for (int r = 0; r < 3; ++r) along += e.axes[r][c] * (p[r] - e.centre_mm_lps[r]);
          r2 += (along / e.semi_axes_mm[c]) * (along / e.semi_axes_mm[c]);
        }
        const double r = std::sqrt(r2);
        if (r <= 1) out.mask.at(i, j, k) = 1;
        if (std::abs(r - 1) <= reach) ++(r <= 1 ? straddling_in : straddling_out);
      }
  out.true_volume_ml = 4.0 / 3.0 * kPi * e.semi_axes_mm[0] * e.semi_axes_mm[1] * e.semi_axes_mm[2] / 1000.0;
  out.volume_min_ml = out.true_volume_ml - static_cast<double>(straddling_out) * g.voxel_volume_ml();
  out.volume_max_ml = out.true_volume_ml + static_cast<double>(straddling_in) * g.voxel_volume_ml();
  return out;
}

}  // namespace oncotrack::analysis::test
