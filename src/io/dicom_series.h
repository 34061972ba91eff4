#pragma once
// Internal to the io module: DICOM-folder reading behind read_image_info / read_image (see image_io.h for the
// contract: one series or a chosen UID, slices sorted along the normal and evenly spaced, no multi-frame
// files).
#include <filesystem>

#include "oncotrack/io/image_io.h"

namespace oncotrack::io::detail {

ImageInfo read_dicom_info(const std::filesystem::path& folder, const ReadOptions& options);
ImageF read_dicom_image(const std::filesystem::path& folder, const ReadOptions& options);

}  // namespace oncotrack::io::detail
