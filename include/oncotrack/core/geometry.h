#pragma once
// Image geometry and voxel containers. The world frame is LPS (ITK/DICOM patient coordinates) everywhere in
// oncotrack; millimetres for lengths. Voxel ijk indices are 0-based, i fastest in memory.
// direction[r][c] follows ITK: column c is the LPS unit vector of index axis c.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace oncotrack {

using Vec3 = std::array<double, 3>;
using Mat3 = std::array<std::array<double, 3>, 3>;
using Size3 = std::array<std::size_t, 3>;

constexpr Mat3 kIdentity3{{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}};

struct Geometry {
  Size3 size{0, 0, 0};
  Vec3 spacing_mm{1, 1, 1};
  Vec3 origin_mm_lps{0, 0, 0};
  Mat3 direction = kIdentity3;

  std::size_t voxel_count() const { return size[0] * size[1] * size[2]; }
  std::size_t linear(std::size_t i, std::size_t j, std::size_t k) const {
    return i + size[0] * (j + size[1] * k);
  }
  // Volume of one voxel in millilitres (spacing product × |det direction| / 1000).
  double voxel_volume_ml() const;
  // Continuous index (voxel centres at integers) to LPS millimetres.
  Vec3 index_to_lps(const Vec3& ijk) const;
  // Inverse of index_to_lps (continuous index of an LPS point). Requires a non-singular direction matrix.
  Vec3 lps_to_index(const Vec3& lps) const;
  // The index axis whose direction is closest to LPS superior-inferior: the "axial" slice axis for RECIST.
  int axial_axis() const;
};

double determinant(const Mat3& m);

// Largest absolute differences between two geometries, for "mask does not match image" errors.
struct GeometryDelta {
  bool same_size = true;
  double spacing_mm = 0;  // max |Δ spacing|
  double origin_mm = 0;   // max |Δ origin|
  double direction = 0;   // max |Δ direction cosine|
  bool within(double tolerance_mm, double tolerance_direction) const;
  std::string describe() const;
};
GeometryDelta compare_geometry(const Geometry& a, const Geometry& b);
std::string describe_geometry(
    const Geometry& g);  // "128x128x16 @ 0.25x0.25x1.5 mm, origin (..), direction [..]"

template <class T>
struct Volume {
  Geometry geometry;
  std::vector<T> voxels;  // size == geometry.voxel_count()

  Volume() = default;
  explicit Volume(const Geometry& g, T fill = T{}) : geometry(g), voxels(g.voxel_count(), fill) {}
  T& at(std::size_t i, std::size_t j, std::size_t k) { return voxels[geometry.linear(i, j, k)]; }
  const T& at(std::size_t i, std::size_t j, std::size_t k) const { return voxels[geometry.linear(i, j, k)]; }
};

using ImageF = Volume<float>;
using Mask = Volume<std::uint8_t>;    // 1 = tumour, 0 = background
using Labels = Volume<std::int32_t>;  // raw label image as stored in a mask file

}  // namespace oncotrack
