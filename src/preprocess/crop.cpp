#include "oncotrack/preprocess/crop.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "oncotrack/core/error.h"
#include "step_ops.h"

namespace oncotrack::preprocess {

SpatialRecord plan_crop(const Mask& foreground, double margin_mm) {
  const Geometry& g = foreground.geometry;
  if (foreground.voxels.size() != g.voxel_count())
    throw Error("mask buffer does not match its geometry", {}, std::to_string(g.voxel_count()) + " voxels",
                std::to_string(foreground.voxels.size()) + " voxels");
  if (!(margin_mm >= 0) || !std::isfinite(margin_mm))
    throw Error("invalid crop margin", {}, "a finite margin >= 0 mm", std::to_string(margin_mm));
  Size3 lo = g.size, hi{0, 0, 0};  // hi exclusive
  std::size_t n = 0;
  for (std::size_t k = 0; k < g.size[2]; ++k)
    for (std::size_t j = 0; j < g.size[1]; ++j)
      for (std::size_t i = 0; i < g.size[0]; ++i, ++n) {
        if (foreground.voxels[n] == 0) continue;
        const Size3 ijk{i, j, k};
        for (int a = 0; a < 3; ++a) {
          lo[a] = std::min(lo[a], ijk[a]);
          hi[a] = std::max(hi[a], ijk[a] + 1);
        }
      }
  if (hi[0] == 0) throw Error("cannot crop to an empty foreground mask", {}, "some foreground", "0 voxels");

  SpatialRecord r;
  r.step = SpatialStep::crop;
  r.input = g;
  r.output = g;
  Vec3 first{0, 0, 0};
  for (int a = 0; a < 3; ++a) {
    const auto grow = static_cast<std::size_t>(std::ceil(margin_mm / g.spacing_mm[a]));
    const std::size_t begin = lo[a] > grow ? lo[a] - grow : 0;
    const std::size_t end = std::min(g.size[a], hi[a] + grow);
    r.offset[a] = begin;
    r.output.size[a] = end - begin;
    first[a] = static_cast<double>(begin);
  }
  r.output.origin_mm_lps = g.index_to_lps(first);
  return r;
}

namespace detail {

namespace {
// Copies the rows of the crop box between the full grid (record.input) and the box (record.output).
template <class T>
void copy_box(const Volume<T>& from, Volume<T>& to, const SpatialRecord& r, bool to_box) {
  const Geometry& full = r.input;
  const Size3& box = r.output.size;
  for (std::size_t k = 0; k < box[2]; ++k)
    for (std::size_t j = 0; j < box[1]; ++j) {
      const std::size_t f = full.linear(r.offset[0], r.offset[1] + j, r.offset[2] + k);
      const std::size_t b = r.output.linear(0, j, k);
      if (to_box) {
        std::memcpy(&to.voxels[b], &from.voxels[f], box[0] * sizeof(T));
      } else {
        std::memcpy(&to.voxels[f], &from.voxels[b], box[0] * sizeof(T));
      }
    }
}
}  // namespace

template <class T>
Volume<T> crop_box(const Volume<T>& volume, const SpatialRecord& r) {
  Volume<T> out(r.output);
  copy_box(volume, out, r, true);
  return out;
}

template <class T>
Volume<T> pad_box(const Volume<T>& volume, const SpatialRecord& r) {
  Volume<T> out(r.input, T{0});
  copy_box(volume, out, r, false);
  return out;
}

template ImageF crop_box(const ImageF&, const SpatialRecord&);
template Mask crop_box(const Mask&, const SpatialRecord&);
template ImageF pad_box(const ImageF&, const SpatialRecord&);
template Mask pad_box(const Mask&, const SpatialRecord&);

}  // namespace detail

}  // namespace oncotrack::preprocess
