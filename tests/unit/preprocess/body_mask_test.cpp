// body_mask on a synthetic head (scalp, dark skull, brain, dark ventricles, a separate bright object, noise)
// and on the Colin27 brain shipped by Debian's mricron-data.
#include "oncotrack/preprocess/body_mask.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "oncotrack/core/error.h"
#include "oncotrack/io/image_io.h"
#include "test_volumes.h"

namespace oncotrack::preprocess {
namespace {

// Ellipsoid "distance": < 1 inside.
double ellipsoid(const Vec3& p, const Vec3& centre, const Vec3& radii) {
  double s = 0;
  for (int a = 0; a < 3; ++a) s += (p[a] - centre[a]) * (p[a] - centre[a]) / (radii[a] * radii[a]);
  return s;
}

struct Head {
  ImageF image;
  Mask head, ventricles, blob;
};

// 1.5 mm grid, the head cut by the top and bottom of the field of view so the dark ventricles, which run
// through the whole stack, reach the border in 3D and are enclosed only within each axial slice.
Head make_head() {
  Geometry g;
  g.size = {96, 112, 40};
  g.spacing_mm = {1.5, 1.5, 1.5};
  Head h{ImageF(g), Mask(g), Mask(g), Mask(g)};
  test::Noise noise(42);
  const Vec3 c{72, 80, 30};
  for (std::size_t k = 0; k < g.size[2]; ++k)
    for (std::size_t j = 0; j < g.size[1]; ++j)
      for (std::size_t i = 0; i < g.size[0]; ++i) {
        const Vec3 p = test::voxel_lps(g, i, j, k);
        const double head = ellipsoid(p, c, {60, 72, 60});
        const double brain = ellipsoid(p, c, {52, 64, 52});
        const bool ventricle = ellipsoid({p[0], p[1], c[2]}, c, {6, 20, 1}) < 1;  // a tube along S
        const bool blob = ellipsoid(p, {8, 8, 30}, {5, 5, 5}) < 1;
        double v = 5;                                                                    // air
        if (head < 1) v = brain < 1 ? (ventricle ? 15 : 300) : (head > 0.9 ? 400 : 20);  // scalp, skull
        if (blob) v = 500;
        h.image.at(i, j, k) = static_cast<float>(v + 10 * noise.next());
        h.head.at(i, j, k) = head < 1;
        h.ventricles.at(i, j, k) = head < 1 && brain < 1 && ventricle;
        h.blob.at(i, j, k) = blob;
      }
  return h;
}

std::size_t overlap(const Mask& a, const Mask& b) {
  std::size_t n = 0;
  for (std::size_t v = 0; v < a.voxels.size(); ++v) n += a.voxels[v] != 0 && b.voxels[v] != 0;
  return n;
}

TEST(BodyMask, SyntheticHeadWithVentriclesAndASeparateObject) {
  const Head h = make_head();
  const Mask m = body_mask(h.image);
  EXPECT_EQ(m.geometry.size, h.image.geometry.size);
  EXPECT_EQ(overlap(m, h.ventricles), test::count(h.ventricles)) << "ventricles must be filled";
  EXPECT_EQ(overlap(m, h.blob), 0u) << "only the largest component";
  EXPECT_GE(test::dice(m, h.head), 0.95);
  EXPECT_EQ(body_mask(h.image).voxels, m.voxels) << "deterministic";
}

TEST(BodyMask, ConstantImageGivesAnEmptyMask) {
  Geometry g;
  g.size = {8, 8, 8};
  EXPECT_EQ(test::count(body_mask(ImageF(g, 3.0f))), 0u);
}

TEST(BodyMask, RejectsBadInput) {
  EXPECT_THROW(body_mask(ImageF()), Error);
  Geometry g;
  g.size = {8, 8, 8};
  ImageF short_buffer(g);
  short_buffer.voxels.resize(10);
  EXPECT_THROW(body_mask(short_buffer), Error);
}

TEST(BodyMask, Colin27CoversTheBrain) {
  const std::filesystem::path dir = "/usr/share/mricron/templates";
  if (!std::filesystem::exists(dir / "ch2.nii.gz") || !std::filesystem::exists(dir / "ch2bet.nii.gz"))
    GTEST_SKIP() << "Colin27 not installed (" << dir.string() << "; Debian package mricron-data)";
  const ImageF head = io::read_image(dir / "ch2.nii.gz");
  const ImageF brain = io::read_image(dir / "ch2bet.nii.gz");
  ASSERT_EQ(head.geometry.size, brain.geometry.size);
  const Mask m = body_mask(head);
  std::size_t brain_voxels = 0, covered = 0;
  for (std::size_t v = 0; v < brain.voxels.size(); ++v)
    if (brain.voxels[v] > 0) {
      ++brain_voxels;
      covered += m.voxels[v] != 0;
    }
  ASSERT_GT(brain_voxels, 0u);
  EXPECT_GE(static_cast<double>(covered), 0.99 * static_cast<double>(brain_voxels));
  EXPECT_GT(test::count(m), brain_voxels) << "the head is larger than the brain";
  EXPECT_LT(static_cast<double>(test::count(m)), 0.8 * static_cast<double>(m.voxels.size()))
      << "not the whole image";
}

}  // namespace
}  // namespace oncotrack::preprocess
