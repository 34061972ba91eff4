#pragma once
// A head phantom for the brain-mask tests, defined in physical space: an ellipsoidal head with scalp, skull
// and a brain (an inner ellipsoid holding an off-centre dark "ventricle" that breaks the symmetry), and its
// brain's signed distance (the ellipsoid's scaled radial distance: not Euclidean, but < 0 exactly inside,
// which is all the tests need). scan_of() samples it through an affine map, so the true brain of a scan is
// known.
#include <cmath>

#include "oncotrack/core/geometry.h"
#include "oncotrack/nn/safetensors.h"
#include "oncotrack/pipeline/model_input.h"
#include "oncotrack/preprocess/spatial_record.h"

namespace oncotrack::pipeline::test {

inline double ellipsoid_radius(const Vec3& p, const Vec3& centre, const Vec3& semi_axes) {
  double s = 0;
  for (int d = 0; d < 3; ++d) s += std::pow((p[d] - centre[d]) / semi_axes[d], 2);
  return std::sqrt(s);
}

constexpr Vec3 kHead{85, 100, 90};
constexpr Vec3 kBrain{55, 70, 60};

inline double brain_distance_mm(const Vec3& p) {
  return (ellipsoid_radius(p, {0, 0, 0}, kBrain) - 1) * 55;
}

inline float phantom(const Vec3& p) {
  const double head = ellipsoid_radius(p, {0, 0, 0}, kHead);
  if (head > 1) return 0;
  if (brain_distance_mm(p) > 0) return head > 0.92 ? 300.0f : 30.0f;  // scalp, skull
  return ellipsoid_radius(p, {12, -8, 10}, {10, 20, 12}) < 1 ? 60.0f : 150.0f;
}

// A grid of `size` voxels of `spacing_mm` along LPS, centred on the LPS origin.
inline Geometry centred_grid(Size3 size, Vec3 spacing_mm) {
  Geometry g;
  g.size = size;
  g.spacing_mm = spacing_mm;
  for (int d = 0; d < 3; ++d) g.origin_mm_lps[d] = -(double(size[d]) - 1) / 2 * spacing_mm[d];
  return g;
}

// A volume on g whose voxel at LPS point x holds f(a x + b).
template <class T, class F>
Volume<T> sample_through(const Geometry& g, const Mat3& a, const Vec3& b, F f) {
  Volume<T> out(g);
  for (std::size_t k = 0; k < g.size[2]; ++k)
    for (std::size_t j = 0; j < g.size[1]; ++j)
      for (std::size_t i = 0; i < g.size[0]; ++i) {
        const Vec3 x = g.index_to_lps({double(i), double(j), double(k)});
        Vec3 y = b;
        for (int r = 0; r < 3; ++r)
          for (int c = 0; c < 3; ++c) y[r] += a[r][c] * x[c];
        out.at(i, j, k) = static_cast<T>(f(y));
      }
  return out;
}

// Voxel x of the result shows the phantom at a x + b.
inline ImageF scan_of(const Geometry& g, const Mat3& a, const Vec3& b) {
  return sample_through<float>(g, a, b, phantom);
}

inline ImageF atlas_distance(const Geometry& g) {
  return sample_through<float>(g, kIdentity3, {0, 0, 0}, brain_distance_mm);
}

inline const Geometry kAtlasGrid = centred_grid({72, 84, 76}, {2.5, 2.5, 2.5});

// The atlas as a weights file stores it: metadata and the two [z,y,x] tensors.
inline nlohmann::json atlas_preprocessing(nlohmann::json preprocessing, double dilation_mm) {
  preprocessing["brain_mask"] = {{"enabled", true},
                                 {"dilation_mm", dilation_mm},
                                 {"atlas", "ellipsoid phantom"},
                                 {"atlas_geometry", preprocess::to_json(kAtlasGrid)}};
  return preprocessing;
}

inline std::vector<nn::NamedTensor> atlas_tensors() {
  const Size3& s = kAtlasGrid.size;
  const nn::Shape shape{std::int64_t(s[2]), std::int64_t(s[1]), std::int64_t(s[0])};
  return {{"preprocessing.brain_atlas.image", nn::Tensor(shape, scan_of(kAtlasGrid, kIdentity3, {}).voxels)},
          {"preprocessing.brain_atlas.distance_mm", nn::Tensor(shape, atlas_distance(kAtlasGrid).voxels)}};
}

}  // namespace oncotrack::pipeline::test
