#include "oncotrack/preprocess/reorient.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>

#include "oncotrack/core/error.h"
#include "step_ops.h"

namespace oncotrack::preprocess {

SpatialRecord plan_reorient(const Geometry& g) {
  if (g.voxel_count() == 0) throw Error("cannot reorient an empty grid", {}, "a non-empty grid", "0 voxels");
  std::array<int, 3> perm{0, 1, 2};
  std::array<int, 3> best = perm;
  double best_score = -1;
  do {  // perm[a] = input axis assigned to LPS axis a
    double score = 0;
    for (int a = 0; a < 3; ++a) score += std::abs(g.direction[a][perm[a]]);
    if (score > best_score) {
      best_score = score;
      best = perm;
    }
  } while (std::next_permutation(perm.begin(), perm.end()));

  SpatialRecord r;
  r.step = SpatialStep::reorient;
  r.input = g;
  r.input_axis = best;
  Vec3 first_voxel{0, 0, 0};  // input ijk of output voxel (0, 0, 0)
  for (int a = 0; a < 3; ++a) {
    const int c = best[a];
    const double cosine = g.direction[a][c];
    if (cosine == 0 || !std::isfinite(cosine))
      throw Error("cannot reorient: singular direction matrix", {}, "a non-singular direction",
                  describe_geometry(g));
    r.flip[a] = cosine < 0;
    r.output.size[a] = g.size[c];
    r.output.spacing_mm[a] = g.spacing_mm[c];
    for (int row = 0; row < 3; ++row)
      r.output.direction[row][a] = r.flip[a] ? 0.0 - g.direction[row][c] : g.direction[row][c];  // no -0
    if (r.flip[a]) first_voxel[c] = static_cast<double>(g.size[c] - 1);
  }
  r.output.origin_mm_lps = g.index_to_lps(first_voxel);
  return r;
}

namespace detail {

template <class T>
Volume<T> permute_axes(const Volume<T>& volume, const SpatialRecord& r, bool inverse) {
  const Geometry& in = r.input;
  const Geometry& out = r.output;
  const std::array<std::ptrdiff_t, 3> in_stride{1, static_cast<std::ptrdiff_t>(in.size[0]),
                                                static_cast<std::ptrdiff_t>(in.size[0] * in.size[1])};
  // Input linear index of output voxel (0,0,0) and its step along each output axis.
  std::ptrdiff_t start = 0;
  std::array<std::ptrdiff_t, 3> step{};
  for (int a = 0; a < 3; ++a) {
    const int c = r.input_axis[a];
    step[a] = r.flip[a] ? -in_stride[c] : in_stride[c];
    if (r.flip[a]) start += static_cast<std::ptrdiff_t>(in.size[c] - 1) * in_stride[c];
  }
  Volume<T> result(inverse ? in : out);
  const T* src = volume.voxels.data();
  T* dst = result.voxels.data();
  std::size_t n = 0;  // output linear index
  for (std::size_t k = 0; k < out.size[2]; ++k) {
    for (std::size_t j = 0; j < out.size[1]; ++j) {
      std::ptrdiff_t m =
          start + static_cast<std::ptrdiff_t>(j) * step[1] + static_cast<std::ptrdiff_t>(k) * step[2];
      for (std::size_t i = 0; i < out.size[0]; ++i, ++n, m += step[0]) {
        if (inverse) {
          dst[m] = src[n];
        } else {
          dst[n] = src[m];
        }
      }
    }
  }
  return result;
}

template ImageF permute_axes(const ImageF&, const SpatialRecord&, bool);
template Mask permute_axes(const Mask&, const SpatialRecord&, bool);

}  // namespace detail

}  // namespace oncotrack::preprocess
