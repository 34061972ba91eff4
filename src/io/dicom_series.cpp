#include "dicom_series.h"

#include <itkGDCMImageIO.h>
#include <itkImageSeriesWriter.h>
#include <itkMetaDataObject.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <random>
#include <sstream>

#include "itk_convert.h"
#include "oncotrack/core/error.h"

namespace oncotrack::io {

namespace fs = std::filesystem;

namespace {

// DICOM tags as GDCMImageIO names them in its metadata dictionary.
const std::string kSeriesUid = "0020|000e";
const std::string kSeriesDescription = "0008|103e";
const std::string kFrames = "0028|0008";
const std::string kBitsAllocated = "0028|0100";
const std::string kPixelRepresentation = "0028|0103";
constexpr double kOrientationTolerance = 1e-4;  // direction cosines as printed by scanners (6+ digits)

// Geometry comes from GDCM's parse (IPP, IOP, PixelSpacing), which also reads the functional groups that GDCM
// itself writes for MR with a rescale slope (Enhanced MR Image Storage).
struct DicomFile {
  fs::path path;
  std::map<std::string, std::string> values;  // tag -> trimmed string value ("" when absent)
  std::size_t columns = 0, rows = 0, frames = 1;
  Vec3 position{}, row{}, column{};
  double column_spacing_mm = 0, row_spacing_mm = 0;  // along i and along j
  const std::string& operator[](const std::string& tag) const { return values.at(tag); }
};

std::string trimmed(const std::string& s) {
  const auto first = s.find_first_not_of(' ');
  const auto last = s.find_last_not_of(std::string(" \0", 2));
  return first == std::string::npos || last == std::string::npos ? "" : s.substr(first, last + 1 - first);
}

// All DICOM files directly inside folder (not recursive) with the header fields oncotrack needs.
std::vector<DicomFile> scan_folder(const fs::path& folder) {
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) {
    throw Error("DICOM folder not found", folder.string(), "a folder of DICOM files", "no such folder");
  }
  std::vector<DicomFile> files;
  for (const auto& entry : fs::directory_iterator(folder, ec)) {
    if (!entry.is_regular_file(ec)) continue;
    auto io = itk::GDCMImageIO::New();
    const std::string name = entry.path().string();
    if (!io->CanReadFile(name.c_str())) continue;  // not DICOM (README, hidden files, ...)
    io->SetFileName(name);
    try {
      io->ReadImageInformation();
    } catch (const itk::ExceptionObject& e) {
      detail::throw_itk_error(entry.path(), "cannot read DICOM header", e);
    }
    DicomFile file{entry.path(),
                   {},
                   io->GetDimensions(0),
                   io->GetDimensions(1),
                   io->GetNumberOfDimensions() > 2 ? io->GetDimensions(2) : 1};
    for (int a = 0; a < 3; ++a) {
      file.position[a] = io->GetOrigin(a);
      file.row[a] = io->GetDirection(0)[a];
      file.column[a] = io->GetDirection(1)[a];
    }
    file.column_spacing_mm = io->GetSpacing(0);
    file.row_spacing_mm = io->GetSpacing(1);
    for (const auto& tag : {kSeriesUid, kSeriesDescription, kFrames, kBitsAllocated, kPixelRepresentation}) {
      std::string value;
      io->GetValueFromTag(tag, value);
      file.values[tag] = trimmed(value);
    }
    if (!file[kSeriesUid].empty()) files.push_back(std::move(file));
  }
  if (ec) throw Error("cannot list DICOM folder", folder.string(), "a readable folder", ec.message());
  std::sort(files.begin(), files.end(),
            [](const DicomFile& a, const DicomFile& b) { return a.path < b.path; });
  return files;
}

std::vector<DicomSeriesInfo> group_series(const std::vector<DicomFile>& files) {
  std::map<std::string, DicomSeriesInfo> by_uid;
  for (const auto& f : files) {
    DicomSeriesInfo& s = by_uid[f[kSeriesUid]];
    s.uid = f[kSeriesUid];
    if (s.description.empty()) s.description = f[kSeriesDescription];
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

std::vector<DicomFile> select_series(const fs::path& folder, const ReadOptions& options) {
  std::vector<DicomFile> files = scan_folder(folder);
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
      std::remove_if(files.begin(), files.end(), [&](const DicomFile& f) { return f[kSeriesUid] != uid; }),
      files.end());
  if (files.empty()) {
    throw Error("requested DICOM series not found", folder.string(), "series " + uid,
                "series: " + describe_series(series));
  }
  return files;
}

Vec3 cross(const Vec3& a, const Vec3& b) {
  return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}
double dot(const Vec3& a, const Vec3& b) {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

struct SeriesLayout {
  std::vector<fs::path> slices;  // sorted along the slice normal
  Geometry geometry;
  std::string component_type;
  std::uintmax_t file_bytes = 0;
};

// Sorts the slices by their position along the normal and derives the 3D geometry, refusing what cannot be
// stacked into one evenly sampled volume.
SeriesLayout layout_series(const std::vector<DicomFile>& files, const fs::path& folder) {
  const DicomFile& first = files.front();
  const Vec3 normal = cross(first.row, first.column);
  std::vector<std::pair<double, const DicomFile*>> positions;
  for (const auto& f : files) {
    if (f.frames > 1 || std::atoi(f[kFrames].c_str()) > 1) {
      throw Error("multi-frame DICOM is not supported", f.path.string(), "one frame per file",
                  std::to_string(std::max<long>(long(f.frames), std::atol(f[kFrames].c_str()))) + " frames");
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
                "a missing, duplicate or extra slice in the folder?");
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
  const int bits = std::atoi(first[kBitsAllocated].c_str());
  layout.component_type = (first[kPixelRepresentation] == "1" ? "int" : "uint") + std::to_string(bits);
  return layout;
}

// DS values are limited to 16 characters; keep as many digits as fit.
std::string decimal_string(double value) {
  char text[32];
  for (int digits = 15; digits > 1; --digits) {
    std::snprintf(text, sizeof text, "%.*g", digits, value);
    if (std::string(text).size() <= 16) break;
  }
  return text;
}

// A "2.25." UID (PS3.5 B.2): a random 38-digit decimal integer, below 2^128 as required.
std::string make_uid() {
  thread_local std::mt19937_64 random{std::random_device{}()};
  std::string uid = "2.25." + std::to_string(1 + random() % 9);
  for (int n = 0; n < 37; ++n) uid += char('0' + random() % 10);
  return uid;
}

std::string join_decimal(std::initializer_list<double> values) {
  std::string text;
  for (double v : values) text += (text.empty() ? "" : "\\") + decimal_string(v);
  return text;
}

}  // namespace

std::vector<DicomSeriesInfo> list_dicom_series(const fs::path& folder) {
  return group_series(scan_folder(folder));
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
  for (std::size_t k = 0; k < layout.slices.size(); ++k) {
    auto io = itk::GDCMImageIO::New();
    const ImageF slice = read_volume<float>(*io, layout.slices[k]);
    if (slice.voxels.size() != slice_voxels) {
      throw Error("DICOM slice size differs from its header", layout.slices[k].string(),
                  std::to_string(slice_voxels) + " pixels", std::to_string(slice.voxels.size()) + " pixels");
    }
    std::copy(slice.voxels.begin(), slice.voxels.end(),
              image.voxels.begin() + std::ptrdiff_t(k * slice_voxels));
  }
  return image;
}

}  // namespace detail

void write_dicom_series(const ImageF& image, const fs::path& folder, const std::string& series_uid) {
  const Geometry& g = image.geometry;
  const auto [min_it, max_it] = std::minmax_element(image.voxels.begin(), image.voxels.end());
  ONCOTRACK_ASSERT(min_it != image.voxels.end() && std::isfinite(*min_it) && std::isfinite(*max_it),
                   "write_dicom_series needs a non-empty finite image");
  // Stored int16 s in [-32767, 32767] maps linearly onto [min, max]: value = slope * s + intercept.
  const double intercept = (double(*min_it) + double(*max_it)) / 2;
  const double slope = *max_it > *min_it ? (double(*max_it) - double(*min_it)) / 65534.0 : 1.0;

  const std::string series = series_uid.empty() ? make_uid() : series_uid;
  const std::string study = make_uid();
  const std::string frame_of_reference = make_uid();
  std::vector<itk::MetaDataDictionary> dictionaries(g.size[2]);
  std::vector<std::string> names;
  const fs::path tmp_folder =
      folder.parent_path() / (".tmp-" + std::to_string(::getpid()) + "-" + folder.filename().string());
  for (std::size_t k = 0; k < g.size[2]; ++k) {
    const Vec3 ipp = g.index_to_lps({0, 0, double(k)});
    const std::vector<std::pair<const char*, std::string>> tags{
        {"0008|0016", "1.2.840.10008.5.1.4.1.1.4"},  // MR Image Storage
        {"0008|0018", make_uid()},
        {"0008|0060", "MR"},
        {"0008|103e", "oncotrack"},
        {"0020|000d", study},
        {"0020|000e", series},
        {"0020|0052", frame_of_reference},
        {"0020|0011", "1"},
        {"0020|0013", std::to_string(k + 1)},
        {"0020|0032", join_decimal({ipp[0], ipp[1], ipp[2]})},
        {"0020|0037", join_decimal({g.direction[0][0], g.direction[1][0], g.direction[2][0],
                                    g.direction[0][1], g.direction[1][1], g.direction[2][1]})},
        {"0028|0030", join_decimal({g.spacing_mm[1], g.spacing_mm[0]})},
        {"0018|0050", decimal_string(g.spacing_mm[2])},
        {"0018|0088", decimal_string(g.spacing_mm[2])},
        {"0028|1052", decimal_string(intercept)},
        {"0028|1053", decimal_string(slope)},
        {"0028|0100", "16"},  // bits allocated/stored, high bit, signed: GDCM stores the float input as int16
        {"0028|0101", "16"},
        {"0028|0102", "15"},
        {"0028|0103", "1"}};
    for (const auto& [key, value] : tags) itk::EncapsulateMetaData<std::string>(dictionaries[k], key, value);
    char name[32];
    std::snprintf(name, sizeof name, "IM%05zu.dcm", k + 1);
    names.push_back((tmp_folder / name).string());
  }
  std::vector<itk::MetaDataDictionary*> dictionary_pointers;
  for (auto& d : dictionaries) dictionary_pointers.push_back(&d);

  std::error_code ec;
  if (fs::exists(folder, ec) && !fs::is_empty(folder, ec)) {
    throw Error("DICOM output folder is not empty", folder.string(), "a new or empty folder",
                "existing files");
  }
  fs::create_directories(tmp_folder, ec);
  if (ec) throw Error("cannot create output folder", tmp_folder.string(), "a writable folder", ec.message());
  try {
    auto io = itk::GDCMImageIO::New();
    io->KeepOriginalUIDOn();
    auto writer = itk::ImageSeriesWriter<itk::Image<float, 3>, itk::Image<float, 2>>::New();
    writer->SetInput(detail::itk_from_volume(image));
    writer->SetImageIO(io);
    writer->SetFileNames(names);
    writer->SetMetaDataDictionaryArray(&dictionary_pointers);
    writer->Update();
    fs::remove(folder, ec);  // an empty destination folder is replaced by the finished one
    fs::rename(tmp_folder, folder, ec);
    if (ec)
      throw Error("cannot move DICOM series into place", folder.string(), "a writable folder", ec.message());
  } catch (const itk::ExceptionObject& e) {
    fs::remove_all(tmp_folder, ec);
    throw Error("cannot write DICOM series", folder.string(), "a writable folder", e.GetDescription());
  } catch (...) {
    fs::remove_all(tmp_folder, ec);
    throw;
  }
}

}  // namespace oncotrack::io
