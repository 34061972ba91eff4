#include <itkImageFileWriter.h>
#include <itkMetaImageIO.h>

#include <algorithm>
#include <cstdint>
#include <mutex>

#include "oncotrack/core/atomic_file.h"
#include "oncotrack/core/error.h"
#include "oncotrack/io/image_io.h"
#include "oncotrack/io/itk_convert.h"

namespace oncotrack::io {

namespace fs = std::filesystem;

namespace {

template <class ImageT>
void write_itk(const typename ImageT::Pointer& image, const fs::path& path) {
  const std::string format = detail::format_of_name(path);
  if (format.empty()) {
    throw Error("unsupported output format", path.string(), ".nii, .nii.gz, .nrrd, .mha or .mhd",
                "'" + path.filename().string() + "'");
  }
  write_atomically(path, [&](const fs::path& tmp) {
    itk::ImageIOBase::Pointer io = detail::make_image_io(format, tmp);
    auto* meta = dynamic_cast<itk::MetaImageIO*>(io.GetPointer());
    if (meta != nullptr && path.extension() == ".mhd") {
      // The header is renamed into place, so it must name the final data file, not the temporary's.
      meta->SetDataFileName(path.stem().string().append(".raw").c_str());
    }
    auto writer = itk::ImageFileWriter<ImageT>::New();
    writer->SetImageIO(io);
    writer->SetFileName(tmp.string());
    writer->SetInput(image);
    writer->SetUseCompression(path.extension() == ".gz");
    try {
      const std::lock_guard<std::mutex> lock(detail::itk_file_io_mutex());
      writer->Update();
    } catch (const itk::ExceptionObject& e) {
      throw WriteError("cannot write image", path.string(), "a writable location", e.GetDescription());
    }
    // nifti1_io and MetaIO only print a failed write (a full disk) and ITK goes on: read the file back before
    // it is renamed into place, so that a short file never takes the final name.
    if (format == "nifti" || format == "meta") {
      try {
        detail::check_complete(tmp);
      } catch (const Error& e) {
        throw WriteError("cannot write image", path.string(), "a writable location with room for the image",
                         "an incomplete file after writing (disk full?): " + e.problem());
      }
    }
  });
}

template <class T>
void write_volume(const Volume<T>& volume, const fs::path& path) {
  write_itk<itk::Image<T, 3>>(detail::itk_from_volume(volume), path);
}

}  // namespace

void write_image(const ImageF& image, const fs::path& path) {
  write_volume(image, path);
}
void write_mask(const Mask& mask, const fs::path& path) {
  write_volume(mask, path);
}
void write_labels(const Labels& labels, const fs::path& path) {
  write_volume(labels, path);
}

void write_image_series(const std::vector<ImageF>& volumes, const fs::path& path) {
  using Image4 = itk::Image<float, 4>;
  if (volumes.empty())
    throw Error("no volume to write", path.string(), "at least one volume", "an empty series");
  const Geometry& g = volumes.front().geometry;
  for (const ImageF& v : volumes)
    if (!compare_geometry(v.geometry, g).within(0, 0))
      throw Error("series volumes differ in geometry", path.string(), describe_geometry(g),
                  describe_geometry(v.geometry));
  Image4::RegionType region;
  Image4::SpacingType spacing;
  Image4::PointType origin;
  Image4::DirectionType direction;
  direction.SetIdentity();
  for (unsigned a = 0; a < 3; ++a) {
    region.SetSize(a, g.size[a]);
    spacing[a] = g.spacing_mm[a];
    origin[a] = g.origin_mm_lps[a];
    for (unsigned b = 0; b < 3; ++b) direction[a][b] = g.direction[a][b];
  }
  region.SetSize(3, volumes.size());
  spacing[3] = 1.0;
  origin[3] = 0.0;
  auto image = Image4::New();
  image->SetRegions(region);
  image->SetSpacing(spacing);
  image->SetOrigin(origin);
  image->SetDirection(direction);
  image->Allocate();
  float* out = image->GetBufferPointer();
  for (const ImageF& v : volumes) out = std::copy(v.voxels.begin(), v.voxels.end(), out);
  write_itk<Image4>(image, path);
}

}  // namespace oncotrack::io
