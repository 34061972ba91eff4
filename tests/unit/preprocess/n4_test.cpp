// N4 on a two-tissue phantom multiplied by a known smooth bias field.
#include "oncotrack/preprocess/n4.h"

#include <gtest/gtest.h>

#include <cmath>

#include "oncotrack/core/error.h"
#include "test_volumes.h"

namespace oncotrack::preprocess {
namespace {

struct Phantom {
  ImageF biased;
  Mask object, uniform;  // the whole object; the inner tissue away from its edges
};

double radius2(const Vec3& p, const Vec3& c, const Vec3& r) {
  double s = 0;
  for (int a = 0; a < 3; ++a) s += (p[a] - c[a]) * (p[a] - c[a]) / (r[a] * r[a]);
  return s;
}

Phantom make_phantom() {
  Geometry g;
  g.size = {40, 40, 20};
  g.spacing_mm = {3, 3, 3};
  g.direction = test::rotation(2, 10);  // the field is defined in LPS; N4 must not care about the direction
  Phantom ph{ImageF(g), Mask(g), Mask(g)};
  test::Noise noise(3);
  const Vec3 c = g.index_to_lps({19.5, 19.5, 9.5});
  for (std::size_t k = 0; k < g.size[2]; ++k)
    for (std::size_t j = 0; j < g.size[1]; ++j)
      for (std::size_t i = 0; i < g.size[0]; ++i) {
        const Vec3 p = test::voxel_lps(g, i, j, k);
        const double outer = radius2(p, c, {55, 55, 27});
        const double inner = radius2(p, c, {38, 38, 19});
        double tissue = outer < 1 ? (inner < 1 ? 100 : 60) : 0;
        tissue *= 1 + 0.01 * (noise.next() - 0.5);
        const double bias = std::exp(0.3 * (p[0] - c[0]) / 55 - 0.2 * (p[1] - c[1]) / 55 +
                                     0.15 * (p[2] - c[2]) * (p[2] - c[2]) / (27 * 27));
        ph.biased.at(i, j, k) = static_cast<float>(tissue * bias);
        ph.object.at(i, j, k) = outer < 1;
        ph.uniform.at(i, j, k) = inner < 0.7;
      }
  return ph;
}

double coefficient_of_variation(const ImageF& image, const Mask& region) {
  double s = 0, s2 = 0, n = 0;
  for (std::size_t v = 0; v < image.voxels.size(); ++v)
    if (region.voxels[v] != 0) {
      const double x = image.voxels[v];
      s += x;
      s2 += x * x;
      ++n;
    }
  const double mean = s / n;
  return std::sqrt(s2 / n - mean * mean) / mean;
}

N4Options fast_options() {
  N4Options o;
  o.shrink_factor = 2;
  return o;
}

TEST(N4, HalvesTheIntensityVariationOfAUniformRegion) {
  const Phantom ph = make_phantom();
  const double before = coefficient_of_variation(ph.biased, ph.uniform);
  ASSERT_GT(before, 0.05) << "the phantom must be visibly biased";
  const N4Result r = n4_correct(ph.biased, &ph.object, fast_options());
  EXPECT_EQ(r.image.geometry.size, ph.biased.geometry.size);
  EXPECT_EQ(r.image.geometry.direction, ph.biased.geometry.direction);
  const double after = coefficient_of_variation(r.image, ph.uniform);
  EXPECT_LT(after, before / 2) << "before " << before << ", after " << after;
  ASSERT_EQ(r.iterations.size(), 3u);
  for (std::size_t l = 0; l < 3; ++l) {
    EXPECT_GE(r.iterations[l], 1u);
    EXPECT_LE(r.iterations[l], fast_options().iterations[l]);
  }
  EXPECT_EQ(r.shrunk_size, (Size3{21, 21, 11}));                    // ceil(39 / 2) + 1, ceil(19 / 2) + 1
  EXPECT_EQ(r.control_points, (std::array<unsigned, 3>{5, 5, 4}));  // ceil(117 / 100) + 3, ceil(57 / 100) + 3
  EXPECT_GT(r.fitted_voxels, 0u);
}

TEST(N4, IsDeterministic) {
  const Phantom ph = make_phantom();
  N4Options o = fast_options();
  o.iterations = {5, 5};
  EXPECT_EQ(n4_correct(ph.biased, &ph.object, o).image.voxels,
            n4_correct(ph.biased, &ph.object, o).image.voxels);
}

TEST(N4, RejectsInvalidOptionsAndInputs) {
  const Phantom ph = make_phantom();
  const auto with = [](auto change) {
    N4Options o;
    change(o);
    return o;
  };
  EXPECT_THROW(n4_correct(ph.biased, &ph.object, with([](N4Options& o) { o.shrink_factor = 0; })), Error);
  EXPECT_THROW(n4_correct(ph.biased, &ph.object, with([](N4Options& o) { o.iterations.clear(); })), Error);
  EXPECT_THROW(n4_correct(ph.biased, &ph.object, with([](N4Options& o) { o.iterations = {10, 0}; })), Error);
  EXPECT_THROW(n4_correct(ph.biased, &ph.object, with([](N4Options& o) { o.convergence = -1; })), Error);
  EXPECT_THROW(n4_correct(ph.biased, &ph.object, with([](N4Options& o) { o.spline_distance_mm = 0; })),
               Error);

  Mask elsewhere = ph.object;
  elsewhere.geometry.spacing_mm[0] = 2;
  EXPECT_THROW(n4_correct(ph.biased, &elsewhere, fast_options()), Error);

  ImageF negative = ph.biased;
  for (float& v : negative.voxels) v = -1;
  EXPECT_THROW(n4_correct(negative, nullptr, fast_options()), Error) << "nothing positive to fit";

  Geometry flat;
  flat.size = {16, 16, 1};
  EXPECT_THROW(n4_correct(ImageF(flat, 1.0f), nullptr, fast_options()), Error);
}

}  // namespace
}  // namespace oncotrack::preprocess
