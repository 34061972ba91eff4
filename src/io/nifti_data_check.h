#pragma once
// Internal to the io module. ITK's NIfTI reader (nifti1_io) silently zero-fills a short or truncated file and
// silently replaces NaN/Inf floats by 0, so both are checked on the raw bytes here, before ITK reads the
// file.
#include <cstdint>
#include <filesystem>

#include "oncotrack/core/geometry.h"

namespace oncotrack::io::detail {

// Streams the voxel data of a .nii or .nii.gz (NIfTI-1 or -2, either byte order). Throws Error naming path
// when the data is shorter than the header says, the compressed stream is corrupt, or float data holds
// NaN/Inf (count and first ijk, using geometry's size) unless refuse_non_finite is false. Returns the number
// of NaN/Inf voxels (ITK's reader turns them into 0).
std::uint64_t check_nifti_data(const std::filesystem::path& path, const Geometry& geometry,
                               bool refuse_non_finite = true);

}  // namespace oncotrack::io::detail
