// Multi-measurement DICOM series (CEST / Z-spectra): files of several measurements in one folder, grouped by
// AcquisitionNumber and slice position; gaps, duplicates and mixed geometry are refused with the file named.
#include <gtest/gtest.h>

#include <algorithm>

#include "oncotrack/io/image_io.h"
#include "unit/io/io_test_util.h"

namespace oncotrack::io {
namespace {

namespace fs = std::filesystem;
using testing::expect_error;

constexpr const char* kUid = "1.2.826.0.1.3680043.2.1125.77";

class DicomMeasurements : public testing::ScratchDir {
 protected:
  static ImageF measurement(int m, Size3 size = {6, 5, 3}) {
    Geometry g = testing::oblique_geometry(size);
    g.spacing_mm = {0.98, 0.98, 5.0};
    ImageF image = testing::ramp_image(g);
    for (auto& v : image.voxels) v = 100.0f * static_cast<float>(m) + v;  // each measurement its own values
    return image;
  }
  // Writes measurement m (AcquisitionNumber m) into folder, next to the others.
  void add(const fs::path& folder, int m, const ImageF& image) {
    const fs::path staging = dir_ / ("staging_" + std::to_string(m) + "_" + std::to_string(staged_++));
    DicomWriteOptions options;
    options.series_uid = kUid;
    options.acquisition_number = m;
    options.imaging_frequency_mhz = 123.259;
    write_dicom_series(image, staging, options);
    fs::create_directories(folder);
    for (const auto& entry : fs::directory_iterator(staging))
      fs::rename(entry.path(), folder / entry.path().filename());
    fs::remove(staging);
  }
  void expect_close(const ImageF& back, const ImageF& want) {
    const auto [lo, hi] = std::minmax_element(want.voxels.begin(), want.voxels.end());
    const double step = (double(*hi) - double(*lo)) / 65534.0;
    testing::expect_same_geometry(back.geometry, want.geometry, 1e-4);
    ASSERT_EQ(back.voxels.size(), want.voxels.size());
    for (std::size_t n = 0; n < want.voxels.size(); ++n)
      ASSERT_NEAR(back.voxels[n], want.voxels[n], step * 0.51 + 1e-4);
  }
  int staged_ = 0;
};

TEST_F(DicomMeasurements, GroupsFilesByAcquisitionNumberAndSlice) {
  const fs::path folder = dir_ / "cest";
  for (int m : {3, 1, 2, 4}) add(folder, m, measurement(m));  // written out of order
  const MeasurementSeries s = read_dicom_measurements(folder);
  ASSERT_EQ(s.volumes.size(), 4u);
  EXPECT_EQ(s.acquisition_numbers, (std::vector<long>{1, 2, 3, 4}));
  EXPECT_NEAR(s.imaging_frequency_mhz, 123.259, 1e-9);
  for (int m = 1; m <= 4; ++m) expect_close(s.volumes[std::size_t(m - 1)], measurement(m));
}

TEST_F(DicomMeasurements, AcceptsSingleSliceMeasurements) {
  const fs::path folder = dir_ / "single";
  for (int m = 1; m <= 3; ++m) add(folder, m, measurement(m, {6, 5, 1}));
  const MeasurementSeries s = read_dicom_measurements(folder);
  ASSERT_EQ(s.volumes.size(), 3u);
  EXPECT_EQ(s.volumes[0].geometry.size, (Size3{6, 5, 1}));
  EXPECT_NEAR(s.volumes[0].geometry.spacing_mm[2], 5.0, 1e-9);  // the slice thickness
  expect_close(s.volumes[2], measurement(3, {6, 5, 1}));
}

TEST_F(DicomMeasurements, RefusesAGapInTheAcquisitionNumbers) {
  const fs::path folder = dir_ / "gap";
  for (int m : {1, 2, 5}) add(folder, m, measurement(m));
  expect_error([&] { read_dicom_measurements(folder); },
               {folder.string(), "AcquisitionNumber 3, 4", "from 1 to 5"});
}

TEST_F(DicomMeasurements, RefusesTwoFilesForOneSliceOfOneMeasurement) {
  const fs::path folder = dir_ / "duplicate";
  for (int m = 1; m <= 2; ++m) add(folder, m, measurement(m));
  fs::copy_file(folder / "A0002_IM00002.dcm", folder / "copy_of_A0002_IM00002.dcm");
  expect_error([&] { read_dicom_measurements(folder); },
               {"two DICOM files for one slice", "AcquisitionNumber 2", "A0002_IM00002.dcm"});
}

TEST_F(DicomMeasurements, RefusesAMeasurementWithAnotherGeometry) {
  const fs::path folder = dir_ / "mixed";
  add(folder, 1, measurement(1));
  add(folder, 2, measurement(2, {6, 5, 2}));  // a slice short
  expect_error([&] { read_dicom_measurements(folder); },
               {"different geometries", "AcquisitionNumber 2", "A0002_IM00001.dcm"});
}

TEST_F(DicomMeasurements, RefusesFilesWithoutAcquisitionNumber) {
  const fs::path folder = dir_ / "plain";
  write_dicom_series(measurement(1), folder, kUid);
  expect_error([&] { read_dicom_measurements(folder); }, {"no AcquisitionNumber", "IM00001.dcm"});
}

}  // namespace
}  // namespace oncotrack::io
