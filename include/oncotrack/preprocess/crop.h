#pragma once
// Crop to the bounding box of a foreground mask (e.g. the body mask) plus a margin; the inverse pads with
// zeros back to the full grid.
#include "oncotrack/core/geometry.h"
#include "oncotrack/preprocess/spatial_record.h"

namespace oncotrack::preprocess {

// Bounding box of the non-zero voxels of `foreground`, grown by ceil(margin_mm / spacing) voxels per axis
// and clipped to the grid. Throws Error when the mask is empty, its buffer does not match its geometry or
// margin_mm is negative or not finite.
SpatialRecord plan_crop(const Mask& foreground, double margin_mm);

}  // namespace oncotrack::preprocess
