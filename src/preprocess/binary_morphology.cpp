#include "binary_morphology.h"

#include <algorithm>
#include <limits>

#include "oncotrack/core/error.h"

namespace oncotrack::preprocess::detail {

namespace {
constexpr std::size_t kPad = 2;  // layer 1: background connecting the whole border; layer 2: wall
}

BinaryVolume::BinaryVolume(const Mask& mask) : geometry_(mask.geometry) {
  for (int a = 0; a < 3; ++a) padded_[a] = geometry_.size[a] + 2 * kPad;
  ONCOTRACK_ASSERT(padded_[0] * padded_[1] * padded_[2] < std::numeric_limits<std::uint32_t>::max(),
                   "volume too large for 32-bit flood indices");
  stride_ = {1, static_cast<std::ptrdiff_t>(padded_[0]),
             static_cast<std::ptrdiff_t>(padded_[0] * padded_[1])};
  v_.assign(padded_[0] * padded_[1] * padded_[2], kWall);
  for (std::size_t k = 0; k < padded_[2]; ++k)
    for (std::size_t j = 0; j < padded_[1]; ++j)
      for (std::size_t i = 0; i < padded_[0]; ++i) {
        const bool inner_wall =
            i == 0 || j == 0 || k == 0 || i + 1 == padded_[0] || j + 1 == padded_[1] || k + 1 == padded_[2];
        if (!inner_wall) v_[i + padded_[0] * (j + padded_[1] * k)] = 0;
      }
  for (std::size_t k = 0; k < geometry_.size[2]; ++k)
    for (std::size_t j = 0; j < geometry_.size[1]; ++j) {
      const std::uint8_t* src = &mask.voxels[geometry_.linear(0, j, k)];
      std::uint8_t* dst = &v_[kPad + padded_[0] * (j + kPad + padded_[1] * (k + kPad))];
      for (std::size_t i = 0; i < geometry_.size[0]; ++i) dst[i] = src[i] != 0 ? 1 : 0;
    }
}

Mask BinaryVolume::to_mask() const {
  Mask mask(geometry_);
  for (std::size_t k = 0; k < geometry_.size[2]; ++k)
    for (std::size_t j = 0; j < geometry_.size[1]; ++j)
      std::copy_n(&v_[kPad + padded_[0] * (j + kPad + padded_[1] * (k + kPad))], geometry_.size[0],
                  &mask.voxels[geometry_.linear(0, j, k)]);
  return mask;
}

std::size_t BinaryVolume::flood(std::size_t seed, std::uint8_t value, const std::array<bool, 3>& moves) {
  std::array<std::ptrdiff_t, 6> steps{};
  std::size_t n_steps = 0;
  for (int a = 0; a < 3; ++a)
    if (moves[a]) {
      steps[n_steps++] = stride_[a];
      steps[n_steps++] = -stride_[a];
    }
  queue_.clear();
  queue_.push_back(static_cast<std::uint32_t>(seed));
  v_[seed] |= kVisited;
  for (std::size_t head = 0; head < queue_.size(); ++head) {
    const auto v = static_cast<std::ptrdiff_t>(queue_[head]);
    for (std::size_t s = 0; s < n_steps; ++s) {
      std::uint8_t& n = v_[static_cast<std::size_t>(v + steps[s])];
      if (n == value) {  // neither visited nor wall
        n |= kVisited;
        queue_.push_back(static_cast<std::uint32_t>(v + steps[s]));
      }
    }
  }
  return queue_.size();
}

void BinaryVolume::clear_visited() {
  for (std::uint8_t& x : v_) x &= static_cast<std::uint8_t>(~kVisited);
}

void BinaryVolume::keep_largest_component() {
  std::size_t best_seed = 0, best_size = 0;
  for (std::size_t v = 0; v < v_.size(); ++v) {
    if (v_[v] != 1) continue;
    const std::size_t size = flood(v, 1, {true, true, true});
    if (size > best_size) {
      best_size = size;
      best_seed = v;
    }
  }
  clear_visited();
  if (best_size > 0) flood(best_seed, 1, {true, true, true});
  for (std::uint8_t& x : v_) {
    if (x == 1) x = 0;  // foreground outside the largest component
    if (x == (1 | kVisited)) x = 1;
  }
}

void BinaryVolume::fill_slice_holes(int axis) {
  // Pad layer 1 rings every slice and is background, so flooding a slice from its ring reaches exactly the
  // background connected to the slice border. The pad slices are flooded too, so no pad voxel is left 0.
  std::array<bool, 3> moves{true, true, true};
  moves[axis] = false;
  const auto pad1 = static_cast<std::ptrdiff_t>(kPad - 1);
  for (std::size_t s = kPad - 1; s + kPad - 1 < padded_[axis]; ++s) {
    std::ptrdiff_t seed = static_cast<std::ptrdiff_t>(s) * stride_[axis];
    for (int a = 0; a < 3; ++a)
      if (a != axis) seed += pad1 * stride_[a];
    flood(static_cast<std::size_t>(seed), 0, moves);
  }
  for (std::uint8_t& x : v_) {
    if (x == 0) x = 1;  // background the flood did not reach: a hole
    x &= static_cast<std::uint8_t>(~kVisited);
  }
}

std::uint8_t* BinaryVolume::interior_row(std::size_t j, std::size_t k) {
  return &v_[kPad + padded_[0] * (j + kPad + padded_[1] * (k + kPad))];
}

namespace {

struct DenseGrid {
  Size3 size{0, 0, 0};
  std::vector<std::uint8_t> v;
  std::size_t linear(std::size_t i, std::size_t j, std::size_t k) const {
    return i + size[0] * (j + size[1] * k);
  }
};

// out(x) = OR (dilate) or AND (erode) of in(x + t·e_axis) over |t| <= r and inside the grid. Whole rows at
// once (vectorises).
void morph_axis(const DenseGrid& in, DenseGrid& out, int axis, std::ptrdiff_t r, bool dilate) {
  const Size3& s = in.size;
  const auto nx = static_cast<std::ptrdiff_t>(s[0]);
  for (std::size_t k = 0; k < s[2]; ++k)
    for (std::size_t j = 0; j < s[1]; ++j) {
      std::uint8_t* dst = &out.v[out.linear(0, j, k)];
      std::fill_n(dst, s[0], dilate ? 0 : 1);
      for (std::ptrdiff_t t = -r; t <= r; ++t) {
        std::ptrdiff_t begin = 0, end = nx;  // range of i
        const std::uint8_t* src = nullptr;   // input row aligned with dst
        if (axis == 0) {
          begin = std::max<std::ptrdiff_t>(0, -t);
          end = std::min(nx, nx - t);
          src = &in.v[in.linear(0, j, k)] + t;
        } else {
          const std::ptrdiff_t c = static_cast<std::ptrdiff_t>(axis == 1 ? j : k) + t;
          if (c < 0 || c >= static_cast<std::ptrdiff_t>(s[axis])) continue;
          const auto cu = static_cast<std::size_t>(c);
          src = &in.v[axis == 1 ? in.linear(0, cu, k) : in.linear(0, j, cu)];
        }
        if (dilate) {
          for (std::ptrdiff_t i = begin; i < end; ++i) dst[i] |= src[i];
        } else {
          for (std::ptrdiff_t i = begin; i < end; ++i) dst[i] &= src[i];
        }
      }
    }
}

}  // namespace

void BinaryVolume::close(const Size3& radius) {
  // Works on a copy padded by the radius with background: the closing of the mask in an unbounded image
  // with background outside (so it never removes foreground and never fills towards the border).
  DenseGrid a, b;
  for (int d = 0; d < 3; ++d) a.size[d] = geometry_.size[d] + 2 * radius[d];
  a.v.assign(a.size[0] * a.size[1] * a.size[2], 0);
  b = a;
  for (std::size_t k = 0; k < geometry_.size[2]; ++k)
    for (std::size_t j = 0; j < geometry_.size[1]; ++j)
      std::copy_n(interior_row(j, k), geometry_.size[0],
                  &a.v[a.linear(radius[0], j + radius[1], k + radius[2])]);
  for (const bool dilate : {true, false})
    for (int d = 0; d < 3; ++d)
      if (radius[d] > 0) {
        morph_axis(a, b, d, static_cast<std::ptrdiff_t>(radius[d]), dilate);
        std::swap(a, b);
      }
  for (std::size_t k = 0; k < geometry_.size[2]; ++k)
    for (std::size_t j = 0; j < geometry_.size[1]; ++j)
      std::copy_n(&a.v[a.linear(radius[0], j + radius[1], k + radius[2])], geometry_.size[0],
                  interior_row(j, k));
}

}  // namespace oncotrack::preprocess::detail
