#pragma once
// Reading and writing 3D images through ITK. Supported inputs: NIfTI (.nii, .nii.gz), NRRD (.nrrd, .nhdr),
// MetaImage (.mha, .mhd) and DICOM series folders (GDCM). Geometry (spacing, origin, direction) is taken from
// the file unchanged and expressed in LPS millimetres. All functions throw oncotrack::Error naming the file,
// the problem, what was expected and what was found; none of them crash on hostile files.
//
// Accepted shapes: 3D, or 4D whose 4th dimension has size 1 (treated as 3D). 2D and true 4D (time series,
// multi-frame DICOM) are refused. Float images with NaN/Inf voxels are refused (count and first ijk
// reported). DICOM: a folder must hold exactly one series unless ReadOptions::dicom_series_uid selects one;
// slices must be evenly spaced along the slice normal (relative deviation <= kDicomSpacingTolerance), gaps
// between slices (spacing > thickness) are fine. Multi-frame files are refused. Reading DICOM switches GDCM's
// warning and debug output off for the whole process (GDCM's switches are global) and routes its error
// messages into the Error text, so nothing reaches stderr.
//
// Thread safety: functions are re-entrant; they may be called from several threads on different files.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "oncotrack/core/geometry.h"

namespace oncotrack::io {

constexpr double kDicomSpacingTolerance =
    0.05;  // relative; rounding in IPP gives a few per cent on real data

struct ReadOptions {
  std::string dicom_series_uid;  // empty: the folder must contain exactly one series
};

struct ImageInfo {
  std::string path;
  std::string format;          // "nifti", "nrrd", "meta", "dicom"
  std::string component_type;  // as stored: "uint8", "int16", "float32", ...
  unsigned dimensions = 3;     // as stored
  Geometry geometry;
  std::uintmax_t file_bytes = 0;  // sum over files for a DICOM folder
};

struct DicomSeriesInfo {
  std::string uid;
  std::string description;
  std::size_t file_count = 0;
};

// Header-only inspection (does not read voxel data).
ImageInfo read_image_info(const std::filesystem::path& path, const ReadOptions& options = {});
// Reads the voxels as float (any stored component type is converted).
ImageF read_image(const std::filesystem::path& path, const ReadOptions& options = {});
struct SeriesReadOptions {
  // Masked data (e.g. NaN outside the brain): NaN/Inf voxels become 0 instead of an error.
  bool non_finite_as_zero = false;
};
// Reads a 4D series (NIfTI, NRRD, MetaImage; e.g. CEST / fingerprinting images, one volume per 4th index) as
// one 3D image per volume with the geometry of the first three axes; a 3D file gives one volume. With
// options.non_finite_as_zero, *zeroed (when given) receives the number of NaN/Inf voxel values set to 0
// (over all volumes; for NIfTI the count of the file's raw data).
std::vector<ImageF> read_image_series(const std::filesystem::path& path,
                                      const SeriesReadOptions& options = {}, std::size_t* zeroed = nullptr);
// Reads an integer label image (masks). Non-integer voxel values are an error.
Labels read_labels(const std::filesystem::path& path, const ReadOptions& options = {});
// 1 where the label is in tumor_labels (empty: any non-zero label), else 0.
Mask labels_to_mask(const Labels& labels, const std::vector<std::int32_t>& tumor_labels);

// Series present in a DICOM folder (empty when none).
std::vector<DicomSeriesInfo> list_dicom_series(const std::filesystem::path& folder);

// Writers choose the format from the extension (.nii, .nii.gz, .nrrd, .mha, .mhd) and write atomically.
void write_image(const ImageF& image, const std::filesystem::path& path);
void write_mask(const Mask& mask, const std::filesystem::path& path);
void write_labels(const Labels& labels, const std::filesystem::path& path);
// A 4D series (what read_image_series reads back): every volume on the first one's grid, 4th spacing 1.
void write_image_series(const std::vector<ImageF>& volumes, const std::filesystem::path& path);
// An 8-bit RGB PNG (rgb: width·height·3 bytes, rows from top to bottom), written atomically. Throws Error
// naming the path when the sizes disagree or the file cannot be written.
void write_png_rgb(const std::vector<std::uint8_t>& rgb, std::size_t width, std::size_t height,
                   const std::filesystem::path& path);

struct DicomWriteOptions {
  std::string series_uid;            // empty: a new UID
  long acquisition_number = -1;      // >= 0: written as AcquisitionNumber (0020,0012), files "A<n>_IM<k>.dcm"
  double imaging_frequency_mhz = 0;  // > 0: written as ImagingFrequency (0018,0084)
};

// Writes a 2D-slice DICOM MR series (int16, rescaled) with full per-slice geometry: ImagePositionPatient,
// ImageOrientationPatient, PixelSpacing, SliceThickness and SpacingBetweenSlices per file. For tests and
// synth.
void write_dicom_series(const ImageF& image, const std::filesystem::path& folder,
                        const DicomWriteOptions& options);
inline void write_dicom_series(const ImageF& image, const std::filesystem::path& folder,
                               const std::string& series_uid = {}) {
  write_dicom_series(image, folder, DicomWriteOptions{series_uid});
}

// A multi-measurement DICOM series (Siemens-style CEST / Z-spectrum acquisitions: every measurement is the
// same stack of slices, told apart by AcquisitionNumber).
struct MeasurementSeries {
  std::vector<ImageF> volumes;            // one per measurement, by increasing AcquisitionNumber
  std::vector<long> acquisition_numbers;  // consecutive integers
  double imaging_frequency_mhz = 0;       // ImagingFrequency of the first file; 0 when absent
};

// Reads the one series in folder (or options.dicom_series_uid), grouping its single-frame files by
// (AcquisitionNumber → measurement, position along the slice normal → slice). Every measurement must have the
// geometry of the first (same slices, size, spacing, orientation; one slice is allowed, its thickness then
// being the slice spacing). Throws Error naming the folder or file for: files without AcquisitionNumber, gaps
// in the acquisition numbers, two files for one (measurement, slice), measurements whose slices or geometry
// differ, and everything read_image refuses.
MeasurementSeries read_dicom_measurements(const std::filesystem::path& folder,
                                          const ReadOptions& options = {});

}  // namespace oncotrack::io
