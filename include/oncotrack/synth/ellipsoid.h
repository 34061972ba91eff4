#pragma once
// Ellipsoidal lesions in physical LPS millimetres, their analytic measurements and their voxelisation.
//
// An ellipsoid is {x : sum_c ((x - centre) . axes_c / semi_axes_mm[c])^2 <= 1}, where axes_c (column c of
// `axes`) is the LPS unit vector of semi-axis c. Measurements follow analysis/lesions.h:
//  - volume_ml = 4/3 pi a b c / 1000.
//  - "axial" diameters are those of the largest section by planes with a given unit normal (LPS superior for
//    the geometry-independent truth; the slice normal of a grid for what slice-wise measurement approaches).
//    Parallel plane sections of an ellipsoid are homothetic ellipses, largest through the centre, so the
//    longest axial diameter is the major axis of the central section: 2 / sqrt(lambda_min) of the ellipsoid's
//    quadratic form restricted to the plane (closed form, valid for any tilt); the perpendicular diameter
//    uses lambda_max.
//  - voxelisation is voxel-centre inclusion: voxel ijk belongs to a lesion when Geometry::index_to_lps(ijk)
//  is
//    inside (boundary included).
#include <cstdint>
#include <vector>

#include "oncotrack/core/geometry.h"

namespace oncotrack::synth {

struct Ellipsoid {
  Vec3 centre_mm_lps{0, 0, 0};
  Vec3 semi_axes_mm{1, 1, 1};
  Mat3 axes = kIdentity3;  // orthonormal; column c = LPS direction of semi-axis c

  // Squared normalised radius of p: < 1 inside, 1 on the surface, > 1 outside.
  double radius2(const Vec3& p_mm_lps) const;
  bool contains(const Vec3& p_mm_lps) const { return radius2(p_mm_lps) <= 1.0; }
  double volume_ml() const;
};

struct SectionDiameters {
  double major_mm = 0;  // longest diameter of the largest section
  double minor_mm = 0;  // perpendicular diameter of the same section
};

// Throws InternalError (assert) when plane_normal is not a unit vector.
SectionDiameters largest_section_diameters(const Ellipsoid& ellipsoid, const Vec3& plane_normal);

// Voxel-centre inclusion of several lesions on one grid: 0 = background, l + 1 = lesions[l]. Lesions must not
// overlap (asserted: a voxel centre inside two lesions is a design bug). At most 255 lesions.
Volume<std::uint8_t> voxelise(const std::vector<Ellipsoid>& lesions, const Geometry& geometry);

// Small 3×3 helpers for building designs. Angles in degrees; rotations are right-handed about a unit axis.
Mat3 rotation_about(const Vec3& unit_axis, double angle_deg);
Mat3 multiply(const Mat3& a, const Mat3& b);
Vec3 apply(const Mat3& m, const Vec3& v);
Vec3 apply_transposed(const Mat3& m, const Vec3& v);

}  // namespace oncotrack::synth
