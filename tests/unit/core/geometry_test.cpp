#include "oncotrack/core/geometry.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "oncotrack/core/atomic_file.h"
#include "oncotrack/core/error.h"

namespace oncotrack {

TEST(Geometry, IndexToLpsAppliesSpacingDirectionAndOrigin) {
  Geometry g;
  g.size = {4, 5, 6};
  g.spacing_mm = {0.5, 2.0, 3.0};
  g.origin_mm_lps = {10, 20, 30};
  g.direction = Mat3{{{0, -1, 0}, {1, 0, 0}, {0, 0, 1}}};  // i -> +P, j -> -L
  const Vec3 p = g.index_to_lps({2, 1, 1});
  EXPECT_DOUBLE_EQ(p[0], 10 - 2.0);
  EXPECT_DOUBLE_EQ(p[1], 20 + 1.0);
  EXPECT_DOUBLE_EQ(p[2], 30 + 3.0);
  EXPECT_DOUBLE_EQ(g.voxel_volume_ml(), 0.5 * 2 * 3 / 1000.0);
  EXPECT_EQ(g.axial_axis(), 2);
}

TEST(Geometry, LpsToIndexInvertsIndexToLpsOnObliqueGrids) {
  Geometry g;
  g.spacing_mm = {0.7, 1.3, 2.9};
  g.origin_mm_lps = {-12, 40.5, 3};
  const double a = 0.4, b = 0.25;  // rotation about S then about L
  g.direction = Mat3{{{std::cos(a), -std::sin(a) * std::cos(b), std::sin(a) * std::sin(b)},
                      {std::sin(a), std::cos(a) * std::cos(b), -std::cos(a) * std::sin(b)},
                      {0, std::sin(b), std::cos(b)}}};
  const Vec3 ijk{3.25, -1.5, 7};
  const Vec3 back = g.lps_to_index(g.index_to_lps(ijk));
  for (int a_ = 0; a_ < 3; ++a_) EXPECT_NEAR(back[a_], ijk[a_], 1e-12);
}

TEST(Geometry, AxialAxisOfSagittalGrid) {
  Geometry g;
  g.direction = Mat3{{{0, 0, 1}, {1, 0, 0}, {0, -1, 0}}};  // sagittal: j runs inferior
  EXPECT_EQ(g.axial_axis(), 1);
}

TEST(Geometry, CompareReportsLargestDeltas) {
  Geometry a, b;
  a.size = b.size = {2, 2, 2};
  b.origin_mm_lps[1] = 0.25;
  b.spacing_mm[2] = 1.5;
  const GeometryDelta d = compare_geometry(a, b);
  EXPECT_TRUE(d.same_size);
  EXPECT_DOUBLE_EQ(d.origin_mm, 0.25);
  EXPECT_DOUBLE_EQ(d.spacing_mm, 0.5);
  EXPECT_FALSE(d.within(0.1, 1e-3));
  EXPECT_TRUE(d.within(0.5, 1e-3));
}

TEST(Error, MessageNamesFileExpectedFoundAndContext) {
  Error e("mask geometry does not match image", "m.nii.gz", "origin (0,0,0)", "origin (1,0,0)");
  e.add_context("while reading the mask of sub-01 ses-2");
  const std::string w = e.what();
  EXPECT_NE(w.find("m.nii.gz: mask geometry"), std::string::npos);
  EXPECT_NE(w.find("expected origin (0,0,0), found origin (1,0,0)"), std::string::npos);
  EXPECT_NE(w.find("while reading the mask of sub-01 ses-2"), std::string::npos);
}

TEST(AtomicFile, FailedWriteLeavesOldFileAndNoTemporary) {
  const auto dir = std::filesystem::temp_directory_path() / "oncotrack_atomic_test";
  std::filesystem::remove_all(dir);
  const auto path = dir / "report.json";
  write_text_atomically(path, "old");
  EXPECT_THROW(write_atomically(path,
                                [](const std::filesystem::path& tmp) {
                                  write_text_atomically(tmp, "half");
                                  throw Error("simulated failure");
                                }),
               Error);
  std::ifstream in(path);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(content, "old");
  for (const auto& e : std::filesystem::directory_iterator(dir)) EXPECT_FALSE(is_temporary_name(e.path()));
  std::filesystem::remove_all(dir);
}

}  // namespace oncotrack
