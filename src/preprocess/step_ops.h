#pragma once
// Internal to preprocess: the voxel work of each spatial step, called by apply/invert (spatial_record.cpp)
// after the grids have been checked. Results carry the target grid of the record exactly.
#include "oncotrack/core/geometry.h"
#include "oncotrack/preprocess/spatial_record.h"

namespace oncotrack::preprocess::detail {

// Reorient: forward maps a volume on record.input to record.output, inverse the other way. T in {float,
// uint8_t}.
template <class T>
Volume<T> permute_axes(const Volume<T>& volume, const SpatialRecord& record, bool inverse);

// Resample onto `grid` (same world frame): linear for images, nearest neighbour for masks; 0 outside.
ImageF resample_linear(const ImageF& image, const Geometry& grid);
Mask resample_nearest(const Mask& mask, const Geometry& grid);

// Crop: copies the box of record.output out of a volume on record.input; pad: the inverse (zeros outside).
template <class T>
Volume<T> crop_box(const Volume<T>& volume, const SpatialRecord& record);
template <class T>
Volume<T> pad_box(const Volume<T>& volume, const SpatialRecord& record);

}  // namespace oncotrack::preprocess::detail
