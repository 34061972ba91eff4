#pragma once
// Internal to preprocess: uint8 masks to and from ITK (io's volume_from_itk is instantiated for float and
// double only).
#include <itkImage.h>

#include <algorithm>
#include <cstdint>

#include "oncotrack/core/geometry.h"
#include "oncotrack/io/itk_convert.h"

namespace oncotrack::preprocess::detail {

using ItkMask = itk::Image<std::uint8_t, 3>;
using ItkImage = itk::Image<float, 3>;

inline Mask mask_from_itk(const ItkMask& image) {
  Mask mask(io::detail::geometry_from_itk(image));
  const std::uint8_t* begin = image.GetBufferPointer();
  std::copy(begin, begin + mask.voxels.size(), mask.voxels.begin());
  return mask;
}

}  // namespace oncotrack::preprocess::detail
