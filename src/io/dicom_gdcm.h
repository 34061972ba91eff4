#pragma once
// Internal to the io module: direct GDCM access to single DICOM files, for dicom_series.cpp (reading) and
// dicom_write.cpp (writing). Contract:
//  - read_header: one header parse per file that stops before PixelData (what follows it, e.g. megabytes of
//    padding, is never parsed); read_slice_pixels: one pixel parse per slice, also stopping after PixelData.
//  - Files cut short (inside the meta header, the header or the uncompressed pixels) throw Error naming the
//    file; files without "DICM" that GDCM cannot parse, and DICOM files that are not images, are "not DICOM"
//    (read_header returns false) rather than errors.
//  - GDCM's warnings and debug output are off; its error messages are captured per thread and end up inside
//    the thrown Error, never on stderr.
// Geometry is LPS in mm, as DICOM stores it.
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "oncotrack/core/geometry.h"

namespace oncotrack::io::detail {

// Once per process: GDCM warnings and debug output off (a padded file otherwise prints millions of lines),
// errors captured per thread; MR rescale slope/intercept applied as ITK's GDCMImageIO does. Every call clears
// this thread's captured errors. read_header and read_slice_pixels call it themselves; call it before using
// GDCM (or ITK's GDCMImageIO) directly.
void configure_gdcm();

// The header fields of one DICOM image file that oncotrack needs; position and cosines in LPS mm.
struct DicomFile {
  std::filesystem::path path;
  std::string series_uid, series_description;
  std::size_t columns = 0, rows = 0, frames = 1;
  bool has_position = false;
  Vec3 position{}, row{}, column{};
  double column_spacing_mm = 0, row_spacing_mm = 0;  // along i and along j
  unsigned bits_allocated = 0;
  bool is_signed = false;
  long acquisition_number = -1;      // AcquisitionNumber (0020,0012); -1 when absent or not an integer
  double imaging_frequency_mhz = 0;  // ImagingFrequency (0018,0084); 0 when absent
  double slice_thickness_mm = 0;     // SliceThickness (0018,0050); 0 when absent
};

// One parse per file, stopping before PixelData (the padding after it is never read). Returns false for files
// that are not DICOM images (README, DICOMDIR, structured reports, ...). Throws Error for truncated or
// corrupt DICOM files and for images without SeriesInstanceUID, Rows, Columns or readable geometry.
bool read_header(const std::filesystem::path& path, DicomFile& file);

// Decodes one single-frame slice (any transfer syntax GDCM knows) into out[columns * rows], applying the
// rescale slope/intercept. One parse of the file. buffer is scratch space, reused across slices. Throws Error
// for a size other than columns x rows, colour, undecodable or unsupported pixel data.
void read_slice_pixels(const std::filesystem::path& path, std::size_t columns, std::size_t rows,
                       std::vector<char>& buffer, float* out);

}  // namespace oncotrack::io::detail
