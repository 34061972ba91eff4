#include "oncotrack/preprocess/normalize.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "oncotrack/core/error.h"
#include "oncotrack/preprocess/spatial_record.h"

namespace oncotrack::preprocess {

namespace {

// Linear interpolation between the order statistics around p/100 · (n − 1). Reorders `v`.
double percentile(std::vector<float>& v, double p) {
  const double rank = p / 100 * static_cast<double>(v.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(rank));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(below), v.end());
  const double lo = static_cast<double>(v[below]);
  if (below + 1 >= v.size()) return lo;
  const double hi =
      static_cast<double>(*std::min_element(v.begin() + static_cast<std::ptrdiff_t>(below) + 1, v.end()));
  return lo + (rank - static_cast<double>(below)) * (hi - lo);
}

}  // namespace

void validate(const NormalizeOptions& o, const std::string& key_prefix) {
  if (!(o.lower_percentile >= 0 && o.lower_percentile < 100))
    throw Error("invalid value for " + key_prefix + "lower_percentile", {}, "a value in [0, 100)",
                std::to_string(o.lower_percentile));
  if (!(o.upper_percentile > o.lower_percentile && o.upper_percentile <= 100))
    throw Error("invalid value for " + key_prefix + "upper_percentile", {},
                "a value in (lower_percentile, 100]", std::to_string(o.upper_percentile));
}

Normalized normalize(const ImageF& image, const Mask* mask, const NormalizeOptions& options) {
  validate(options, "normalisation option ");
  const Geometry& g = image.geometry;
  if (image.voxels.size() != g.voxel_count())
    throw Error("image buffer does not match its geometry", {}, std::to_string(g.voxel_count()) + " voxels",
                std::to_string(image.voxels.size()) + " voxels");
  if (mask != nullptr && (!same_grid(mask->geometry, g) || mask->voxels.size() != g.voxel_count()))
    throw Error("normalisation mask is not on the image grid", {}, describe_geometry(g),
                describe_geometry(mask->geometry));
  std::vector<float> inside;
  for (std::size_t v = 0; v < image.voxels.size(); ++v)
    if (mask == nullptr || mask->voxels[v] != 0) inside.push_back(image.voxels[v]);
  if (inside.empty()) throw Error("cannot normalise: the mask is empty", {}, "some voxels", "0 voxels");

  Normalized out;
  out.mask_voxels = inside.size();
  out.upper_value = percentile(inside, options.upper_percentile);
  out.lower_value = percentile(inside, options.lower_percentile);
  double sum = 0;
  for (float x : inside) sum += std::clamp(static_cast<double>(x), out.lower_value, out.upper_value);
  const auto n = static_cast<double>(inside.size());
  out.mean = sum / n;
  double variance = 0;
  for (float x : inside) {
    const double d = std::clamp(static_cast<double>(x), out.lower_value, out.upper_value) - out.mean;
    variance += d * d;
  }
  out.sd = std::sqrt(variance / n);
  if (!(out.sd > 0))
    throw Error("cannot normalise: no intensity spread inside the mask", {}, "sd > 0 after clipping", "sd 0");
  out.image = image;
  for (float& x : out.image.voxels)
    x = static_cast<float>((std::clamp(static_cast<double>(x), out.lower_value, out.upper_value) - out.mean) /
                           out.sd);
  return out;
}

}  // namespace oncotrack::preprocess
