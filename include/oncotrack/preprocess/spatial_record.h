#pragma once
// Records of the spatial preprocessing steps (ARCHITECTURE.md §4.6): every step that changes the voxel grid
// returns a SpatialRecord holding the grid before and after the step and what is needed to undo it. Replaying
// the records in reverse (invert) brings anything computed on the preprocessed grid back to the scan's
// native grid; the native geometry is restored exactly (copied from the record, never recomputed).
//
// Steps and their inverses:
//  - reorient: a signed permutation of the index axes. Lossless both ways (voxels bit-identical).
//  - resample: same direction and physical extent, new spacing. Images: linear interpolation; masks:
//    nearest neighbour (both ways). Resampling a probability map (ImageF, linear) and thresholding it is
//    the smoother way back for a network output.
//  - crop: a sub-box of the grid. The inverse pads with zeros (lossless for voxels inside the box).
//
// All functions throw Error when the volume's geometry is not exactly the grid the record expects (input grid
// for apply, output grid for invert) or its buffer does not match its geometry. Thread safety: pure
// functions of their arguments.
#include <array>
#include <nlohmann/json.hpp>
#include <vector>

#include "oncotrack/core/geometry.h"

namespace oncotrack::preprocess {

enum class SpatialStep { reorient, resample, crop };

struct SpatialRecord {
  SpatialStep step = SpatialStep::reorient;
  Geometry input;   // grid before the step (restored exactly by the inverse)
  Geometry output;  // grid after the step
  // reorient: output index axis a runs along input index axis input_axis[a], reversed when flip[a].
  std::array<int, 3> input_axis{0, 1, 2};
  std::array<bool, 3> flip{false, false, false};
  // crop: input ijk of output voxel (0, 0, 0); the output box is [offset, offset + output.size).
  Size3 offset{0, 0, 0};
};

const char* step_name(SpatialStep step);  // "reorient", "resample", "crop"

// {"step", "input": geometry, "output": geometry, plus "input_axis"/"flip" (reorient), "offset" (crop),
// "interpolation" (resample)}. Geometry: {"size", "spacing_mm", "origin_mm_lps", "direction" (rows)} at full
// double precision.
nlohmann::json to_json(const SpatialRecord& record);
nlohmann::json to_json(const Geometry& geometry);
// The inverse of to_json(Geometry), strict (JsonSection): `name` is the dotted key in messages. Throws Error
// for missing or unknown keys, wrong types, sizes or spacings that are not positive, or a singular direction.
Geometry geometry_from_json(const nlohmann::json& doc, const std::string& name);

// Forward: from record.input to record.output.
ImageF apply(const SpatialRecord& record, const ImageF& image);
Mask apply(const SpatialRecord& record, const Mask& mask);

// Inverse: from record.output back to record.input.
ImageF invert(const SpatialRecord& record, const ImageF& image);
Mask invert(const SpatialRecord& record, const Mask& mask);

// Replays `records` (in the order they were applied) in reverse: from the last record's output grid to the
// first record's input grid. An empty list returns the volume unchanged.
ImageF invert(const std::vector<SpatialRecord>& records, const ImageF& image);
Mask invert(const std::vector<SpatialRecord>& records, const Mask& mask);

// Exact equality of size, spacing, origin and direction (no tolerance: records restore grids bit for bit).
bool same_grid(const Geometry& a, const Geometry& b);

}  // namespace oncotrack::preprocess
