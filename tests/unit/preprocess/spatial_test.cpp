// Spatial steps: plans, voxel work and exact round trips (reorient, resample, crop and all their chains).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "oncotrack/core/error.h"
#include "oncotrack/preprocess/crop.h"
#include "oncotrack/preprocess/reorient.h"
#include "oncotrack/preprocess/resample.h"
#include "oncotrack/preprocess/spatial_record.h"
#include "test_volumes.h"

namespace oncotrack::preprocess {
namespace {

using test::oblique_grid;

void expect_exactly_equal(const Geometry& a, const Geometry& b) {
  EXPECT_EQ(a.size, b.size);
  EXPECT_EQ(a.spacing_mm, b.spacing_mm);
  EXPECT_EQ(a.origin_mm_lps, b.origin_mm_lps);
  EXPECT_EQ(a.direction, b.direction);
}

TEST(Reorient, DirectionBecomesClosestToIdentity) {
  const Geometry g = oblique_grid();
  const SpatialRecord r = plan_reorient(g);
  for (int c = 0; c < 3; ++c) {
    EXPECT_GT(r.output.direction[c][c], 0.9) << "column " << c;
    for (int row = 0; row < 3; ++row)
      if (row != c) {
        EXPECT_LT(std::abs(r.output.direction[row][c]), r.output.direction[c][c]);
      }
  }
  // Size and spacing travel with their axes.
  for (int a = 0; a < 3; ++a) {
    EXPECT_EQ(r.output.size[a], g.size[r.input_axis[a]]);
    EXPECT_EQ(r.output.spacing_mm[a], g.spacing_mm[r.input_axis[a]]);
  }
}

TEST(Reorient, EveryVoxelKeepsItsValueAndPosition) {
  const Geometry g = oblique_grid();
  const ImageF image = test::textured_image(g);
  const SpatialRecord r = plan_reorient(g);
  const ImageF out = apply(r, image);
  expect_exactly_equal(out.geometry, r.output);
  // Each output voxel holds the input voxel at the same physical position.
  for (std::size_t k = 0; k < out.geometry.size[2]; k += 3)
    for (std::size_t j = 0; j < out.geometry.size[1]; j += 5)
      for (std::size_t i = 0; i < out.geometry.size[0]; i += 7) {
        const Vec3 p = test::voxel_lps(out.geometry, i, j, k);
        const Vec3 ijk = g.lps_to_index(p);
        const auto at = [](double x) { return static_cast<std::size_t>(std::lround(x)); };
        for (double x : ijk) ASSERT_NEAR(x, std::round(x), 1e-6);
        ASSERT_EQ(out.at(i, j, k), image.at(at(ijk[0]), at(ijk[1]), at(ijk[2])));
      }
}

TEST(Reorient, CanonicalGridGivesIdentityRecord) {
  Geometry g = oblique_grid();
  g.direction = test::rotation(1, 12);
  const SpatialRecord r = plan_reorient(g);
  expect_exactly_equal(r.output, g);
  EXPECT_EQ(r.input_axis, (std::array<int, 3>{0, 1, 2}));
  EXPECT_EQ(r.flip, (std::array<bool, 3>{false, false, false}));
}

TEST(Reorient, RoundTripIsBitIdentical) {
  const Geometry g = oblique_grid();
  const ImageF image = test::textured_image(g);
  const Mask mask = test::sphere(g, {3, -5, 7}, 9);
  const SpatialRecord r = plan_reorient(g);
  const ImageF back = invert(r, apply(r, image));
  const Mask mask_back = invert(r, apply(r, mask));
  expect_exactly_equal(back.geometry, g);
  EXPECT_EQ(back.voxels, image.voxels);
  EXPECT_EQ(mask_back.voxels, mask.voxels);
}

TEST(Resample, GridCoversTheSameBoxAroundTheSameCentre) {
  const Geometry g = oblique_grid();
  const Vec3 working{1.5, 1.5, 1.5};
  const SpatialRecord r = plan_resample(g, working);
  EXPECT_EQ(r.output.direction, g.direction);
  EXPECT_EQ(r.output.spacing_mm, working);
  for (int a = 0; a < 3; ++a) {
    const double extent = static_cast<double>(g.size[a]) * g.spacing_mm[a];
    const double new_extent = static_cast<double>(r.output.size[a]) * working[a];
    EXPECT_GE(new_extent, extent - 1e-9) << "axis " << a;
    EXPECT_LT(new_extent, extent + working[a]) << "axis " << a;
  }
  const auto centre = [](const Geometry& x) {
    return x.index_to_lps({(x.size[0] - 1) / 2.0, (x.size[1] - 1) / 2.0, (x.size[2] - 1) / 2.0});
  };
  EXPECT_LT(test::distance(centre(g), centre(r.output)), 1e-9);
}

TEST(Resample, ExactMultipleKeepsTheBox) {
  Geometry g = oblique_grid({40, 30, 12}, {0.75, 0.75, 3});
  const SpatialRecord r = plan_resample(g, {1.5, 1.5, 1.5});
  EXPECT_EQ(r.output.size, (Size3{20, 15, 24}));
}

TEST(Resample, ConstantImageStaysConstantBothWays) {
  // No voxel of either grid falls outside the other's box, so nothing is filled with the background 0.
  const Geometry g = oblique_grid();
  const ImageF image(g, 5.0f);
  const SpatialRecord r = plan_resample(g, {1.7, 1.3, 2.3});
  const ImageF there = apply(r, image);
  const ImageF back = invert(r, there);
  for (float v : there.voxels) ASSERT_FLOAT_EQ(v, 5.0f);
  for (float v : back.voxels) ASSERT_FLOAT_EQ(v, 5.0f);
}

TEST(Resample, LinearImageIsInterpolatedLinearly) {
  // A field linear in LPS is reproduced by trilinear interpolation inside the grid.
  const Geometry g = oblique_grid();
  ImageF image(g);
  const auto field = [](const Vec3& p) { return 10 + 0.5 * p[0] - 0.25 * p[1] + 0.125 * p[2]; };
  for (std::size_t k = 0; k < g.size[2]; ++k)
    for (std::size_t j = 0; j < g.size[1]; ++j)
      for (std::size_t i = 0; i < g.size[0]; ++i)
        image.at(i, j, k) = static_cast<float>(field(test::voxel_lps(g, i, j, k)));
  const SpatialRecord r = plan_resample(g, {1.5, 1.5, 1.5});
  const ImageF out = apply(r, image);
  const Geometry& o = out.geometry;
  std::size_t checked = 0;
  for (std::size_t k = 0; k < o.size[2]; ++k)
    for (std::size_t j = 0; j < o.size[1]; ++j)
      for (std::size_t i = 0; i < o.size[0]; ++i) {
        const Vec3 p = test::voxel_lps(o, i, j, k);
        const Vec3 ijk = g.lps_to_index(p);
        bool inside = true;  // between input voxel centres: no edge clamping
        for (int a = 0; a < 3; ++a)
          inside = inside && ijk[a] >= 0 && ijk[a] <= static_cast<double>(g.size[a] - 1);
        if (!inside) continue;
        ++checked;
        ASSERT_NEAR(out.at(i, j, k), field(p), 1e-3);
      }
  EXPECT_GT(checked, out.voxels.size() / 2);
}

TEST(Resample, MaskRoundTripKeepsASphere) {
  const Geometry g = oblique_grid({64, 56, 20}, {0.7, 0.9, 2.6});
  const Mask mask = test::sphere(g, {3, -5, 7}, 14);
  const SpatialRecord r = plan_resample(g, {1.5, 1.5, 1.5});
  const Mask there = apply(r, mask);
  const Mask back = invert(r, there);
  expect_exactly_equal(back.geometry, g);
  for (std::uint8_t v : there.voxels) ASSERT_LE(v, 1);  // nearest neighbour: no new labels
  EXPECT_GE(test::dice(back, mask), 0.95);
}

TEST(Resample, RejectsInvalidSpacing) {
  EXPECT_THROW(plan_resample(oblique_grid(), {1, 0, 1}), Error);
  EXPECT_THROW(plan_resample(oblique_grid(), {1, -2, 1}), Error);
  EXPECT_THROW(plan_resample(oblique_grid(), {1, 1, std::nan("")}), Error);
}

TEST(Crop, BoxIsTheForegroundPlusTheMargin) {
  const Geometry g = oblique_grid();
  Mask fg(g, 0);
  fg.at(10, 12, 5) = 1;
  fg.at(20, 15, 6) = 1;
  const SpatialRecord r = plan_crop(fg, 2.0);  // ceil(2 / 0.9) = 3, ceil(2 / 1.2) = 2, ceil(2 / 3.1) = 1
  EXPECT_EQ(r.offset, (Size3{7, 10, 4}));
  EXPECT_EQ(r.output.size, (Size3{17, 8, 4}));
  EXPECT_LT(test::distance(r.output.origin_mm_lps, test::voxel_lps(g, 7, 10, 4)), 1e-9);
  // The margin is clipped at the grid border.
  fg.at(1, 0, 1) = 1;
  fg.at(40, 31, 12) = 1;
  const SpatialRecord clipped = plan_crop(fg, 2.0);
  EXPECT_EQ(clipped.offset, (Size3{0, 0, 0}));
  EXPECT_EQ(clipped.output.size, g.size);
}

TEST(Crop, RoundTripIsExactInsideTheBoxAndZeroOutside) {
  const Geometry g = oblique_grid();
  const Mask fg = test::sphere(g, {3, -5, 7}, 8);
  const ImageF image = test::textured_image(g);
  const SpatialRecord r = plan_crop(fg, 1.0);
  const ImageF back = invert(r, apply(r, image));
  const Mask fg_back = invert(r, apply(r, fg));
  expect_exactly_equal(back.geometry, g);
  EXPECT_EQ(fg_back.voxels, fg.voxels);
  for (std::size_t k = 0; k < g.size[2]; ++k)
    for (std::size_t j = 0; j < g.size[1]; ++j)
      for (std::size_t i = 0; i < g.size[0]; ++i) {
        const Size3 ijk{i, j, k};
        bool inside = true;
        for (int a = 0; a < 3; ++a)
          inside = inside && ijk[a] >= r.offset[a] && ijk[a] < r.offset[a] + r.output.size[a];
        ASSERT_EQ(back.at(i, j, k), inside ? image.at(i, j, k) : 0.0f);
      }
}

TEST(Crop, RejectsAnEmptyForeground) {
  EXPECT_THROW(plan_crop(Mask(oblique_grid(), 0), 5), Error);
  Mask one(oblique_grid(), 0);
  one.voxels[0] = 1;
  EXPECT_THROW(plan_crop(one, -1), Error);
}

// Every combination of the three spatial steps, chained as the driver chains them.
class Chain : public ::testing::TestWithParam<int> {};

TEST_P(Chain, RoundTripRestoresTheNativeGridExactly) {
  const bool reorient = GetParam() & 1, resample = GetParam() & 2, crop = GetParam() & 4;
  const Geometry g = oblique_grid();
  const Vec3 centre{3, -5, 7};
  ImageF image = test::textured_image(g);
  Mask mask = test::sphere(g, centre, 10);
  const Mask native_mask = mask;
  std::vector<SpatialRecord> records;
  const auto step = [&](const SpatialRecord& r) {
    image = apply(r, image);
    mask = apply(r, mask);
    records.push_back(r);
  };
  if (reorient) step(plan_reorient(image.geometry));
  if (resample) step(plan_resample(image.geometry, {1.4, 1.4, 1.4}));
  if (crop) step(plan_crop(mask, 4.0));
  ASSERT_EQ(records.size(), static_cast<std::size_t>(reorient + resample + crop));

  const Mask mask_back = invert(records, mask);
  const ImageF image_back = invert(records, image);
  expect_exactly_equal(mask_back.geometry, g);
  expect_exactly_equal(image_back.geometry, g);
  ASSERT_EQ(mask_back.voxels.size(), g.voxel_count());
  ASSERT_EQ(image_back.voxels.size(), g.voxel_count());
  if (resample) {
    EXPECT_GE(test::dice(mask_back, native_mask), 0.9);
  } else {
    EXPECT_EQ(mask_back.voxels, native_mask.voxels);
  }
}

INSTANTIATE_TEST_SUITE_P(AllCombinations, Chain, ::testing::Range(0, 8));

TEST(SpatialRecord, RefusesVolumesOnAnotherGrid) {
  const Geometry g = oblique_grid();
  const SpatialRecord r = plan_reorient(g);
  Geometry shifted = g;
  shifted.origin_mm_lps[0] += 1e-9;
  EXPECT_THROW(apply(r, ImageF(shifted)), Error);
  EXPECT_THROW(invert(r, Mask(g)), Error);  // the inverse expects the reoriented grid
  ImageF short_buffer(g);
  short_buffer.voxels.pop_back();
  EXPECT_THROW(apply(r, short_buffer), Error);
}

TEST(SpatialRecord, EmptyChainIsTheIdentity) {
  const Mask m = test::sphere(oblique_grid(), {3, -5, 7}, 6);
  const Mask same = invert(std::vector<SpatialRecord>{}, m);
  EXPECT_EQ(same.voxels, m.voxels);
  expect_exactly_equal(same.geometry, m.geometry);
}

TEST(SpatialRecord, JsonKeepsGeometryAtFullPrecision) {
  const Geometry g = oblique_grid();
  const SpatialRecord r = plan_reorient(g);
  const nlohmann::json j = nlohmann::json::parse(to_json(r).dump());
  EXPECT_EQ(j.at("step"), "reorient");
  EXPECT_EQ(j.at("input_axis").get<std::vector<int>>(),
            std::vector<int>(r.input_axis.begin(), r.input_axis.end()));
  for (int row = 0; row < 3; ++row) {
    EXPECT_EQ(j.at("input").at("origin_mm_lps").at(row).get<double>(), g.origin_mm_lps[row]);
    for (int c = 0; c < 3; ++c)
      EXPECT_EQ(j.at("output").at("direction").at(row).at(c).get<double>(), r.output.direction[row][c]);
  }
  Mask fg(g, 0);
  fg.at(3, 4, 5) = 1;
  EXPECT_EQ(to_json(plan_crop(fg, 0)).at("offset"), nlohmann::json({3, 4, 5}));
  EXPECT_EQ(to_json(plan_resample(g, {2, 2, 2})).at("step"), "resample");
}

TEST(SpatialRecord, GeometryJsonRoundTripsExactlyAndIsStrict) {
  const Geometry g = oblique_grid();
  expect_exactly_equal(geometry_from_json(nlohmann::json::parse(to_json(g).dump()), "grid"), g);
  auto expect_refused = [&g](const char* key, const nlohmann::json& value, const std::string& named) {
    nlohmann::json j = to_json(g);
    if (value.is_null())
      j.erase(key);
    else
      j[key] = value;
    try {
      geometry_from_json(j, "grid");
      ADD_FAILURE() << key << " = " << value.dump() << " accepted";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(named), std::string::npos) << e.what();
    }
  };
  expect_refused("size", nullptr, "grid.size");
  expect_refused("size", {4, 0, 2}, "grid.size");
  expect_refused("spacing_mm", {1, -1, 1}, "grid.spacing_mm");
  expect_refused("origin_mm_lps", {1, 2}, "grid.origin_mm_lps");
  expect_refused("direction", {{1, 0, 0}, {0, 1, 0}}, "grid.direction");
  expect_refused("direction", {{1, 0, 0}, {2, 0, 0}, {0, 0, 1}}, "grid.direction");
  expect_refused("origin", {0, 0, 0}, "grid.origin");
}

}  // namespace
}  // namespace oncotrack::preprocess
