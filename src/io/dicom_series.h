#pragma once
// Internal to the io module: DICOM-folder reading behind read_image_info / read_image (see image_io.h for the
// contract: one series or a chosen UID, slices sorted along the normal and evenly spaced, no multi-frame
// files). GDCM is used directly: one header parse per file that stops before PixelData (what follows it,
// e.g. megabytes of padding, is never parsed), then one pixel parse per slice, also stopping after PixelData.
// Files cut short are named in the error; files without "DICM" that GDCM cannot parse are skipped as not
// DICOM (and named when the series then has a gap).
#include <filesystem>

#include "oncotrack/io/image_io.h"

namespace oncotrack::io::detail {

ImageInfo read_dicom_info(const std::filesystem::path& folder, const ReadOptions& options);
ImageF read_dicom_image(const std::filesystem::path& folder, const ReadOptions& options);

}  // namespace oncotrack::io::detail
