// registration::Transform: parameters, inverse, files, resampling.
#include <gtest/gtest.h>

#include <unistd.h>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "oncotrack/core/error.h"
#include "oncotrack/registration/transform.h"

namespace oncotrack::registration {
namespace {

namespace fs = std::filesystem;

constexpr double kPi = 3.14159265358979323846;

// R = Rz Rx Ry (ITK Euler3D order), angles in degrees.
Mat3 euler_zxy(double x_deg, double y_deg, double z_deg) {
  const double x = x_deg * kPi / 180, y = y_deg * kPi / 180, z = z_deg * kPi / 180;
  const Mat3 rx{{{1, 0, 0}, {0, std::cos(x), -std::sin(x)}, {0, std::sin(x), std::cos(x)}}};
  const Mat3 ry{{{std::cos(y), 0, std::sin(y)}, {0, 1, 0}, {-std::sin(y), 0, std::cos(y)}}};
  const Mat3 rz{{{std::cos(z), -std::sin(z), 0}, {std::sin(z), std::cos(z), 0}, {0, 0, 1}}};
  auto mul = [](const Mat3& a, const Mat3& b) {
    Mat3 c{};
    for (int r = 0; r < 3; ++r)
      for (int k = 0; k < 3; ++k)
        for (int m = 0; m < 3; ++m) c[r][k] += a[r][m] * b[m][k];
    return c;
  };
  return mul(rz, mul(rx, ry));
}

Mat3 scaled_columns(Mat3 m, const Vec3& s) {
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) m[r][c] *= s[c];
  return m;
}

fs::path temp_dir() {
  const auto d = fs::temp_directory_path() / ("oncotrack_transform_test_" + std::to_string(::getpid()));
  fs::create_directories(d);
  return d;
}

TEST(Transform, IdentityByDefault) {
  const Transform t;
  const Vec3 p{12.5, -3, 40};
  const Vec3 q = t.apply(p);
  for (int d = 0; d < 3; ++d) EXPECT_DOUBLE_EQ(q[d], p[d]);
  EXPECT_FALSE(t.deformable());
}

TEST(Transform, ParametersRecoverRotationScaleAndTranslation) {
  const Mat3 m = scaled_columns(euler_zxy(12, -7, 25), {1.05, 0.94, 1.02});
  const Vec3 centre{10, -20, 5}, shift{3, -4, 7.5};
  const Transform t = Transform::affine(m, shift, centre);
  const AffineParameters p = t.parameters();
  EXPECT_NEAR(p.rotation_deg[0], 12, 1e-9);
  EXPECT_NEAR(p.rotation_deg[1], -7, 1e-9);
  EXPECT_NEAR(p.rotation_deg[2], 25, 1e-9);
  EXPECT_NEAR(p.scale[0], 1.05, 1e-12);
  EXPECT_NEAR(p.scale[1], 0.94, 1e-12);
  EXPECT_NEAR(p.scale[2], 1.02, 1e-12);
  for (int d = 0; d < 3; ++d) {
    EXPECT_NEAR(p.shear[d], 0, 1e-12);
    EXPECT_NEAR(p.translation_mm[d], shift[d], 1e-12);
    EXPECT_NEAR(p.center_mm[d], centre[d], 1e-12);
  }
  EXPECT_FALSE(p.reflection);
  // The centre moves by exactly the translation.
  const Vec3 c = t.apply(centre);
  for (int d = 0; d < 3; ++d) EXPECT_NEAR(c[d], centre[d] + shift[d], 1e-12);
}

TEST(Transform, InverseUndoesApply) {
  const Transform t =
      Transform::affine(scaled_columns(euler_zxy(-14, 9, 3), {0.93, 1.07, 1.0}), {20, -5, 1}, {1, 2, 3});
  const Vec3 p{-30, 44, 17};
  const Vec3 back = t.apply_inverse(t.apply(p));
  for (int d = 0; d < 3; ++d) EXPECT_NEAR(back[d], p[d], 1e-10);
}

TEST(Transform, TfmFileRoundTripIsExact) {
  const Transform t = Transform::affine(scaled_columns(euler_zxy(5, 10, -15), {1.01, 0.99, 1.03}),
                                        {1.5, -2.25, 9}, {4, 5, 6});
  const fs::path file = temp_dir() / "t.tfm";
  t.write(file);
  const Transform r = Transform::read(file);
  const Vec3 p{7, -8, 9};
  const Vec3 a = t.apply(p), b = r.apply(p);
  for (int d = 0; d < 3; ++d) EXPECT_NEAR(a[d], b[d], 1e-9);
  fs::remove_all(file.parent_path());
}

TEST(Transform, H5FileRoundTripIsExact) {
  const Transform t = Transform::affine(euler_zxy(0, 0, 30), {0, 0, 10});
  const fs::path file = temp_dir() / "t.h5";
  t.write(file);
  const Transform r = Transform::read(file);
  const Vec3 p{1, 2, 3};
  const Vec3 a = t.apply(p), b = r.apply(p);
  for (int d = 0; d < 3; ++d) EXPECT_NEAR(a[d], b[d], 1e-9);
  fs::remove_all(file.parent_path());
}

TEST(Transform, ReadsTheReferenceItkMatrixOffsetFormat) {
  const fs::path file = temp_dir() / "ref.txt";
  {
    std::ofstream f(file);
    f << "#Insight Transform File V1.0\n#Transform 0\nTransform: MatrixOffsetTransformBase_double_3_3\n"
         "Parameters: 1 0 0 0 1 0 0 0 1 5 -6 7\nFixedParameters: 1 1 1\n";
  }
  const Vec3 q = Transform::read(file).apply({0, 0, 0});
  EXPECT_NEAR(q[0], 5, 1e-12);
  EXPECT_NEAR(q[1], -6, 1e-12);
  EXPECT_NEAR(q[2], 7, 1e-12);
  fs::remove_all(file.parent_path());
}

TEST(Transform, BadFilesAreErrorsNamingThePath) {
  const fs::path dir = temp_dir();
  try {
    Transform().write(dir / "t.xyz");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(e.file().find("t.xyz"), std::string::npos);
  }
  {
    std::ofstream f(dir / "junk.tfm");
    f << "not a transform\n";
  }
  EXPECT_THROW(Transform::read(dir / "junk.tfm"), Error);
  EXPECT_THROW(Transform::read(dir / "missing.tfm"), Error);
  fs::remove_all(dir);
}

Geometry grid(Size3 size, Vec3 spacing, Vec3 origin) {
  Geometry g;
  g.size = size;
  g.spacing_mm = spacing;
  g.origin_mm_lps = origin;
  return g;
}

TEST(Resample, WholeVoxelTranslationShiftsVoxelsExactly) {
  ImageF moving(grid({10, 9, 8}, {2, 2, 3}, {0, 0, 0}));
  for (std::size_t v = 0; v < moving.voxels.size(); ++v) moving.voxels[v] = float(v % 97);
  // Fixed point x shows moving point x + (4, 2, 3) mm = two, one and one voxels further.
  const Transform t = Transform::affine(kIdentity3, {4, 2, 3});
  const ImageF out = resample_image(moving, moving.geometry, t, -1);
  EXPECT_EQ(out.at(0, 0, 0), moving.at(2, 1, 1));
  EXPECT_EQ(out.at(7, 7, 6), moving.at(9, 8, 7));
  EXPECT_EQ(out.at(8, 0, 0), -1);  // maps past the last voxel
}

TEST(Resample, LinearInterpolationIsExactForLinearImages) {
  ImageF moving(grid({12, 12, 12}, {1, 1, 1}, {0, 0, 0}));
  for (std::size_t k = 0; k < 12; ++k)
    for (std::size_t j = 0; j < 12; ++j)
      for (std::size_t i = 0; i < 12; ++i) moving.at(i, j, k) = float(2 * i + 3 * j - k);
  const Transform t = Transform::affine(euler_zxy(0, 0, 10), {0.3, -0.2, 0.4}, {6, 6, 6});
  const Geometry fixed = grid({6, 6, 6}, {1, 1, 1}, {3, 3, 3});
  const ImageF out = resample_image(moving, fixed, t);
  for (std::size_t k = 0; k < 6; ++k)
    for (std::size_t j = 0; j < 6; ++j)
      for (std::size_t i = 0; i < 6; ++i) {
        const Vec3 m = t.apply(fixed.index_to_lps({double(i), double(j), double(k)}));
        EXPECT_NEAR(out.at(i, j, k), 2 * m[0] + 3 * m[1] - m[2], 1e-4);
      }
}

TEST(Resample, MasksStayBinaryAndLabelsKeepTheirValues) {
  Labels labels(grid({8, 8, 8}, {1, 1, 1}, {0, 0, 0}));
  for (std::size_t v = 0; v < labels.voxels.size(); ++v) labels.voxels[v] = std::int32_t(v % 5) * 7;
  const Transform t = Transform::affine(euler_zxy(10, 20, 30), {0.37, 0.41, -0.29}, {4, 4, 4});
  const Labels out = resample_labels(labels, labels.geometry, t);
  for (auto v : out.voxels) EXPECT_EQ(v % 7, 0);
  Mask m(labels.geometry);
  m.at(4, 4, 4) = 1;
  const Mask mo = resample_mask(m, m.geometry, Transform::affine(kIdentity3, {0.4, -0.4, 0.4}));
  std::size_t ones = 0;
  for (auto v : mo.voxels) {
    EXPECT_LE(v, 1);
    ones += v;
  }
  EXPECT_EQ(ones, 1u);
  EXPECT_EQ(mo.at(4, 4, 4), 1);
}

}  // namespace
}  // namespace oncotrack::registration
