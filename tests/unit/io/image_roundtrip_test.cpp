// Writers and readers agree: every supported file format keeps size, spacing, origin, an oblique direction
// and the voxel values; labels and masks keep their integer values.
#include <gtest/gtest.h>

#include "oncotrack/core/atomic_file.h"
#include "oncotrack/io/image_io.h"
#include "unit/io/io_test_util.h"

namespace oncotrack::io {
namespace {

using testing::ScratchDir;

class ImageRoundTrip : public ScratchDir, public ::testing::WithParamInterface<const char*> {};

TEST_P(ImageRoundTrip, KeepsObliqueGeometryAndValues) {
  const ImageF image = testing::ramp_image(testing::oblique_geometry());
  const auto path = dir_ / (std::string("image") + GetParam());
  write_image(image, path);

  const ImageF back = read_image(path);
  testing::expect_same_geometry(back.geometry, image.geometry, 1e-6);
  ASSERT_EQ(back.voxels.size(), image.voxels.size());
  for (std::size_t n = 0; n < image.voxels.size(); ++n) ASSERT_EQ(back.voxels[n], image.voxels[n]) << n;

  const ImageInfo info = read_image_info(path);
  EXPECT_EQ(info.component_type, "float32");
  EXPECT_EQ(info.dimensions, 3u);
  EXPECT_GT(info.file_bytes, 0u);
  testing::expect_same_geometry(info.geometry, image.geometry, 1e-6);
  for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
    EXPECT_FALSE(is_temporary_name(entry.path())) << entry.path();
  }
}

TEST_P(ImageRoundTrip, KeepsLabelsAndMasks) {
  const Geometry g = testing::oblique_geometry({4, 3, 2});
  Labels labels(g, 0);
  labels.at(1, 1, 0) = 3;
  labels.at(2, 1, 1) = 70000;  // beyond int16
  labels.at(3, 2, 1) = -2;
  const auto labels_path = dir_ / (std::string("labels") + GetParam());
  write_labels(labels, labels_path);
  const Labels labels_back = read_labels(labels_path);
  testing::expect_same_geometry(labels_back.geometry, g, 1e-6);
  EXPECT_EQ(labels_back.voxels, labels.voxels);
  EXPECT_EQ(read_image_info(labels_path).component_type, "int32");

  const Mask mask = labels_to_mask(labels, {});
  const auto mask_path = dir_ / (std::string("mask") + GetParam());
  write_mask(mask, mask_path);
  EXPECT_EQ(read_labels(mask_path).voxels, std::vector<std::int32_t>(mask.voxels.begin(), mask.voxels.end()));
  EXPECT_EQ(read_image_info(mask_path).component_type, "uint8");
}

INSTANTIATE_TEST_SUITE_P(Formats, ImageRoundTrip,
                         ::testing::Values(".nii", ".nii.gz", ".nrrd", ".mha", ".mhd"),
                         [](const auto& param) {
                           std::string name = param.param + 1;
                           for (auto& c : name) c = c == '.' ? '_' : c;
                           return name;
                         });

TEST(ImageFormats, FormatNamesInInfo) {
  const std::vector<std::pair<std::string, std::string>> cases{
      {".nii.gz", "nifti"}, {".nrrd", "nrrd"}, {".mha", "meta"}};
  const auto dir =
      std::filesystem::temp_directory_path() / ("oncotrack_io_formats_" + std::to_string(::getpid()));
  const ImageF image = testing::ramp_image(testing::oblique_geometry({2, 2, 2}));
  for (const auto& [extension, format] : cases) {
    write_image(image, dir / ("a" + extension));
    EXPECT_EQ(read_image_info(dir / ("a" + extension)).format, format);
  }
  std::filesystem::remove_all(dir);
}

TEST(ImageFormats, NiftiGzIsCompressed) {
  const auto dir = std::filesystem::temp_directory_path() / ("oncotrack_io_gz_" + std::to_string(::getpid()));
  const ImageF zeros(testing::oblique_geometry({32, 32, 32}), 0.0f);
  write_image(zeros, dir / "z.nii.gz");
  EXPECT_LT(std::filesystem::file_size(dir / "z.nii.gz"), 32u * 32 * 32 * 4 / 10);
  std::filesystem::remove_all(dir);
}

TEST(LabelsToMask, SelectsLabels) {
  Geometry g;
  g.size = {5, 1, 1};
  Labels labels(g);
  labels.voxels = {0, 1, 2, 3, 3};
  EXPECT_EQ(labels_to_mask(labels, {}).voxels, (std::vector<std::uint8_t>{0, 1, 1, 1, 1}));
  EXPECT_EQ(labels_to_mask(labels, {3}).voxels, (std::vector<std::uint8_t>{0, 0, 0, 1, 1}));
  EXPECT_EQ(labels_to_mask(labels, {1, 2}).voxels, (std::vector<std::uint8_t>{0, 1, 1, 0, 0}));
  EXPECT_EQ(labels_to_mask(labels, {3}).geometry.size, g.size);
}

}  // namespace
}  // namespace oncotrack::io
