// Hostile and broken inputs: each must give oncotrack::Error naming the file and the problem, never a crash.
#include <gtest/gtest.h>

#include <fstream>
#include <limits>

#include "oncotrack/io/image_io.h"
#include "unit/io/io_test_util.h"

namespace oncotrack::io {
namespace {

using testing::expect_error;

class HostileInput : public testing::ScratchDir {
 protected:
  // A MetaImage with an inline header, for shapes the writers refuse to produce.
  std::filesystem::path write_meta(const std::string& name, const std::string& dims, const std::string& sizes,
                                   std::size_t data_bytes) {
    const auto path = dir_ / name;
    testing::write_bytes(path, "ObjectType = Image\nNDims = " + dims +
                                   "\nBinaryData = True\nBinaryDataByteOrderMSB = False\nDimSize = " + sizes +
                                   "\nElementType = MET_FLOAT\nElementDataFile = LOCAL\n" +
                                   std::string(data_bytes, '\0'));
    return path;
  }
  std::filesystem::path write_ramp(const std::string& name, Size3 size = {16, 16, 16}) {
    const auto path = dir_ / name;
    write_image(testing::ramp_image(testing::oblique_geometry(size)), path);
    return path;
  }
};

TEST_F(HostileInput, MissingFile) {
  const auto path = dir_ / "nope.nii.gz";
  expect_error([&] { read_image(path); }, {path.string(), "not found"});
  expect_error([&] { read_image_info(path); }, {path.string(), "not found"});
}

TEST_F(HostileInput, TruncatedNiftiGz) {
  const auto path = write_ramp("cut.nii.gz");
  std::filesystem::resize_file(path, std::filesystem::file_size(path) / 2);
  expect_error([&] { read_image(path); }, {path.string(), "shorter than its header says"});
}

TEST_F(HostileInput, UncompressedFilesShorterThanTheirHeader) {
  for (const char* name : {"short.nii", "short.nrrd", "short.mha"}) {
    const auto path = write_ramp(name);
    std::filesystem::resize_file(path, std::filesystem::file_size(path) - 1000);
    expect_error([&] { read_image(path); }, {path.string()});
  }
  expect_error([&] { read_image(dir_ / "short.nii"); }, {"shorter than its header says"});
  expect_error([&] { read_image(dir_ / "short.mha"); }, {"shorter than its header says"});
}

// Found by fuzz/nifti_fuzzer: a NaN (or negative, or absurd) vox_offset was converted to an integer (undefined
// behaviour) before anything checked it.
TEST_F(HostileInput, NiftiWithAnInvalidVoxOffset) {
  for (const float offset : {std::numeric_limits<float>::quiet_NaN(), -4.0f, 1e30f}) {
    const auto path = write_ramp("offset.nii");
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(108);
    f.write(reinterpret_cast<const char*>(&offset), sizeof offset);
    f.close();
    expect_error([&] { read_image(path); }, {path.string()});
  }
}

TEST_F(HostileInput, NanAndInfVoxels) {
  const Geometry g = testing::oblique_geometry({4, 4, 4});
  for (const float bad : {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity()}) {
    ImageF image(g, 1.0f);
    image.at(1, 2, 3) = bad;
    image.at(3, 3, 3) = -bad;
    const auto path = dir_ / "bad.nii.gz";
    write_image(image, path);
    expect_error([&] { read_image(path); },
                 {path.string(), "NaN or infinite", "2 non-finite voxels", "first at ijk (1,2,3)"});
  }
}

TEST_F(HostileInput, MaskedSeriesMayHaveItsNanVoxelsZeroedOnRequest) {
  const Geometry g = testing::oblique_geometry({4, 4, 4});
  ImageF image(g, 1.0f);
  image.at(1, 2, 3) = std::numeric_limits<float>::quiet_NaN();
  image.at(3, 3, 3) = -std::numeric_limits<float>::infinity();
  for (const char* name : {"masked.nii.gz", "masked.mha"}) {
    const auto path = dir_ / name;
    write_image(image, path);
    expect_error([&] { read_image_series(path); }, {path.string(), "NaN or infinite"});
    std::size_t zeroed = 99;
    const std::vector<ImageF> series = read_image_series(path, {true}, &zeroed);
    ASSERT_EQ(series.size(), 1u);
    EXPECT_EQ(zeroed, 2u) << name;
    EXPECT_EQ(series[0].at(1, 2, 3), 0.0f);
    EXPECT_EQ(series[0].at(3, 3, 3), 0.0f);
    EXPECT_EQ(series[0].at(0, 0, 0), 1.0f);
  }
}

TEST_F(HostileInput, TwoDimensionalImage) {
  const auto path = write_meta("flat.mha", "2", "4 3", 4 * 3 * 4);
  expect_error([&] { read_image(path); }, {path.string(), "unsupported image shape", "2D image of size 4x3"});
  expect_error([&] { read_image_info(path); }, {"2D image"});
}

TEST_F(HostileInput, TrueFourDimensionalImageRefusedSingleVolumeAccepted) {
  const auto series = write_meta("series.mha", "4", "2 2 2 3", 2 * 2 * 2 * 3 * 4);
  expect_error([&] { read_image(series); },
               {series.string(), "unsupported image shape", "4D image of size 2x2x2x3"});
  const auto single = write_meta("single.mha", "4", "2 2 2 1", 2 * 2 * 2 * 4);
  const ImageF image = read_image(single);
  EXPECT_EQ(image.geometry.size, (Size3{2, 2, 2}));
  EXPECT_EQ(read_image_info(single).dimensions, 4u);
}

TEST_F(HostileInput, SeriesReadsEveryVolumeAndRefusesBadShapes) {
  std::string data;
  for (int v = 0; v < 3; ++v)
    for (int n = 0; n < 8; ++n) {
      const float x = static_cast<float>(100 * v + n);
      data.append(reinterpret_cast<const char*>(&x), sizeof x);
    }
  const auto path = dir_ / "series.mha";
  testing::write_bytes(path,
                       "ObjectType = Image\nNDims = 4\nBinaryData = True\nBinaryDataByteOrderMSB = False\n"
                       "DimSize = 2 2 2 3\nElementSpacing = 0.5 0.5 2 1\nElementType = MET_FLOAT\n"
                       "ElementDataFile = LOCAL\n" +
                           data);
  const std::vector<ImageF> series = read_image_series(path);
  ASSERT_EQ(series.size(), 3u);
  EXPECT_EQ(series[2].geometry.size, (Size3{2, 2, 2}));
  EXPECT_DOUBLE_EQ(series[2].geometry.spacing_mm[2], 2.0);
  EXPECT_EQ(series[0].voxels[5], 5.0f);
  EXPECT_EQ(series[2].voxels[7], 207.0f);
  EXPECT_EQ(read_image_series(write_ramp("one.nii.gz", {3, 3, 3})).size(), 1u);
  const auto flat = write_meta("flat.mha", "2", "4 3", 4 * 3 * 4);
  expect_error([&] { read_image_series(flat); }, {flat.string(), "a 4D series", "2D image of size 4x3"});
  const auto short_series = write_meta("short.mha", "4", "2 2 2 3", 2 * 2 * 2 * 2 * 4);
  expect_error([&] { read_image_series(short_series); }, {short_series.string(), "shorter than its header"});
}

TEST_F(HostileInput, NonIntegerLabels) {
  ImageF image(testing::oblique_geometry({3, 3, 3}), 1.0f);
  image.at(2, 1, 0) = 0.5f;
  const auto path = dir_ / "labels.nii.gz";
  write_image(image, path);
  expect_error([&] { read_labels(path); }, {path.string(), "non-integer", "0.5", "(2,1,0)"});
}

TEST_F(HostileInput, UnsupportedExtensionAndGarbage) {
  const auto text = dir_ / "notes.txt";
  testing::write_bytes(text, "hello");
  expect_error([&] { read_image(text); }, {text.string(), "unsupported image format", ".txt"});
  for (const char* name : {"garbage.nii", "garbage.nii.gz", "garbage.nrrd", "garbage.mha"}) {
    const auto path = dir_ / name;
    testing::write_bytes(path, std::string(2000, 'x'));
    expect_error([&] { read_image(path); }, {path.string()});
  }
  expect_error(
      [&] {
        write_image(ImageF(testing::oblique_geometry({2, 2, 2})), dir_ / "out.png");
      },
      {"unsupported output format"});
}

}  // namespace
}  // namespace oncotrack::io
