#pragma once
// Internal to preprocess: the binary operations behind body_mask, on a padded copy of the mask so floods
// need no bounds checks. Linear time; allocation once per BinaryVolume.
#include <array>
#include <cstdint>
#include <vector>

#include "oncotrack/core/geometry.h"

namespace oncotrack::preprocess::detail {

class BinaryVolume {
 public:
  explicit BinaryVolume(const Mask& mask);
  Mask to_mask() const;

  // Keeps the largest 6-connected foreground component (the first in memory order among equals).
  void keep_largest_component();
  // Closing by a box of ±radius[a] voxels along axis a, background outside the grid.
  void close(const Size3& radius);
  // Fills the holes of every slice across `axis`: background that no in-slice path of 6-neighbours joins to
  // the slice border becomes foreground. Includes every 3D hole (a 3D-enclosed cavity is enclosed in each
  // slice through it).
  void fill_slice_holes(int axis);

 private:
  static constexpr std::uint8_t kVisited = 4;
  static constexpr std::uint8_t kWall = 2;  // outer pad layer: never entered

  std::size_t flood(std::size_t seed, std::uint8_t value, const std::array<bool, 3>& moves);
  void clear_visited();
  std::uint8_t* interior_row(std::size_t j, std::size_t k);

  Geometry geometry_;
  Size3 padded_{0, 0, 0};
  std::array<std::ptrdiff_t, 3> stride_{0, 0, 0};
  std::vector<std::uint8_t> v_;  // 0 background, 1 foreground, kWall; | kVisited during a flood
  std::vector<std::uint32_t> queue_;
};

}  // namespace oncotrack::preprocess::detail
