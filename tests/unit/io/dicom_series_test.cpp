// DICOM series written by write_dicom_series read back with their geometry (oblique, anisotropic) and values
// within the int16 quantisation step; folders that do not hold exactly one evenly spaced series are refused.
#include <gtest/gtest.h>
#include <itkGDCMImageIO.h>
#include <itkImage.h>
#include <itkImageFileWriter.h>

#include <algorithm>
#include <cstdint>

#include "oncotrack/io/image_io.h"
#include "unit/io/io_test_util.h"

namespace oncotrack::io {
namespace {

using testing::expect_error;

class DicomSeries : public testing::ScratchDir {
 protected:
  static ImageF sample(Size3 size = {8, 6, 5}) {
    Geometry g = testing::oblique_geometry(size);
    g.spacing_mm = {0.859375, 0.7, 4.5};
    ImageF image = testing::ramp_image(g);
    for (auto& v : image.voxels) v = v * 3.7f - 50.0f;
    return image;
  }
};

TEST_F(DicomSeries, RoundTripKeepsGeometryAndValues) {
  const ImageF image = sample();
  const auto folder = dir_ / "series";
  write_dicom_series(image, folder, "1.2.826.0.1.3680043.2.1125.42");

  const ImageF back = read_image(folder);
  testing::expect_same_geometry(back.geometry, image.geometry, 1e-4);
  const auto [lo, hi] = std::minmax_element(image.voxels.begin(), image.voxels.end());
  const double step = (double(*hi) - double(*lo)) / 65534.0;
  ASSERT_EQ(back.voxels.size(), image.voxels.size());
  for (std::size_t n = 0; n < image.voxels.size(); ++n) {
    ASSERT_NEAR(back.voxels[n], image.voxels[n], step * 0.51 + 1e-4) << n;
  }

  const ImageInfo info = read_image_info(folder);
  EXPECT_EQ(info.format, "dicom");
  EXPECT_EQ(info.component_type, "int16");
  EXPECT_EQ(info.dimensions, 3u);
  testing::expect_same_geometry(info.geometry, image.geometry, 1e-4);

  const auto series = list_dicom_series(folder);
  ASSERT_EQ(series.size(), 1u);
  EXPECT_EQ(series[0].uid, "1.2.826.0.1.3680043.2.1125.42");
  EXPECT_EQ(series[0].file_count, 5u);
}

TEST_F(DicomSeries, TwoSeriesNeedAUid) {
  const ImageF first = sample({4, 4, 3});
  ImageF second = sample({4, 4, 4});
  second.geometry.origin_mm_lps[0] += 100;
  write_dicom_series(first, dir_ / "a", "1.2.3.4.1");
  write_dicom_series(second, dir_ / "b", "1.2.3.4.2");
  const auto mixed = dir_ / "mixed";
  std::filesystem::create_directories(mixed);
  for (const char* sub : {"a", "b"}) {
    for (const auto& entry : std::filesystem::directory_iterator(dir_ / sub)) {
      std::filesystem::copy_file(entry.path(), mixed / (std::string(sub) + entry.path().filename().string()));
    }
  }
  testing::write_bytes(mixed / "README.txt", "not DICOM");

  EXPECT_EQ(list_dicom_series(mixed).size(), 2u);
  expect_error([&] { read_image(mixed); },
               {mixed.string(), "several DICOM series", "1.2.3.4.1", "1.2.3.4.2"});
  const ImageF chosen = read_image(mixed, ReadOptions{"1.2.3.4.2"});
  testing::expect_same_geometry(chosen.geometry, second.geometry, 1e-4);
  expect_error([&] { read_image(mixed, ReadOptions{"9.9.9"}); }, {"not found", "9.9.9", "1.2.3.4.1"});
}

TEST_F(DicomSeries, MissingMiddleSliceIsUnevenSpacing) {
  const auto folder = dir_ / "gap";
  write_dicom_series(sample({4, 4, 6}), folder);
  std::filesystem::remove(folder / "IM00003.dcm");
  expect_error([&] { read_image(folder); }, {folder.string(), "not evenly spaced", "from 4.5 to 9 mm"});
}

TEST_F(DicomSeries, SingleSliceAndEmptyFolderRefused) {
  const auto single = dir_ / "single";
  write_dicom_series(sample({4, 4, 1}), single);
  expect_error([&] { read_image(single); }, {single.string(), "single slice"});
  const auto empty = dir_ / "empty";
  std::filesystem::create_directories(empty);
  EXPECT_TRUE(list_dicom_series(empty).empty());
  expect_error([&] { read_image(empty); }, {empty.string(), "no DICOM series"});
}

TEST_F(DicomSeries, MultiFrameFileRefused) {
  // ITK writes a 3D image given one .dcm name as a single multi-frame file (unsigned: GDCM refuses signed
  // multi-frame secondary capture).
  using Image = itk::Image<std::uint16_t, 3>;
  auto image = Image::New();
  Image::SizeType size;
  size[0] = 4;
  size[1] = 5;
  size[2] = 3;
  image->SetRegions(size);
  image->Allocate();
  image->FillBuffer(7);
  const auto folder = dir_ / "multiframe";
  std::filesystem::create_directories(folder);
  auto writer = itk::ImageFileWriter<Image>::New();
  writer->SetImageIO(itk::GDCMImageIO::New());
  writer->SetInput(image);
  writer->SetFileName((folder / "volume.dcm").string());
  writer->Update();

  const std::string file = (folder / "volume.dcm").string();
  expect_error([&] { read_image(folder); },
               {file, "multi-frame DICOM not supported", "a series of single-frame slices", "3 frames"});
  expect_error([&] { read_image_info(folder); }, {file, "multi-frame DICOM not supported", "3 frames"});
  ASSERT_EQ(list_dicom_series(folder).size(), 1u);
}

TEST_F(DicomSeries, TruncatedMiddleSliceNamed) {
  const auto source = dir_ / "whole";
  write_dicom_series(sample({4, 4, 6}), source);
  const auto size = std::filesystem::file_size(source / "IM00003.dcm");
  // Cut before "DICM" (no longer DICOM: the gap names it), inside the file meta header (where Debian's GDCM
  // would abort on an assertion), inside the data set and inside the pixel data.
  for (const std::uintmax_t cut : {std::uintmax_t{100}, std::uintmax_t{150}, size / 2, size - 10}) {
    SCOPED_TRACE("cut at " + std::to_string(cut) + " of " + std::to_string(size) + " bytes");
    const auto folder = dir_ / ("cut" + std::to_string(cut));
    std::filesystem::copy(source, folder);
    std::filesystem::resize_file(folder / "IM00003.dcm", cut);
    ::testing::internal::CaptureStderr();
    if (cut < 132) {
      expect_error([&] { read_image(folder); }, {"not evenly spaced", "Not DICOM, skipped: IM00003.dcm"});
    } else {
      expect_error([&] { read_image(folder); }, {(folder / "IM00003.dcm").string(), "truncated"});
      expect_error([&] { read_image_info(folder); }, {(folder / "IM00003.dcm").string(), "truncated"});
    }
    EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");  // GDCM prints nothing
  }
}

}  // namespace
}  // namespace oncotrack::io
