#include "oncotrack/io/itk_convert.h"

#include <itkImageFileReader.h>
#include <itkMetaImageIO.h>
#include <itkNiftiImageIO.h>
#include <itkNrrdImageIO.h>

#include <algorithm>
#include <cctype>
#include <cstdint>

#include "oncotrack/core/error.h"

namespace oncotrack::io::detail {

namespace fs = std::filesystem;

namespace {
bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
}  // namespace

std::string format_of(const fs::path& path) {
  std::error_code ec;
  return fs::is_directory(path, ec) ? "dicom" : format_of_name(path);
}

std::string format_of_name(const fs::path& path) {
  std::string name = path.filename().string();
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  if (ends_with(name, ".nii") || ends_with(name, ".nii.gz")) return "nifti";
  if (ends_with(name, ".nrrd") || ends_with(name, ".nhdr")) return "nrrd";
  if (ends_with(name, ".mha") || ends_with(name, ".mhd")) return "meta";
  return "";
}

itk::ImageIOBase::Pointer make_image_io(const std::string& format, const fs::path& path) {
  if (format == "nifti") return itk::NiftiImageIO::New().GetPointer();
  if (format == "nrrd") return itk::NrrdImageIO::New().GetPointer();
  if (format == "meta") return itk::MetaImageIO::New().GetPointer();
  throw Error("unsupported image format", path.string(), kSupportedFormats,
              "'" + path.extension().string() + "'");
}

std::string component_type_name(itk::IOComponentEnum type) {
  using C = itk::IOComponentEnum;
  switch (type) {
    case C::UCHAR:
      return "uint8";
    case C::CHAR:
      return "int8";
    case C::USHORT:
      return "uint16";
    case C::SHORT:
      return "int16";
    case C::UINT:
      return "uint32";
    case C::INT:
      return "int32";
    case C::ULONG:
      return sizeof(unsigned long) == 8 ? "uint64" : "uint32";
    case C::LONG:
      return sizeof(long) == 8 ? "int64" : "int32";
    case C::ULONGLONG:
      return "uint64";
    case C::LONGLONG:
      return "int64";
    case C::FLOAT:
      return "float32";
    case C::DOUBLE:
      return "float64";
    default:
      return "unknown";
  }
}

void throw_itk_error(const fs::path& path, const std::string& problem, const itk::ExceptionObject& e) {
  throw Error(problem, path.string(), "a complete, readable image file", e.GetDescription());
}

Geometry geometry_from_itk(const itk::ImageBase<3>& image) {
  Geometry g;
  const auto size = image.GetLargestPossibleRegion().GetSize();
  for (unsigned c = 0; c < 3; ++c) {
    g.size[c] = size[c];
    g.spacing_mm[c] = image.GetSpacing()[c];
    g.origin_mm_lps[c] = image.GetOrigin()[c];
    for (unsigned r = 0; r < 3; ++r) g.direction[r][c] = image.GetDirection()(r, c);
  }
  return g;
}

void set_itk_geometry(const Geometry& geometry, itk::ImageBase<3>& image) {
  itk::ImageRegion<3> region;
  itk::ImageBase<3>::SpacingType spacing;
  itk::ImageBase<3>::PointType origin;
  itk::ImageBase<3>::DirectionType direction;
  for (unsigned c = 0; c < 3; ++c) {
    region.SetSize(c, geometry.size[c]);
    spacing[c] = geometry.spacing_mm[c];
    origin[c] = geometry.origin_mm_lps[c];
    for (unsigned r = 0; r < 3; ++r) direction(r, c) = geometry.direction[r][c];
  }
  image.SetRegions(region);
  image.SetSpacing(spacing);
  image.SetOrigin(origin);
  image.SetDirection(direction);
}

template <class T>
typename itk::Image<T, 3>::Pointer itk_from_volume(const Volume<T>& volume) {
  ONCOTRACK_ASSERT(volume.voxels.size() == volume.geometry.voxel_count(),
                   "volume buffer does not match geometry");
  auto image = itk::Image<T, 3>::New();
  set_itk_geometry(volume.geometry, *image);
  image->Allocate();
  std::copy(volume.voxels.begin(), volume.voxels.end(), image->GetBufferPointer());
  return image;
}

template <class T>
Volume<T> volume_from_itk(const itk::Image<T, 3>& image) {
  Volume<T> volume;
  volume.geometry = geometry_from_itk(image);
  const T* begin = image.GetBufferPointer();
  volume.voxels.assign(begin, begin + volume.geometry.voxel_count());
  return volume;
}

namespace {

// The whole file through io as an ITK image of the given type.
template <class Image>
typename Image::Pointer read_itk(itk::ImageIOBase& io, const fs::path& path) {
  auto reader = itk::ImageFileReader<Image>::New();
  reader->SetImageIO(&io);
  reader->SetFileName(path.string());
  try {
    const std::lock_guard<std::mutex> lock(itk_file_io_mutex());
    reader->Update();
  } catch (const itk::ExceptionObject& e) {
    throw_itk_error(path, "cannot read image voxels (truncated or corrupt file?)", e);
  }
  return reader->GetOutput();
}

}  // namespace

template <class T>
Volume<T> read_volume(itk::ImageIOBase& io, const fs::path& path) {
  return volume_from_itk<T>(*read_itk<itk::Image<T, 3>>(io, path));
}

std::mutex& itk_file_io_mutex() {
  static std::mutex m;
  return m;
}

std::vector<float> read_series_voxels(itk::ImageIOBase& io, const fs::path& path) {
  const auto image = read_itk<itk::Image<float, 4>>(io, path);
  const auto n = image->GetLargestPossibleRegion().GetNumberOfPixels();
  return std::vector<float>(image->GetBufferPointer(), image->GetBufferPointer() + n);
}

template itk::Image<float, 3>::Pointer itk_from_volume(const Volume<float>&);
template itk::Image<std::uint8_t, 3>::Pointer itk_from_volume(const Volume<std::uint8_t>&);
template itk::Image<std::int32_t, 3>::Pointer itk_from_volume(const Volume<std::int32_t>&);
template Volume<float> volume_from_itk(const itk::Image<float, 3>&);
template Volume<double> volume_from_itk(const itk::Image<double, 3>&);
template Volume<float> read_volume(itk::ImageIOBase&, const fs::path&);
template Volume<double> read_volume(itk::ImageIOBase&, const fs::path&);

}  // namespace oncotrack::io::detail
