#include <itkImageFileWriter.h>
#include <itkMetaImageIO.h>

#include <cstdint>

#include "oncotrack/io/itk_convert.h"
#include "oncotrack/core/atomic_file.h"
#include "oncotrack/core/error.h"
#include "oncotrack/io/image_io.h"

namespace oncotrack::io {

namespace fs = std::filesystem;

namespace {

template <class T>
void write_volume(const Volume<T>& volume, const fs::path& path) {
  const std::string format = detail::format_of(path);
  if (format == "dicom" || format.empty()) {
    throw Error("unsupported output format", path.string(), ".nii, .nii.gz, .nrrd, .mha or .mhd",
                "'" + path.filename().string() + "'");
  }
  const auto image = detail::itk_from_volume(volume);
  write_atomically(path, [&](const fs::path& tmp) {
    itk::ImageIOBase::Pointer io = detail::make_image_io(format, tmp);
    auto* meta = dynamic_cast<itk::MetaImageIO*>(io.GetPointer());
    if (meta != nullptr && path.extension() == ".mhd") {
      // The header is renamed into place, so it must name the final data file, not the temporary's.
      meta->SetDataFileName(path.stem().string().append(".raw").c_str());
    }
    auto writer = itk::ImageFileWriter<itk::Image<T, 3>>::New();
    writer->SetImageIO(io);
    writer->SetFileName(tmp.string());
    writer->SetInput(image);
    writer->SetUseCompression(path.extension() == ".gz");
    try {
      writer->Update();
    } catch (const itk::ExceptionObject& e) {
      throw Error("cannot write image", path.string(), "a writable location", e.GetDescription());
    }
  });
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

}  // namespace oncotrack::io
