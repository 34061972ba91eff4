#include <itkGDCMImageIO.h>
#include <itkImageSeriesWriter.h>
#include <itkMetaDataObject.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <initializer_list>
#include <mutex>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "dicom_gdcm.h"
#include "oncotrack/core/error.h"
#include "oncotrack/io/image_io.h"
#include "oncotrack/io/itk_convert.h"

namespace oncotrack::io {

namespace fs = std::filesystem;

namespace {

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

void write_dicom_series(const ImageF& image, const fs::path& folder, const DicomWriteOptions& options) {
  detail::configure_gdcm();
  const Geometry& g = image.geometry;
  const auto [min_it, max_it] = std::minmax_element(image.voxels.begin(), image.voxels.end());
  ONCOTRACK_ASSERT(min_it != image.voxels.end() && std::isfinite(*min_it) && std::isfinite(*max_it),
                   "write_dicom_series needs a non-empty finite image");
  // Stored int16 s in [-32767, 32767] maps linearly onto [min, max]: value = slope * s + intercept.
  const double intercept = (double(*min_it) + double(*max_it)) / 2;
  const double slope = *max_it > *min_it ? (double(*max_it) - double(*min_it)) / 65534.0 : 1.0;

  const std::string series = options.series_uid.empty() ? make_uid() : options.series_uid;
  const std::string study = make_uid();
  const std::string frame_of_reference = make_uid();
  std::vector<itk::MetaDataDictionary> dictionaries(g.size[2]);
  std::vector<std::string> names;
  const fs::path tmp_folder =
      folder.parent_path() / (".tmp-" + std::to_string(::getpid()) + "-" + folder.filename().string());
  for (std::size_t k = 0; k < g.size[2]; ++k) {
    const Vec3 ipp = g.index_to_lps({0, 0, double(k)});
    std::vector<std::pair<const char*, std::string>> tags{
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
    if (options.acquisition_number >= 0)
      tags.emplace_back("0020|0012", std::to_string(options.acquisition_number));
    if (options.imaging_frequency_mhz > 0)
      tags.emplace_back("0018|0084", decimal_string(options.imaging_frequency_mhz));
    for (const auto& [key, value] : tags) itk::EncapsulateMetaData<std::string>(dictionaries[k], key, value);
    char name[48];
    if (options.acquisition_number >= 0)
      std::snprintf(name, sizeof name, "A%04ld_IM%05zu.dcm", options.acquisition_number, k + 1);
    else
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
    {
      const std::lock_guard<std::mutex> lock(detail::itk_file_io_mutex());
      writer->Update();
    }
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
