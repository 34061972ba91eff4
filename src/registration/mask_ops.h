#pragma once
// Internal to the registration module: binary mask arithmetic for building metric masks.
#include "oncotrack/core/geometry.h"

namespace oncotrack::registration {

// Every voxel within radius_mm (physical, Euclidean between voxel centres) of a set voxel.
Mask dilate(const Mask& mask, double radius_mm);
Mask subtract(const Mask& a, const Mask& b);  // a and not b; same grid
Mask invert(const Mask& mask);

}  // namespace oncotrack::registration
