// Hostile image headers and paths: sizes that overflow, spacing that is zero, negative or NaN, directions
// that are not a rotation, and paths that are not regular files. Each must give oncotrack::Error naming the
// file and the problem, before any voxel memory is allocated and without blocking.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstring>
#include <fstream>
#include <limits>

#include "oncotrack/io/image_io.h"
#include "unit/io/io_test_util.h"

namespace oncotrack::io {
namespace {

using testing::expect_error;

class HostileHeader : public testing::ScratchDir {
 protected:
  // An NRRD file with a raw float payload of the right length for `sizes` (unless the sizes are absurd).
  std::filesystem::path write_nrrd(const std::string& name, const std::string& sizes,
                                   const std::string& directions, std::size_t voxels) {
    const auto path = dir_ / name;
    testing::write_bytes(
        path, "NRRD0004\ntype: float\ndimension: 3\nspace: left-posterior-superior\nsizes: " + sizes +
                  "\nspace directions: " + directions +
                  "\nendian: little\nencoding: raw\nspace origin: (0,0,0)\n\n" +
                  std::string(voxels * 4, '\0'));
    return path;
  }
  std::filesystem::path write_meta(const std::string& name, const std::string& sizes,
                                   const std::string& spacing, const std::string& matrix,
                                   std::size_t voxels) {
    const auto path = dir_ / name;
    testing::write_bytes(path,
                         "ObjectType = Image\nNDims = 3\nBinaryData = True\nBinaryDataByteOrderMSB = False\n"
                         "TransformMatrix = " +
                             matrix + "\nOffset = 0 0 0\nElementSpacing = " + spacing +
                             "\nDimSize = " + sizes + "\nElementType = MET_FLOAT\nElementDataFile = LOCAL\n" +
                             std::string(voxels * 4, '\0'));
    return path;
  }
  // An uncompressed NIfTI-1 of 4x4x4 voxels (written by oncotrack) with some header bytes replaced.
  template <class T>
  std::filesystem::path patched_nifti(const std::string& name, std::size_t offset,
                                      std::initializer_list<T> values) {
    const auto path = dir_ / name;
    write_image(ImageF(testing::oblique_geometry({4, 4, 4}), 1.0f), path);
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(std::streamoff(offset));
    for (const T v : values) f.write(reinterpret_cast<const char*>(&v), sizeof v);
    return path;
  }
  static void expect_refused(const std::filesystem::path& path,
                             std::initializer_list<std::string> fragments) {
    expect_error([&] { read_image_info(path); }, fragments);
    expect_error([&] { read_image(path); }, fragments);
    expect_error([&] { read_labels(path); }, fragments);
  }
};

constexpr const char* kIdentity = "(1,0,0) (0,1,0) (0,0,1)";

TEST_F(HostileHeader, SizesThatOverflowAreRefusedBeforeAnyAllocation) {
  expect_refused(write_nrrd("huge.nrrd", "65535 65535 65535", kIdentity, 0),
                 {"huge.nrrd", "implausible image size", "65535x65535x65535"});
  expect_refused(write_meta("huge.mha", "65535 65535 65535", "1 1 1", "1 0 0 0 1 0 0 0 1", 0),
                 {"huge.mha", "implausible image size", "65535x65535x65535"});
  // NIfTI-1 stores dimensions as int16: 32767 is its largest.
  expect_refused(patched_nifti<std::int16_t>("huge.nii", 42, {32767, 32767, 32767}),
                 {"huge.nii", "implausible image size", "32767x32767x32767"});
  // The product overflows 64 bits if multiplied carelessly: 2^21 per axis.
  expect_refused(write_nrrd("wrap.nrrd", "2097152 2097152 2097152", kIdentity, 0),
                 {"wrap.nrrd", "implausible"});
}

TEST_F(HostileHeader, ZeroNegativeOrNanSpacingIsRefused) {
  for (const char* bad : {"0", "-1"}) {
    const auto meta =
        write_meta("spacing.mha", "2 2 2", std::string("1 ") + bad + " 1", "1 0 0 0 1 0 0 0 1", 8);
    expect_refused(
        meta, {meta.string(), "invalid voxel spacing", "finite and positive", "1 x " + std::string(bad)});
  }
  // MetaIO itself cannot parse a NaN spacing.
  const auto meta = write_meta("spacing.mha", "2 2 2", "1 nan 1", "1 0 0 0 1 0 0 0 1", 8);
  expect_refused(meta, {meta.string(), "cannot read image header"});
  for (const float bad : {0.0f, -1.0f, std::numeric_limits<float>::quiet_NaN()}) {
    // nifti1_io would read 0 and NaN as 1 mm: the raw header is checked first.
    const auto nifti = patched_nifti<float>("spacing.nii", 84, {bad});  // pixdim[2]
    expect_refused(nifti, {nifti.string(), "invalid voxel spacing", "finite and positive", "pixdim[2]"});
  }
  for (const char* directions : {"(0,0,0) (0,1,0) (0,0,1)", "(1,0,0) (0,nan,0) (0,0,1)"}) {
    const auto nrrd = write_nrrd("spacing.nrrd", "2 2 2", directions, 8);
    expect_error([&] { read_image(nrrd); }, {nrrd.string()});
  }
}

TEST_F(HostileHeader, DirectionsThatAreNotARotationAreRefused) {
  // Sheared axes (45° between the first two) and a repeated axis.
  const auto nrrd = write_nrrd("shear.nrrd", "2 2 2", "(1,0,0) (1,1,0) (0,0,1)", 8);
  expect_refused(nrrd, {nrrd.string(), "direction", "orthonormal"});
  const auto meta = write_meta("shear.mha", "2 2 2", "1 1 1", "1 0 0 1 0 0 0 0 1", 8);
  expect_refused(meta, {meta.string(), "direction"});
  // NIfTI: an sform with a shear and no qform.
  const auto nifti = patched_nifti<float>("shear.nii", 280, {1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0});
  std::fstream f(nifti, std::ios::in | std::ios::out | std::ios::binary);
  const std::int16_t codes[2] = {0, 2};  // qform_code, sform_code
  f.seekp(252);
  f.write(reinterpret_cast<const char*>(codes), sizeof codes);
  f.close();
  expect_error([&] { read_image(nifti); }, {nifti.string()});
}

TEST_F(HostileHeader, PathsThatAreNotRegularFilesFailWithoutBlocking) {
  // A named pipe: opening it for reading would wait forever for a writer.
  const auto fifo = dir_ / "pipe.nii.gz";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0) << std::strerror(errno);
  expect_refused(fifo, {fifo.string(), "not a regular file", "a named pipe"});
  // A character device named like an image (a folder would be read as DICOM, whose scan skips such entries).
  const auto device = dir_ / "null.nrrd";
  std::filesystem::create_symlink("/dev/null", device);
  expect_refused(device, {device.string(), "not a regular file", "a character device"});
}

}  // namespace
}  // namespace oncotrack::io
