#pragma once
// Diameters of one lesion on voxel extents (see lesions.h). Every voxel is the parallelepiped spanned by its
// index +- 0.5 on the physical grid (spacing and direction applied, origin irrelevant). A slice is the set of
// voxels with one index along the axial axis (Geometry::axial_axis); its plane is spanned by the two other
// index axes and in-plane distances are measured in an orthonormal basis of that plane.
//
//  longest_mm        per slice: take the two voxel centres farthest apart (found on the convex hull of the
//                    centres) and the unit vector u between them; the diameter is the extent of the slice's
//                    voxels along u = centre distance + |u.A| + |u.B| (A, B: in-plane voxel edge vectors).
//                    So n voxels in a row measure exactly n x spacing, and a diagonal staircase its
//                    corner-to-corner length. A slice with a single voxel uses u = the in-plane axis with the
//                    larger spacing (the voxel is that spacing long). The lesion's value is the maximum over
//                    slices; ties (1e-9 mm) go to the larger perpendicular diameter, then the lower slice.
//  perpendicular_mm  on that slice, the longest chord perpendicular to u of the convex hull of the slice's
//                    voxel corners: the maximum over positions along u of the hull's width across u (the
//                    width is concave along u, so evaluating it at every hull vertex finds the maximum).
//                    For a non-convex slice the chord may cross background.
//  max_3d_mm         the longest distance between any two voxel corners of the lesion, found among the
//                    vertices of each slice's in-plane corner hull placed on both faces of the slice (a
//                    superset of the vertices of the lesion's 3D hull).
// Cost: O(voxels) to collect points, O(h^2) per slice and O(H^2) over all slices' hull vertices for
// max_3d_mm (H is a few thousand for a 10^5-voxel lesion: ~0.05 s).
#include <cstddef>
#include <vector>

#include "oncotrack/analysis/connected_components.h"
#include "oncotrack/core/geometry.h"

namespace oncotrack::analysis {

struct LesionDiameters {
  double longest_mm = 0;
  double perpendicular_mm = 0;
  double max_3d_mm = 0;
  std::size_t longest_slice = 0;  // index along the axial axis
};

// runs: one non-empty lesion (connected_components). The geometry's spacing must be positive and its
// direction non-singular (ONCOTRACK_ASSERT; measure_tumor checks this for callers).
LesionDiameters measure_diameters(const std::vector<VoxelRun>& runs, const Geometry& geometry);

}  // namespace oncotrack::analysis
