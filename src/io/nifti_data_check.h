#pragma once
// Internal to the io module. ITK's NIfTI reader (nifti1_io) silently zero-fills a short or truncated file,
// silently replaces NaN/Inf floats by 0 and a zero or NaN spacing by 1 mm, so all three are checked on the
// raw bytes here.
#include <cstdint>
#include <filesystem>

#include "oncotrack/core/geometry.h"

namespace oncotrack::io::detail {

// Reads only the header of a .nii or .nii.gz: throws Error naming path when it is not a NIfTI header, when
// its spacing is zero, negative or NaN (nifti1_io would read 1 mm) or its vox_offset is invalid.
void check_nifti_header(const std::filesystem::path& path);

// Checks the header as check_nifti_header does, then streams the voxel data of a .nii or .nii.gz (NIfTI-1 or
// -2, either byte order). Throws Error naming path when the data is shorter than the header says, the
// compressed stream is corrupt, or float data holds NaN/Inf (count and first ijk, using geometry's size)
// unless refuse_non_finite is false. Returns the number of NaN/Inf voxels (ITK's reader turns them into 0).
std::uint64_t check_nifti_data(const std::filesystem::path& path, const Geometry& geometry,
                               bool refuse_non_finite = true);

}  // namespace oncotrack::io::detail
