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

bool is_red(const Picture& p, std::size_t u, std::size_t v) {
  const std::uint8_t* px = &p.rgb[3 * (v * p.width + u)];
  return px[0] == 255 && px[1] == 0 && px[2] == 0;
}

TEST(QcPictures, MosaicTilesSpanTheFocusMasksSlices) {
  const Mask m = lesions();  // the cube at z 10–18 mm, the blob at z 24–26 mm
  const Picture p = mosaic_picture(ramp(), {{&m, {255, 0, 0}}}, {&m});
  // Eight 160-pixel tiles (the masks touch 9 slices), four per row.
  ASSERT_EQ(p.width, 4 * 160u + 3 * 4u);
  ASSERT_EQ(p.height, 2 * 160u + 4u);
  // Each tile is a 51 mm square (the 21 mm in-plane extent plus 15 mm on each side) centred on the masks:
  // x from −5 mm, y from 0 mm.
  const double s = 51.0 / 159.0;
  auto red_in_tile = [&](std::size_t tile, bool check_cube) {
    const std::size_t u0 = (tile % 4) * 164, v0 = (tile / 4) * 164;
    std::size_t red = 0;
    for (std::size_t v = 0; v < 160; ++v)
      for (std::size_t u = 0; u < 160; ++u) {
        if (!is_red(p, u0 + u, v0 + v)) continue;
        ++red;
        const double x = -5 + static_cast<double>(u) * s, y = static_cast<double>(v) * s;
        if (check_cube) {
          EXPECT_TRUE(x > 9.5 - s && x < 19.5 + s && y > 19.5 - s && y < 29.5 + s) << x << " " << y;
        }
      }
    return red;
  };
  // Tile 0 at z = 10 mm (the cube's lowest slice), tile 4 at z = 19.1 mm (between the two: nothing), tile 7
  // at z = 26 mm (the blob).
  EXPECT_GT(red_in_tile(0, true), static_cast<std::size_t>(3 * 10 / s));
  EXPECT_EQ(red_in_tile(4, false), 0u);
  EXPECT_GT(red_in_tile(7, false), 0u);
  EXPECT_LT(red_in_tile(7, false), static_cast<std::size_t>(4.5 * 2 / s));
  // Without a focus voxel: 8 tiles over the whole field of view.
  const Mask empty(grid(), 0);
  const Picture whole = mosaic_picture(ramp(), {}, {&empty});
  EXPECT_EQ(whole.width, p.width);
  EXPECT_EQ(whole.height, p.height);
}

TEST(QcPictures, MapPictureColoursValuesOverTheDisplayRange) {
  const ImageF map = ramp();  // i + 2j + 3k
  const Mask m = lesions();
  const std::pair<double, double> range{20.0, 80.0};  // in the map's slice plane: here axial, k = 7
  const Picture p = map_picture(map, {{&m, {255, 255, 255}}}, &m, range);
  ASSERT_EQ(p.width, 256u);  // one axial panel, 39 mm at 39/255 mm a pixel
  ASSERT_EQ(p.height, 256u);
  const double s = 39.0 / 255.0;
  // Through the cube's centroid: z = 14 mm, k = 7. Away from the outline the colour is the scale's at the
  // value.
  for (const auto& [x, y] : std::vector<std::pair<double, double>>{{2, 3}, {30, 8}, {35, 35}, {5, 14}}) {
    const std::size_t u = static_cast<std::size_t>(std::lround(x / s)),
                      v = static_cast<std::size_t>(std::lround(y / s));
    const double value = u * s + 2 * (v * s) + 3 * 7;
    const Rgb expected = map_colour((value - range.first) / (range.second - range.first));
    for (int c = 0; c < 3; ++c)
      EXPECT_LE(std::abs(p.rgb[3 * (v * p.width + u) + c] - expected[c]), 2) << x << " " << y;
  }
  std::size_t white = 0;
  for (std::size_t i = 0; i < p.width * p.height; ++i)
    white += p.rgb[3 * i] == 255 && p.rgb[3 * i + 1] == 255 && p.rgb[3 * i + 2] == 255;
  EXPECT_GT(white, static_cast<std::size_t>(3.5 * 10 / s));  // the cube's outline
  // A one-slice map far from the lesion's slice is still shown (the slice is clamped into the map's slab).
  Geometry thin = grid();
  thin.size[2] = 1;
  thin.origin_mm_lps = {0, 0, 30};
  const Picture slab = map_picture(ImageF(thin, 50.f), {}, &m, range);
  EXPECT_EQ(slab.rgb[3 * (100 * slab.width + 100)], map_colour(0.5)[0]);
}

TEST(QcPictures, DisplayRangeSkipsZerosAndTakesThe2ndAnd98thPercentiles) {
  Geometry g;
  g.size = {101, 2, 1};
  ImageF map(g, 0.f);
  for (std::size_t i = 0; i <= 100; ++i) map.at(i, 0, 0) = static_cast<float>(i);  // row 1 stays 0
  const auto r = display_range(map, nullptr);
  // The non-zero values 1..100, sorted: the 2nd percentile is element ⌊0.02·99⌋ = 1, the 98th ⌊0.98·99⌋ = 97.
  EXPECT_NEAR(r.first, 2, 1e-9);
  EXPECT_NEAR(r.second, 98, 1e-9);
  EXPECT_EQ(display_range(ImageF(g, 0.f), nullptr), (std::pair<double, double>{0, 1}));
}

TEST(QcPictures, DisplayRangeTakesInATumourTooSmallForThePercentiles) {
  Geometry g;
  g.size = {100, 1, 1};
  ImageF map(g, 10.f);
  map.at(50, 0, 0) = 1000.f;  // 1 % of the voxels: beyond the 98th percentile
  EXPECT_EQ(display_range(map, nullptr), (std::pair<double, double>{10, 11}));
  Geometry tumour_grid = g;  // the tumour on a finer grid of the same frame
  tumour_grid.size = {200, 2, 2};
  tumour_grid.spacing_mm = {0.5, 0.5, 0.5};
  Mask tumour(tumour_grid, 0);
  tumour.at(100, 0, 0) = 1;  // x = 50 mm
  EXPECT_EQ(display_range(map, &tumour), (std::pair<double, double>{10, 1000}));
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
