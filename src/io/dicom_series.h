#pragma once
// Internal to the io module: DICOM-folder reading behind read_image_info / read_image (see image_io.h for the
// contract: one series or a chosen UID, slices sorted along the normal and evenly spaced, no multi-frame
// files). GDCM is used directly: one header parse per file that stops before PixelData (what follows it,
// e.g. megabytes of padding, is never parsed), then one pixel parse per slice, also stopping after PixelData.
// Files cut short are named in the error; files without "DICM" that GDCM cannot parse are skipped as not
// DICOM (and named when the series then has a gap). The folder scan and the slice layout are shared with the
// multi-measurement reader (dicom_measurements.cpp).
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "dicom_gdcm.h"
#include "oncotrack/io/image_io.h"

namespace oncotrack::io::detail {

ImageInfo read_dicom_info(const std::filesystem::path& folder, const ReadOptions& options);
ImageF read_dicom_image(const std::filesystem::path& folder, const ReadOptions& options);

struct FolderScan {
  std::vector<DicomFile> files;                // DICOM images, sorted by path
  std::vector<std::filesystem::path> skipped;  // regular files that are not DICOM images
};

// The DICOM images directly inside folder of one series (options.dicom_series_uid, or the only one); throws
// Error naming the folder when there is none, several without a UID, or the UID is absent.
FolderScan select_series(const std::filesystem::path& folder, const ReadOptions& options);

struct SeriesLayout {
  std::vector<std::filesystem::path> slices;  // sorted along the slice normal
  Geometry geometry;
  std::string component_type;
  std::uintmax_t file_bytes = 0;
};

// Sorts scan.files by their position along the slice normal and derives the 3D geometry, refusing what
// cannot be stacked into one evenly sampled volume (≥ 2 single-frame slices of one size and orientation).
SeriesLayout layout_series(const FolderScan& scan, const std::filesystem::path& folder);

// ImagePositionPatient · (row × column): where a slice sits along its normal, in mm.
double position_along_normal(const DicomFile& file);

}  // namespace oncotrack::io::detail
