#pragma once
// Resampling to a working spacing. The working grid keeps the direction and covers the whole physical box of
// the input grid (voxel edges, not centres): size[a] = ceil(size[a] · spacing[a] / working[a]) (at least 1)
// and the two boxes share their centre, so every voxel of either grid lies inside the other's box and
// neither direction of the resampling has to extrapolate beyond half a voxel.
#include "oncotrack/core/geometry.h"
#include "oncotrack/preprocess/spatial_record.h"

namespace oncotrack::preprocess {

// spacing_mm is per index axis (after reorientation: LPS x, y, z). Throws Error for a non-positive or
// non-finite spacing or an empty grid.
SpatialRecord plan_resample(const Geometry& geometry, const Vec3& spacing_mm);

}  // namespace oncotrack::preprocess
