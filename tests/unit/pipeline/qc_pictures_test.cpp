// QC pictures: the outline is drawn where the mask's border is (in millimetres, whatever the grid), the
// planes go through the largest lesion, and the checkerboard alternates the two images square by square.
#include "oncotrack/pipeline/qc_pictures.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <fstream>

namespace oncotrack::pipeline {
namespace {

namespace fs = std::filesystem;

Geometry grid() {
  Geometry g;
  g.size = {40, 40, 20};
  g.spacing_mm = {1, 1, 2};
  return g;
}

ImageF ramp() {
  ImageF image(grid(), 0.f);
  for (std::size_t k = 0; k < 20; ++k)
    for (std::size_t j = 0; j < 40; ++j)
      for (std::size_t i = 0; i < 40; ++i) image.at(i, j, k) = static_cast<float>(i + 2 * j + 3 * k);
  return image;
}

// A 10×10×5-voxel cube at i 10..19, j 20..29, k 5..9 and a 2×2×2 blob at 30..31.
Mask lesions() {
  Mask m(grid(), 0);
  for (std::size_t k = 5; k < 10; ++k)
    for (std::size_t j = 20; j < 30; ++j)
      for (std::size_t i = 10; i < 20; ++i) m.at(i, j, k) = 1;
  for (std::size_t k = 12; k < 14; ++k)
    for (std::size_t j = 30; j < 32; ++j)
      for (std::size_t i = 30; i < 32; ++i) m.at(i, j, k) = 1;
  return m;
}

TEST(QcPictures, PlanesGoThroughTheLargestLesionsCentroid) {
  const Vec3 c = largest_lesion_centre(lesions());
  EXPECT_NEAR(c[0], 14.5, 1e-9);
  EXPECT_NEAR(c[1], 24.5, 1e-9);
  EXPECT_NEAR(c[2], 14.0, 1e-9);  // k = 7 at 2 mm
  const Vec3 empty = largest_lesion_centre(Mask(grid(), 0));
  EXPECT_NEAR(empty[2], 19.0, 1e-9);  // the grid's centre
}

TEST(QcPictures, OutlineLiesOnTheMasksBorderInMillimetres) {
  const Mask m = lesions();
  const Picture p = contour_picture(ramp(), {{&m, {255, 0, 0}}}, &m);
  // Extent 39 mm on every axis, at least 256 pixels a side: spacing 39/255 mm; three 256-pixel panels.
  const double s = 39.0 / 255.0;
  ASSERT_EQ(p.height, 256u);
  ASSERT_EQ(p.width, 3 * 256u + 2 * 4u);
  ASSERT_EQ(p.rgb.size(), p.width * p.height * 3);
  std::size_t red = 0;
  for (std::size_t v = 0; v < p.height; ++v)
    for (std::size_t u = 0; u < 256; ++u) {  // the axial panel: columns x, rows y (mm = pixel · s)
      const std::uint8_t* px = &p.rgb[3 * (v * p.width + u)];
      const bool is_red = px[0] == 255 && px[1] == 0 && px[2] == 0;
      if (!is_red) continue;
      ++red;
      const double x = static_cast<double>(u) * s, y = static_cast<double>(v) * s;
      EXPECT_TRUE(x > 9.5 - s && x < 19.5 + s && y > 19.5 - s && y < 29.5 + s) << x << " " << y;
      const bool on_border = std::abs(x - 9.5) < 2 * s || std::abs(x - 19.5) < 2 * s ||
                             std::abs(y - 19.5) < 2 * s || std::abs(y - 29.5) < 2 * s;
      EXPECT_TRUE(on_border) << x << " " << y;
    }
  // The outline goes round a 10 mm square: about 4·10 mm / s pixels.
  EXPECT_GT(red, static_cast<std::size_t>(3.5 * 10 / s));
  EXPECT_LT(red, static_cast<std::size_t>(4.5 * 10 / s));
  // The cube's middle is the scan, not the outline: grey.
  const std::uint8_t* mid =
      &p.rgb[3 * (static_cast<std::size_t>(24.5 / s) * p.width + static_cast<std::size_t>(14.5 / s))];
  EXPECT_EQ(mid[0], mid[1]);
  EXPECT_EQ(mid[1], mid[2]);
}

TEST(QcPictures, CheckerboardAlternatesBaselineAndFollowUpSquares) {
  const ImageF base = ramp();
  ImageF negated = base;
  for (float& v : negated.voxels) v = 200.f - v;
  const Picture plain = contour_picture(base, {}, nullptr);
  const Picture board = checkerboard_picture(base, negated, registration::Transform(), nullptr);
  ASSERT_EQ(board.width, plain.width);
  ASSERT_EQ(board.height, plain.height);
  std::size_t checked = 0;
  for (std::size_t v = 0; v < 256; v += 5)
    for (std::size_t u = 0; u < 256; u += 7) {
      const std::size_t i = 3 * (v * board.width + u);
      const bool baseline_square = (u / 16 + v / 16) % 2 == 0;
      // The negated image under its own window is the photographic negative of the baseline (± rounding).
      const int expected = baseline_square ? plain.rgb[i] : 255 - plain.rgb[i];
      EXPECT_LE(std::abs(board.rgb[i] - expected), 1) << u << " " << v;
      ++checked;
    }
  EXPECT_GT(checked, 1000u);
}

TEST(QcPictures, WrittenAsPng) {
  const fs::path path = fs::temp_directory_path() / ("oncotrack_qc_" + std::to_string(::getpid()) + ".png");
  write_picture(contour_picture(ramp(), {}, nullptr), path);
  std::ifstream in(path, std::ios::binary);
  char signature[8] = {};
  in.read(signature, 8);
  EXPECT_EQ(std::string(signature + 1, 3), "PNG");
  fs::remove(path);
}

}  // namespace
}  // namespace oncotrack::pipeline
