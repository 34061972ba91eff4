#pragma once
// Intensity normalisation: percentile clipping, then z-score, both with statistics taken inside a mask (the
// body mask: the background would dominate them otherwise). Every voxel is clipped and scaled, inside the
// mask or not, so the background ends up at (lower − mean) / sd or below the body's intensities.
//
// Percentiles interpolate linearly between order statistics (NumPy's default). Mean and sd (population,
// divide by n) are those of the clipped values inside the mask, in double precision: afterwards the masked
// voxels have mean 0 and sd 1 up to float rounding.
//
// Throws Error for invalid options, a mask on another grid, an empty mask, or no spread inside the mask
// (sd == 0 after clipping).
#include <cstddef>
#include <string>

#include "oncotrack/core/geometry.h"

namespace oncotrack::preprocess {

struct NormalizeOptions {
  double lower_percentile = 0.5;  // in [0, 100]; 0 and 100 clip nothing
  double upper_percentile = 99.5;
};

// Throws Error "invalid value for <key_prefix><option>" (normalize: "normalisation option "; the config
// parser: "config key preprocess.normalize.").
void validate(const NormalizeOptions& options, const std::string& key_prefix);

struct Normalized {
  ImageF image;
  double lower_value = 0, upper_value = 0;  // clipping bounds (input intensities)
  double mean = 0, sd = 0;                  // of the clipped input inside the mask
  std::size_t mask_voxels = 0;
};

// mask == nullptr: statistics over the whole image.
Normalized normalize(const ImageF& image, const Mask* mask, const NormalizeOptions& options);

}  // namespace oncotrack::preprocess
