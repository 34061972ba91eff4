// read_dicom_measurements (image_io.h): a folder of single-frame files of one multi-measurement series,
// grouped by AcquisitionNumber and position along the slice normal into one volume per measurement.
#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "dicom_gdcm.h"
#include "dicom_series.h"
#include "oncotrack/core/error.h"

namespace oncotrack::io {

namespace fs = std::filesystem;

namespace {

using detail::DicomFile;
using detail::FolderScan;
using detail::SeriesLayout;

constexpr double kSamePositionMm = 1e-3;
constexpr double kGeometryToleranceMm = 1e-3, kDirectionTolerance = 1e-4;

// One slice: the 3D geometry comes from the file alone, its thickness (or 1 mm) standing for the spacing.
SeriesLayout single_slice_layout(const DicomFile& f) {
  SeriesLayout layout;
  Geometry& g = layout.geometry;
  g.size = {f.columns, f.rows, 1};
  g.spacing_mm = {f.column_spacing_mm, f.row_spacing_mm,
                  f.slice_thickness_mm > 0 ? f.slice_thickness_mm : 1.0};
  g.origin_mm_lps = f.position;
  const Vec3 n{f.row[1] * f.column[2] - f.row[2] * f.column[1],
               f.row[2] * f.column[0] - f.row[0] * f.column[2],
               f.row[0] * f.column[1] - f.row[1] * f.column[0]};
  for (int r = 0; r < 3; ++r) g.direction[r] = {f.row[r], f.column[r], n[r]};
  layout.slices.push_back(f.path);
  return layout;
}

std::string measurement_name(long acquisition) {
  return "measurement with AcquisitionNumber " + std::to_string(acquisition);
}

}  // namespace

MeasurementSeries read_dicom_measurements(const fs::path& folder, const ReadOptions& options) {
  const FolderScan scan = detail::select_series(folder, options);
  std::map<long, FolderScan> by_acquisition;
  for (const DicomFile& f : scan.files) {
    if (f.acquisition_number < 0)
      throw Error("DICOM file has no AcquisitionNumber", f.path.string(),
                  "an integer AcquisitionNumber (0020,0012) telling its measurement", "none");
    by_acquisition[f.acquisition_number].files.push_back(f);
  }
  const long first = by_acquisition.begin()->first, last = by_acquisition.rbegin()->first;
  if (static_cast<std::size_t>(last - first + 1) != by_acquisition.size()) {
    std::string missing;
    for (long a = first; a <= last; ++a)
      if (!by_acquisition.count(a)) missing += (missing.empty() ? "" : ", ") + std::to_string(a);
    throw Error("measurements missing from the DICOM series", folder.string(),
                "every AcquisitionNumber from " + std::to_string(first) + " to " + std::to_string(last),
                "no files for AcquisitionNumber " + missing);
  }
  MeasurementSeries out;
  out.imaging_frequency_mhz = scan.files.front().imaging_frequency_mhz;
  Geometry geometry;
  std::vector<char> buffer;
  for (auto& [acquisition, group] : by_acquisition) {
    std::vector<const DicomFile*> sorted;
    for (const DicomFile& f : group.files) sorted.push_back(&f);
    std::sort(sorted.begin(), sorted.end(), [](const DicomFile* a, const DicomFile* b) {
      return detail::position_along_normal(*a) < detail::position_along_normal(*b);
    });
    for (std::size_t n = 1; n < sorted.size(); ++n)
      if (std::abs(detail::position_along_normal(*sorted[n]) -
                   detail::position_along_normal(*sorted[n - 1])) < kSamePositionMm)
        throw Error("two DICOM files for one slice of one measurement", sorted[n]->path.string(),
                    "one file per (AcquisitionNumber, slice position)",
                    "the same AcquisitionNumber " + std::to_string(acquisition) + " and position as " +
                        sorted[n - 1]->path.filename().string());
    SeriesLayout layout;
    try {
      layout = group.files.size() == 1 ? single_slice_layout(group.files.front())
                                       : detail::layout_series(group, folder);
    } catch (Error& e) {
      e.add_context("while stacking the slices of the " + measurement_name(acquisition));
      throw;
    }
    if (out.volumes.empty()) {
      geometry = layout.geometry;
    } else {
      const GeometryDelta delta = compare_geometry(layout.geometry, geometry);
      if (!delta.within(kGeometryToleranceMm, kDirectionTolerance))
        throw Error("DICOM measurements have different geometries", layout.slices.front().string(),
                    "the geometry of the " + measurement_name(first) + ": " + describe_geometry(geometry),
                    "the " + measurement_name(acquisition) + ": " + describe_geometry(layout.geometry) +
                        " (" + delta.describe() + ")",
                    "a missing or extra slice, or two series in one folder?");
    }
    ImageF volume(geometry);
    const std::size_t slice_voxels = geometry.size[0] * geometry.size[1];
    for (std::size_t k = 0; k < layout.slices.size(); ++k)
      detail::read_slice_pixels(layout.slices[k], geometry.size[0], geometry.size[1], buffer,
                                volume.voxels.data() + k * slice_voxels);
    for (float v : volume.voxels)
      if (!std::isfinite(v))
        throw Error("DICOM pixel values are not finite", folder.string(), "finite values",
                    "NaN or infinity in the " + measurement_name(acquisition));
    out.volumes.push_back(std::move(volume));
    out.acquisition_numbers.push_back(acquisition);
  }
  return out;
}

}  // namespace oncotrack::io
