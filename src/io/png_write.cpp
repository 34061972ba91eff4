#include <itkImageFileWriter.h>
#include <itkPNGImageIO.h>
#include <itkRGBPixel.h>

#include "oncotrack/core/atomic_file.h"
#include "oncotrack/core/error.h"
#include "oncotrack/io/image_io.h"

namespace oncotrack::io {

void write_png_rgb(const std::vector<std::uint8_t>& rgb, std::size_t width, std::size_t height,
                   const std::filesystem::path& path) {
  if (rgb.size() != width * height * 3 || width == 0 || height == 0)
    throw Error(
        "cannot write picture", path.string(), "width·height·3 bytes, width and height > 0",
        std::to_string(rgb.size()) + " bytes for " + std::to_string(width) + "×" + std::to_string(height));
  using Pixel = itk::RGBPixel<unsigned char>;
  using Picture = itk::Image<Pixel, 2>;
  auto image = Picture::New();
  Picture::RegionType region;
  region.SetSize({{width, height}});
  image->SetRegions(region);
  image->Allocate();
  Pixel* out = image->GetBufferPointer();
  for (std::size_t p = 0; p < width * height; ++p) out[p].Set(rgb[3 * p], rgb[3 * p + 1], rgb[3 * p + 2]);
  write_atomically(path, [&](const std::filesystem::path& tmp) {
    auto writer = itk::ImageFileWriter<Picture>::New();
    writer->SetImageIO(itk::PNGImageIO::New());
    writer->SetFileName(tmp.string());
    writer->SetInput(image);
    try {
      writer->Update();
    } catch (const itk::ExceptionObject& e) {
      throw Error("cannot write picture", path.string(), "a writable location", e.GetDescription());
    }
  });
}

}  // namespace oncotrack::io
