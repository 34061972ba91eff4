#pragma once
// The preprocessing driver: one scan in its native grid → the image the rest of the pipeline works on, its
// body mask, the spatial records that undo the grid changes and a JSON summary for the report.
//
// Order: reorient → body mask (body_mask.h) → N4 (driven by the body mask) → resample → crop to the body
// mask → normalise (statistics inside the body mask). The body mask follows the spatial steps (nearest
// neighbour), so it is always on the grid of `image`.
//
// summary: {"input_geometry", "output_geometry", "body_mask": {"voxels", "volume_ml", "seconds"},
//           "steps": [one object per step applied, in order: "step" and its parameters and results —
//                     spatial steps: the record (spatial_record.h) plus "seconds"; "n4": options, iterations
//                     run per level, final convergence, control points, shrunk size, fitted voxels, seconds;
//                     "normalize": percentiles, clipping values, mean, sd, mask voxels, seconds]}
//
// Throws Error from the steps (e.g. an image without contrast has an empty body mask, which normalisation
// refuses). Thread safety: re-entrant; ITK filters inside use ITK's global thread setting.
#include <nlohmann/json.hpp>
#include <vector>

#include "oncotrack/core/geometry.h"
#include "oncotrack/preprocess/config.h"
#include "oncotrack/preprocess/spatial_record.h"

namespace oncotrack::preprocess {

struct Preprocessed {
  ImageF image;                        // on the preprocessed grid
  Mask body;                           // body mask on the same grid
  std::vector<SpatialRecord> records;  // spatial steps in the order applied
  nlohmann::json summary;
};

Preprocessed preprocess(const ImageF& image, const PreprocessConfig& config);

// A mask on the preprocessed grid (e.g. a predicted tumour mask) back on the scan's native grid (nearest
// neighbour through resampling, zeros outside a crop). Throws Error when `mask` is not on p.image's grid.
Mask to_native(const Preprocessed& p, const Mask& mask);

}  // namespace oncotrack::preprocess
