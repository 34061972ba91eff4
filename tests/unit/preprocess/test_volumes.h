#pragma once
// Grids and volumes for the preprocess tests: an oblique, flipped, anisotropic grid, spheres and a smooth
// image defined in physical space, a deterministic noise source and Dice.
#include <cmath>
#include <cstdint>

#include "oncotrack/core/geometry.h"
#include "support/rotations.h"

namespace oncotrack::preprocess::test {

using oncotrack::testing::kPi;
using oncotrack::testing::multiply;
using oncotrack::testing::rotation;

// Index axes i, j, k run roughly along −P, +S, −L (a sagittal-like, flipped grid), tilted by 17° and 9°;
// anisotropic voxels; centred near the LPS origin.
inline Geometry oblique_grid(Size3 size = {41, 33, 13}, Vec3 spacing_mm = {0.9, 1.2, 3.1}) {
  const Mat3 signed_permutation{{{0, 0, -1}, {-1, 0, 0}, {0, 1, 0}}};  // columns −P, +S, −L
  Geometry g;
  g.size = size;
  g.spacing_mm = spacing_mm;
  g.direction = multiply(multiply(rotation(2, 17), rotation(0, 9)), signed_permutation);
  g.origin_mm_lps = {0, 0, 0};
  // Put the grid centre near (3, −5, 7) mm so the round trips exercise a non-trivial origin.
  const Vec3 centre = g.index_to_lps({(size[0] - 1) / 2.0, (size[1] - 1) / 2.0, (size[2] - 1) / 2.0});
  const Vec3 want{3, -5, 7};
  for (int r = 0; r < 3; ++r) g.origin_mm_lps[r] = want[r] - centre[r];
  return g;
}

inline double distance(const Vec3& a, const Vec3& b) {
  return std::sqrt((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) +
                   (a[2] - b[2]) * (a[2] - b[2]));
}

inline Vec3 voxel_lps(const Geometry& g, std::size_t i, std::size_t j, std::size_t k) {
  return g.index_to_lps({static_cast<double>(i), static_cast<double>(j), static_cast<double>(k)});
}

inline Mask sphere(const Geometry& g, const Vec3& centre_mm, double radius_mm) {
  Mask m(g, 0);
  for (std::size_t k = 0; k < g.size[2]; ++k)
    for (std::size_t j = 0; j < g.size[1]; ++j)
      for (std::size_t i = 0; i < g.size[0]; ++i)
        m.at(i, j, k) = distance(voxel_lps(g, i, j, k), centre_mm) <= radius_mm ? 1 : 0;
  return m;
}

// Deterministic uniform numbers in [0, 1) (64-bit LCG, high bits).
class Noise {
 public:
  explicit Noise(std::uint64_t seed) : state_(seed) {}
  double next() {
    state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(state_ >> 11) * 0x1.0p-53;
  }

 private:
  std::uint64_t state_;
};

// Every voxel distinct (so a permutation bug cannot hide) and a little noise.
inline ImageF textured_image(const Geometry& g) {
  ImageF im(g);
  Noise noise(7);
  for (std::size_t v = 0; v < im.voxels.size(); ++v)
    im.voxels[v] = static_cast<float>(100 + static_cast<double>(v) * 1e-3 + noise.next());
  return im;
}

inline double dice(const Mask& a, const Mask& b) {
  std::size_t both = 0, na = 0, nb = 0;
  for (std::size_t v = 0; v < a.voxels.size(); ++v) {
    na += a.voxels[v] != 0;
    nb += b.voxels[v] != 0;
    both += a.voxels[v] != 0 && b.voxels[v] != 0;
  }
  return na + nb == 0 ? 1.0 : 2.0 * static_cast<double>(both) / static_cast<double>(na + nb);
}

inline std::size_t count(const Mask& m) {
  std::size_t n = 0;
  for (std::uint8_t v : m.voxels) n += v != 0;
  return n;
}

}  // namespace oncotrack::preprocess::test
