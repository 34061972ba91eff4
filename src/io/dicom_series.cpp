#include "dicom_series.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "dicom_gdcm.h"
#include "oncotrack/core/error.h"

namespace oncotrack::io {

namespace fs = std::filesystem;

namespace {

using detail::DicomFile;
using detail::FolderScan;
using detail::read_header;
using detail::SeriesLayout;

constexpr double kOrientationTolerance = 1e-4;  // direction cosines as printed by scanners (6+ digits)

// All DICOM image files directly inside folder (not recursive) with the header fields oncotrack needs.
FolderScan scan_folder(const fs::path& folder) {
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) {
    throw Error("DICOM folder not found", folder.string(), "a folder of DICOM files", "no such folder");
  }
  FolderScan scan;
  for (const auto& entry : fs::directory_iterator(folder, ec)) {
    if (!entry.is_regular_file(ec)) continue;
    DicomFile file;
    if (read_header(entry.path(), file)) {
      scan.files.push_back(std::move(file));
    } else {
      scan.skipped.push_back(entry.path());
    }
  }
  if (ec) throw Error("cannot list DICOM folder", folder.string(), "a readable folder", ec.message());
  std::sort(scan.files.begin(), scan.files.end(),
            [](const DicomFile& a, const DicomFile& b) { return a.path < b.path; });
  std::sort(scan.skipped.begin(), scan.skipped.end());
  return scan;
}

std::vector<DicomSeriesInfo> group_series(const std::vector<DicomFile>& files) {
  std::map<std::string, DicomSeriesInfo> by_uid;
  for (const auto& f : files) {
    DicomSeriesInfo& s = by_uid[f.series_uid];
    s.uid = f.series_uid;
    if (s.description.empty()) s.description = f.series_description;
    ++s.file_count;
  }
  std::vector<DicomSeriesInfo> series;
  for (auto& [uid, s] : by_uid) series.push_back(std::move(s));
  return series;
}

std::string describe_series(const std::vector<DicomSeriesInfo>& series) {
  std::string text;
  for (const auto& s : series) {
    text += (text.empty() ? "" : "; ") + s.uid + " (" +
            (s.description.empty() ? "no description" : s.description) + ", " + std::to_string(s.file_count) +
            " files)";
  }
  return text;
}

}  // namespace

namespace detail {

FolderScan select_series(const fs::path& folder, const ReadOptions& options) {
  FolderScan scan = scan_folder(folder);
  std::vector<DicomFile>& files = scan.files;
  const std::vector<DicomSeriesInfo> series = group_series(files);
  if (series.empty()) {
    throw Error("no DICOM series found", folder.string(), "a folder holding one DICOM series",
                "no DICOM files");
  }
  std::string uid = options.dicom_series_uid;
  if (uid.empty()) {
    if (series.size() > 1) {
      throw Error("folder holds several DICOM series", folder.string(), "exactly one series",
                  std::to_string(series.size()) + " series: " + describe_series(series),
                  "choose one by its series instance UID");
    }
    uid = series.front().uid;
  }
  files.erase(
      std::remove_if(files.begin(), files.end(), [&](const DicomFile& f) { return f.series_uid != uid; }),
      files.end());
  if (files.empty()) {
    throw Error("requested DICOM series not found", folder.string(), "series " + uid,
                "series: " + describe_series(series));
  }
  return scan;
}

}  // namespace detail

namespace {

Vec3 cross(const Vec3& a, const Vec3& b) {
  return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}
double dot(const Vec3& a, const Vec3& b) {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

// "" or " Not DICOM, skipped: a, b, c (+N more)." for error hints.
std::string describe_skipped(const std::vector<fs::path>& skipped) {
  if (skipped.empty()) return "";
  constexpr std::size_t kNamed = 3;
  std::string text = " Not DICOM, skipped:";
  for (std::size_t n = 0; n < std::min(kNamed, skipped.size()); ++n) {
    text += (n ? ", " : " ") + skipped[n].filename().string();
  }
  if (skipped.size() > kNamed) text += " (+" + std::to_string(skipped.size() - kNamed) + " more)";
  return text + ".";
}

}  // namespace

namespace detail {

double position_along_normal(const DicomFile& file) {
  return dot(file.position, cross(file.row, file.column));
}

SeriesLayout layout_series(const FolderScan& scan, const fs::path& folder) {
  const std::vector<DicomFile>& files = scan.files;
  const DicomFile& first = files.front();
  const Vec3 normal = cross(first.row, first.column);
  std::vector<std::pair<double, const DicomFile*>> positions;
  for (const auto& f : files) {
    if (f.frames > 1) {
      throw Error("multi-frame DICOM not supported", f.path.string(), "a series of single-frame slices",
                  std::to_string(f.frames) + " frames");
    }
    if (!f.has_position) {
      throw Error("DICOM slice has no position", f.path.string(), "an ImagePositionPatient",
                  "none (cannot place the slice)");
    }
    for (int a = 0; a < 3; ++a) {
      if (std::abs(f.row[a] - first.row[a]) > kOrientationTolerance ||
          std::abs(f.column[a] - first.column[a]) > kOrientationTolerance) {
        throw Error("DICOM slices have different orientations", f.path.string(),
                    "the orientation of " + first.path.filename().string(),
                    "a different ImageOrientationPatient");
      }
    }
    if (f.columns != first.columns || f.rows != first.rows) {
      throw Error("DICOM slices have different sizes", f.path.string(),
                  std::to_string(first.columns) + "x" + std::to_string(first.rows),
                  std::to_string(f.columns) + "x" + std::to_string(f.rows));
    }
    positions.emplace_back(dot(f.position, normal), &f);
  }
  if (positions.size() < 2) {
    throw Error("unsupported image shape", folder.string(), "a 3D image (at least 2 slices)",
                "a single slice (2D)");
  }
  std::sort(positions.begin(), positions.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  const double mean_step = (positions.back().first - positions.front().first) / double(positions.size() - 1);
  double min_step = std::numeric_limits<double>::max(), max_step = 0;
  for (std::size_t n = 1; n < positions.size(); ++n) {
    const double step = positions[n].first - positions[n - 1].first;
    min_step = std::min(min_step, step);
    max_step = std::max(max_step, step);
  }
  if (mean_step <= 0 || max_step - mean_step > kDicomSpacingTolerance * mean_step ||
      mean_step - min_step > kDicomSpacingTolerance * mean_step) {
    std::ostringstream found;
    found << "steps from " << min_step << " to " << max_step << " mm over " << positions.size() << " slices";
    std::ostringstream expected;
    expected << "every step within " << kDicomSpacingTolerance * 100 << " % of the mean " << mean_step
             << " mm";
    throw Error("DICOM slices are not evenly spaced", folder.string(), expected.str(), found.str(),
                "a missing, duplicate or extra slice in the folder?" + describe_skipped(scan.skipped));
  }

  SeriesLayout layout;
  Geometry& g = layout.geometry;
  g.size = {first.columns, first.rows, positions.size()};
  g.spacing_mm = {first.column_spacing_mm, first.row_spacing_mm, mean_step};
  g.origin_mm_lps = positions.front().second->position;
  for (int r = 0; r < 3; ++r) g.direction[r] = {first.row[r], first.column[r], normal[r]};
  for (const auto& p : positions) {
    layout.slices.push_back(p.second->path);
    layout.file_bytes += fs::file_size(p.second->path);
  }
  layout.component_type = (first.is_signed ? "int" : "uint") + std::to_string(first.bits_allocated);
  return layout;
}

}  // namespace detail

std::vector<DicomSeriesInfo> list_dicom_series(const fs::path& folder) {
  return group_series(scan_folder(folder).files);
}

namespace detail {

ImageInfo read_dicom_info(const fs::path& folder, const ReadOptions& options) {
  const SeriesLayout layout = layout_series(select_series(folder, options), folder);
  ImageInfo info;
  info.path = folder.string();
  info.format = "dicom";
  info.component_type = layout.component_type;
  info.dimensions = 3;
  info.geometry = layout.geometry;
  info.file_bytes = layout.file_bytes;
  return info;
}

ImageF read_dicom_image(const fs::path& folder, const ReadOptions& options) {
  const SeriesLayout layout = layout_series(select_series(folder, options), folder);
  ImageF image(layout.geometry);
  const std::size_t slice_voxels = layout.geometry.size[0] * layout.geometry.size[1];
  // Slice by slice (not ImageSeriesReader): the geometry is ours from IPP/IOP, and each file's rescale
  // applies.
  std::vector<char> buffer;
  for (std::size_t k = 0; k < layout.slices.size(); ++k) {
    read_slice_pixels(layout.slices[k], layout.geometry.size[0], layout.geometry.size[1], buffer,
                      image.voxels.data() + k * slice_voxels);
  }
  return image;
}

}  // namespace detail

}  // namespace oncotrack::io
