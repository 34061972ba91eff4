#include <itkMetaImageIO.h>

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <mutex>
#include <sstream>

#include "dicom_series.h"
#include "nifti_data_check.h"
#include "oncotrack/core/error.h"
#include "oncotrack/core/file_kind.h"
#include "oncotrack/io/image_io.h"
#include "oncotrack/io/itk_convert.h"

namespace oncotrack::io {

namespace fs = std::filesystem;
using detail::format_of;

namespace {

// Far beyond any MRI volume; stops a hostile header from asking for terabytes before any data is read.
constexpr std::uintmax_t kMaxVoxels = std::uintmax_t{1} << 31;

std::string ijk_text(const Geometry& g, std::size_t linear) {
  const std::size_t i = linear % g.size[0];
  const std::size_t j = (linear / g.size[0]) % g.size[1];
  const std::size_t k = linear / (g.size[0] * g.size[1]);
  return "(" + std::to_string(i) + "," + std::to_string(j) + "," + std::to_string(k) + ")";
}

// Header checks shared by every file reader: shape (a series may have any number of volumes), component
// count, size sanity.
void check_header(const itk::ImageIOBase& io, const fs::path& path, bool series) {
  const unsigned dims = io.GetNumberOfDimensions();
  if (dims < 3 || dims > 4 || (!series && dims == 4 && io.GetDimensions(3) != 1)) {
    std::string shape;
    for (unsigned d = 0; d < dims; ++d) shape += (d ? "x" : "") + std::to_string(io.GetDimensions(d));
    throw Error("unsupported image shape", path.string(),
                series ? "a 4D series (or a 3D image)" : "a 3D image (or 4D with one volume)",
                std::to_string(dims) + "D image of size " + shape);
  }
  if (io.GetNumberOfComponents() != 1) {
    throw Error("unsupported pixel type", path.string(), "one component per voxel",
                std::to_string(io.GetNumberOfComponents()) + " components");
  }
  std::uintmax_t voxels = 1;
  for (unsigned d = 0; d < 3; ++d) {
    voxels *= io.GetDimensions(d);
    if (io.GetDimensions(d) == 0 || voxels > kMaxVoxels) {  // per volume
      throw Error("implausible image size in header", path.string(), "1 to 2^31 voxels",
                  std::to_string(io.GetDimensions(0)) + "x" + std::to_string(io.GetDimensions(1)) + "x" +
                      std::to_string(io.GetDimensions(2)));
    }
  }
}

// Missing paths and special files are refused before any reader opens them: a named pipe would block the
// reader forever, a device would stream without end.
void require_exists(const fs::path& path) {
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (!fs::exists(status)) {
    throw Error("image not found", path.string(), "an existing file or DICOM folder",
                "no such file or folder");
  }
  if (!fs::is_regular_file(status) && !fs::is_directory(status))
    throw Error("not a regular file", path.string(), "an image file or a DICOM folder",
                describe_special_file(status.type()));
  // ITK would call an unreadable file "not a valid image".
  if (fs::is_regular_file(status) && ::access(path.c_str(), R_OK) != 0)
    throw Error("cannot open file", path.string(), "a readable file", std::strerror(errno));
}

// What every later stage relies on and ITK's readers pass on unchecked: finite positive spacing, a finite
// origin, and direction cosines that form a rotation (possibly with a flip).
void check_geometry(const Geometry& g, const fs::path& path) {
  std::ostringstream spacing;
  bool spacing_ok = true;
  for (int a = 0; a < 3; ++a) {
    spacing << (a ? " x " : "") << g.spacing_mm[a];
    spacing_ok = spacing_ok && std::isfinite(g.spacing_mm[a]) && g.spacing_mm[a] > 0;
  }
  if (!spacing_ok) {
    throw Error("invalid voxel spacing in header", path.string(),
                "finite and positive spacing (mm) on every axis", spacing.str() + " mm");
  }
  for (int a = 0; a < 3; ++a) {
    if (!std::isfinite(g.origin_mm_lps[a]))
      throw Error("invalid origin in header", path.string(), "finite coordinates", "a non-finite coordinate");
  }
  constexpr double kTolerance = 1e-3;  // on the dot products of the axes: about 0.06 degrees
  double worst = 0;
  for (int a = 0; a < 3; ++a) {
    for (int b = 0; b < 3; ++b) {
      double dot = 0;
      for (int r = 0; r < 3; ++r) dot += g.direction[r][a] * g.direction[r][b];
      const double error = std::abs(dot - (a == b ? 1.0 : 0.0));
      worst = std::isfinite(error) ? std::max(worst, error) : std::numeric_limits<double>::infinity();
    }
  }
  if (worst > kTolerance) {
    std::ostringstream found;
    found << "axes whose dot products are off by up to " << worst;
    throw Error("direction cosines are not orthonormal", path.string(),
                "orthonormal direction cosines (a rotation, possibly with a flip)", found.str());
  }
}

struct OpenedFile {
  itk::ImageIOBase::Pointer io;
  ImageInfo info;
};

OpenedFile open_file(const fs::path& path, bool series = false) {
  const std::string format = format_of(path);
  itk::ImageIOBase::Pointer io = detail::make_image_io(format, path);
  if (format == "nifti") detail::check_nifti_header(path);
  if (!io->CanReadFile(path.string().c_str())) {
    throw Error("not a readable " + format + " file", path.string(), "a valid " + format + " header",
                "unrecognised or damaged content");
  }
  io->SetFileName(path.string());
  try {
    const std::lock_guard<std::mutex> lock(detail::itk_file_io_mutex());
    io->ReadImageInformation();
  } catch (const itk::ExceptionObject& e) {
    detail::throw_itk_error(path, "cannot read image header", e);
  }
  OpenedFile opened{io, {}};
  ImageInfo& info = opened.info;
  info.path = path.string();
  info.format = format;
  info.component_type = detail::component_type_name(io->GetComponentType());
  info.dimensions = io->GetNumberOfDimensions();
  info.file_bytes = fs::file_size(path);
  check_header(*io, path, series);
  for (unsigned c = 0; c < 3; ++c) {
    info.geometry.size[c] = io->GetDimensions(c);
    info.geometry.spacing_mm[c] = io->GetSpacing(c);
    info.geometry.origin_mm_lps[c] = io->GetOrigin(c);
    const std::vector<double> axis = io->GetDirection(c);
    for (unsigned r = 0; r < 3; ++r) info.geometry.direction[r][c] = axis[r];
  }
  check_geometry(info.geometry, path);
  return opened;
}

// Uncompressed MetaImage data shorter than the header says: MetaIO only prints a warning and keeps zeros.
void check_meta_data_length(itk::MetaImageIO& io, const fs::path& path) {
  MetaImage& meta = *io.GetMetaImagePointer();
  if (meta.CompressedData() || meta.HeaderSize() != 0) return;
  const std::string data_file = meta.ElementDataFileName();
  std::uintmax_t available = 0;
  if (data_file == "LOCAL") {
    std::ifstream in(path, std::ios::binary);
    std::string head(64 * 1024, '\0');
    in.read(head.data(), std::streamsize(head.size()));
    const auto key = head.find("ElementDataFile");
    const auto line_end = key == std::string::npos ? std::string::npos : head.find('\n', key);
    if (line_end == std::string::npos) return;
    available = fs::file_size(path) - (line_end + 1);
  } else {
    std::error_code ec;
    const fs::path data_path = path.parent_path() / data_file;
    available = fs::file_size(data_path, ec);
    if (ec) return;  // file lists and patterns: left to MetaIO
  }
  if (available < std::uintmax_t(io.GetImageSizeInBytes())) {
    throw Error("file is shorter than its header says (truncated?)", path.string(),
                std::to_string(io.GetImageSizeInBytes()) + " bytes of voxel data",
                std::to_string(available) + " bytes");
  }
}

// What ITK's readers do not report themselves: short data (NIfTI, MetaImage) and NaN/Inf that NIfTI zeroes.
// Returns the number of NaN/Inf voxels of a NIfTI file (refused unless refuse_non_finite is false).
std::uint64_t check_data(const OpenedFile& opened, const fs::path& path, bool refuse_non_finite = true) {
  std::uint64_t non_finite = 0;
  if (opened.info.format == "nifti")
    non_finite = detail::check_nifti_data(path, opened.info.geometry, refuse_non_finite);
  if (opened.info.format == "meta") check_meta_data_length(static_cast<itk::MetaImageIO&>(*opened.io), path);
  return non_finite;
}

void refuse_non_finite(const ImageF& image, const fs::path& path) {
  std::size_t count = 0, first = 0;
  for (std::size_t n = 0; n < image.voxels.size(); ++n) {
    if (!std::isfinite(image.voxels[n]) && count++ == 0) first = n;
  }
  if (count > 0) {
    throw Error(
        "image contains NaN or infinite voxel values", path.string(), "finite values everywhere",
        std::to_string(count) + " non-finite voxels, first at ijk " + ijk_text(image.geometry, first));
  }
}

template <class T>
Labels labels_from(const Volume<T>& values, const fs::path& path) {
  Labels labels;
  labels.geometry = values.geometry;
  labels.voxels.resize(values.voxels.size());
  for (std::size_t n = 0; n < values.voxels.size(); ++n) {
    const double v = static_cast<double>(values.voxels[n]);
    if (!(v == std::floor(v) && v >= std::numeric_limits<std::int32_t>::min() &&
          v <= std::numeric_limits<std::int32_t>::max())) {
      std::ostringstream found;
      found << "value " << v << " at ijk " << ijk_text(values.geometry, n);
      throw Error("label image has non-integer voxel values", path.string(), "integer labels", found.str());
    }
    labels.voxels[n] = static_cast<std::int32_t>(v);
  }
  return labels;
}

}  // namespace

void detail::check_complete(const fs::path& path) {
  const OpenedFile opened = open_file(path, true);
  check_data(opened, path, false);
}

ImageInfo read_image_info(const fs::path& path, const ReadOptions& options) {
  require_exists(path);
  if (format_of(path) != "dicom") return open_file(path).info;
  ImageInfo info = detail::read_dicom_info(path, options);
  check_geometry(info.geometry, path);
  return info;
}

ImageF read_image(const fs::path& path, const ReadOptions& options) {
  require_exists(path);
  ImageF image;
  if (format_of(path) == "dicom") {
    image = detail::read_dicom_image(path, options);
    check_geometry(image.geometry, path);
  } else {
    OpenedFile opened = open_file(path);
    check_data(opened, path);
    image = detail::read_volume<float>(*opened.io, path);
  }
  refuse_non_finite(image, path);
  return image;
}

std::vector<ImageF> read_image_series(const fs::path& path, const SeriesReadOptions& options,
                                      std::size_t* zeroed) {
  require_exists(path);
  if (format_of(path) == "dicom")
    throw Error("unsupported series format", path.string(), "a 4D NIfTI, NRRD or MetaImage file", "a folder");
  OpenedFile opened = open_file(path, true);
  std::size_t non_finite = check_data(opened, path, !options.non_finite_as_zero);
  const std::size_t volumes = opened.info.dimensions == 4 ? opened.io->GetDimensions(3) : 1;
  if (volumes == 0 || opened.info.geometry.voxel_count() * volumes > kMaxVoxels)
    throw Error(
        "implausible series size in header", path.string(), "1 to 2^31 voxels in all volumes",
        std::to_string(volumes) + " volumes of " + std::to_string(opened.info.geometry.voxel_count()));
  std::vector<ImageF> out;
  if (volumes == 1) {
    out.push_back(detail::read_volume<float>(*opened.io, path));
  } else {
    const std::vector<float> all = detail::read_series_voxels(*opened.io, path);
    const Geometry& g = opened.info.geometry;
    const std::size_t n = g.size[0] * g.size[1] * g.size[2];
    for (std::size_t v = 0; v < volumes; ++v) {
      ImageF image(g, 0.0f);
      std::copy(all.begin() + std::ptrdiff_t(v * n), all.begin() + std::ptrdiff_t((v + 1) * n),
                image.voxels.begin());
      out.push_back(std::move(image));
    }
  }
  for (ImageF& image : out) {
    if (!options.non_finite_as_zero) refuse_non_finite(image, path);
    for (float& v : image.voxels)  // NIfTI: ITK has zeroed them already (counted by check_data)
      if (!std::isfinite(v)) v = 0.0f, ++non_finite;
  }
  if (zeroed) *zeroed = non_finite;
  return out;
}

Labels read_labels(const fs::path& path, const ReadOptions& options) {
  require_exists(path);
  if (format_of(path) == "dicom") {
    ImageF values = detail::read_dicom_image(path, options);
    check_geometry(values.geometry, path);
    return labels_from(values, path);
  }
  OpenedFile opened = open_file(path);
  check_data(opened, path);
  // Doubles hold every int32 exactly, so 0.5 and 2^31 are both caught.
  return labels_from(detail::read_volume<double>(*opened.io, path), path);
}

Mask labels_to_mask(const Labels& labels, const std::vector<std::int32_t>& tumor_labels) {
  Mask mask(labels.geometry, 0);
  for (std::size_t n = 0; n < labels.voxels.size(); ++n) {
    const std::int32_t v = labels.voxels[n];
    const bool in_tumor = tumor_labels.empty()
                              ? v != 0
                              : std::find(tumor_labels.begin(), tumor_labels.end(), v) != tumor_labels.end();
    mask.voxels[n] = in_tumor ? 1 : 0;
  }
  return mask;
}

}  // namespace oncotrack::io
