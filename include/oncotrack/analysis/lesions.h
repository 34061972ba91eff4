#pragma once
// Tumour measurements from a binary mask (one timepoint).
//
// Lesions are connected components (AnalysisConfig::connectivity) whose volume is at least
// min_lesion_volume_ml. Diameters are measured on voxel extents: every voxel is the parallelepiped around its
// centre (index ± 0.5), so a lesion of n voxels in a row along an axis is n × spacing long.
//  - longest_diameter_mm: RECIST-style, the longest in-plane extent on any single axial slice. "Axial" is
//    the index axis closest to LPS superior-inferior (Geometry::axial_axis); distances are physical (spacing
//    and direction applied), so oblique and anisotropic grids are measured correctly. Exactly: the extent of
//    the slice's voxels along the line through its two farthest voxel centres (see diameters.h).
//  - perpendicular_diameter_mm: on the same slice, the longest chord perpendicular to that line of the convex
//    hull of the slice's voxel corners.
//  - max_3d_diameter_mm: the longest distance between any two voxel corners of the lesion.
// Bounds: for a voxelised convex shape each diameter is within one voxel diagonal (in-plane for 2D, 3D for
// the 3D diameter) of the true value. longest_diameter_mm <= max_3d_diameter_mm always.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "oncotrack/analysis/config.h"
#include "oncotrack/analysis/connected_components.h"
#include "oncotrack/core/geometry.h"

namespace oncotrack::analysis {

struct Lesion {
  int id = 0;           // 1-based, ordered by decreasing volume within the timepoint
  int track = 0;        // lesion identity across timepoints (set by match_lesions; 0 = not matched yet)
  bool is_new = false;  // appeared after baseline (set by match_lesions)
  std::size_t voxel_count = 0;
  double volume_ml = 0;
  double longest_diameter_mm = 0;
  double perpendicular_diameter_mm = 0;
  double max_3d_diameter_mm = 0;
  std::size_t longest_diameter_slice = 0;  // index along the axial axis
  Vec3 centroid_mm_lps{0, 0, 0};
  bool measurable = false;      // longest_diameter_mm >= measurable_min_diameter_mm
  bool touches_border = false;  // has a voxel on the image boundary: the lesion may extend beyond the scan
  std::vector<VoxelRun> runs;   // the lesion's voxels on TumorMeasurement::geometry (matching; not reported)
};

struct TumorMeasurement {
  std::size_t mask_voxel_count = 0;  // all tumour voxels, before the lesion size filter
  double mask_volume_ml = 0;
  double total_volume_ml = 0;          // sum over kept lesions
  double sum_longest_diameter_mm = 0;  // sum over all kept lesions (RECIST target sums are in response.h)
  int axial_axis = 2;
  Geometry geometry;  // the mask's grid, on which Lesion::runs are given
  std::vector<Lesion> lesions;
};

// Throws Error if config.connectivity is not 6, 18 or 26.
TumorMeasurement measure_tumor(const Mask& mask, const AnalysisConfig& config);

// A track seen at an earlier timepoint and absent at this one: gone, or coalesced into another lesion.
struct DisappearedLesion {
  int track = 0;
  std::string last_seen_timepoint;
  int merged_into_track = 0;  // non-zero: the lesion coalesced with the lesion now carrying this track
};

// Assigns Lesion::track and Lesion::is_new across timepoints (index 0 = baseline) in physical space.
// 1. Overlap: each lesion's voxel centres are mapped into the grid of the previous measured timepoint; a
// lesion
//    takes the track of the largest previous lesion it overlaps (ties: lower lesion index). Several lesions
//    may take one track (a split: RECIST adds the fragments' diameters); previous lesions it also overlaps
//    whose track nobody took coalesced into it (reported as merged_into_track, RECIST counts them 0).
// 2. Lesions without overlap: matched to the nearest track not taken at this timepoint (last known centroid)
//    within match_distance_mm (inclusive), greedily by increasing distance (ties: lower lesion index, then
//    lower track). Every track ever seen is a candidate, so a lesion that disappears and comes back keeps its
//    track; lesions without runs (built by hand) are matched by this step only.
// 3. The rest open new tracks, numbered from 1 in order of appearance (within a timepoint, in lesion order).
// is_new = the lesion's track was not present at baseline; it stays true at later timepoints (RECIST: a new
// lesion remains progression). Timepoints without a measurement (nullptr) are skipped. All timepoints must
// share one world frame (registered, or a scanner frame the patient did not move in). Returns, per timepoint
// (same indexing, empty for nullptr), the tracks seen before and absent now, by increasing track.
// timepoint_ids.size() must equal timepoints.size() (ONCOTRACK_ASSERT).
std::vector<std::vector<DisappearedLesion>> match_lesions(const std::vector<TumorMeasurement*>& timepoints,
                                                          const std::vector<std::string>& timepoint_ids,
                                                          const AnalysisConfig& config);

}  // namespace oncotrack::analysis
