#include "oncotrack/preprocess/body_mask.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "binary_morphology.h"
#include "oncotrack/core/error.h"

namespace oncotrack::preprocess {

namespace {

constexpr double kSmoothingSigmaVoxels = 1.0;  // of the finest spacing, the same in mm along every axis
constexpr double kKernelRadiusSigmas = 2.5;
constexpr double kLowPercentile = 2, kHighPercentile = 98;
constexpr double kThresholdFraction = 0.1;
constexpr double kClosingRadiusVoxels = 2.0;  // of the finest spacing

std::vector<float> gaussian_kernel(double sigma_voxels) {
  const auto radius = static_cast<std::size_t>(std::ceil(kKernelRadiusSigmas * sigma_voxels));
  std::vector<float> w(2 * radius + 1);
  double sum = 0;
  for (std::size_t t = 0; t < w.size(); ++t) {
    const double x = static_cast<double>(t) - static_cast<double>(radius);
    sum += std::exp(-0.5 * x * x / (sigma_voxels * sigma_voxels));
  }
  for (std::size_t t = 0; t < w.size(); ++t) {
    const double x = static_cast<double>(t) - static_cast<double>(radius);
    w[t] = static_cast<float>(std::exp(-0.5 * x * x / (sigma_voxels * sigma_voxels)) / sum);
  }
  return w;
}

// Separable Gaussian (sigma in mm), edges replicated, in place. Works on whole rows along i so the inner
// loops vectorise: along i through a row padded by replication, along j and k by combining rows.
void smooth(ImageF& image, double sigma_mm) {
  const Geometry& g = image.geometry;
  const std::size_t nx = g.size[0];
  std::vector<float> copy, padded;
  for (int axis = 0; axis < 3; ++axis) {
    const std::vector<float> w = gaussian_kernel(sigma_mm / g.spacing_mm[axis]);
    const auto r = static_cast<std::ptrdiff_t>(w.size() / 2);
    if (r == 0) continue;
    copy = image.voxels;
    for (std::size_t k = 0; k < g.size[2]; ++k)
      for (std::size_t j = 0; j < g.size[1]; ++j) {
        float* out = &image.voxels[g.linear(0, j, k)];
        if (axis == 0) {
          padded.assign(static_cast<std::size_t>(r), out[0]);
          padded.insert(padded.end(), out, out + nx);
          padded.insert(padded.end(), static_cast<std::size_t>(r), out[nx - 1]);
        }
        std::fill_n(out, nx, 0.0f);
        for (std::ptrdiff_t t = -r; t <= r; ++t) {
          const float wt = w[static_cast<std::size_t>(t + r)];
          const float* src = nullptr;
          if (axis == 0) {
            src = padded.data() + (t + r);
          } else {
            const auto last = static_cast<std::ptrdiff_t>(g.size[axis]) - 1;
            const auto c = static_cast<std::size_t>(
                std::clamp<std::ptrdiff_t>(static_cast<std::ptrdiff_t>(axis == 1 ? j : k) + t, 0, last));
            src = &copy[axis == 1 ? g.linear(0, c, k) : g.linear(0, j, c)];
          }
          for (std::size_t i = 0; i < nx; ++i) out[i] += wt * src[i];
        }
      }
  }
}

// Order statistics at ranks round(p/100 · (n − 1)) for p_low <= p_high.
std::pair<float, float> percentiles(std::vector<float> v, double p_low, double p_high) {
  const auto rank = [&v](double p) {
    return static_cast<std::ptrdiff_t>(std::llround(p / 100 * static_cast<double>(v.size() - 1)));
  };
  const auto lo = v.begin() + rank(p_low), hi = v.begin() + rank(p_high);
  std::nth_element(v.begin(), lo, v.end());
  std::nth_element(lo, hi, v.end());
  return {*lo, *hi};
}

}  // namespace

Mask body_mask(const ImageF& image) {
  const Geometry& g = image.geometry;
  if (g.voxel_count() == 0) throw Error("cannot compute a body mask of an empty image", {}, "voxels", "none");
  if (image.voxels.size() != g.voxel_count())
    throw Error("image buffer does not match its geometry", {}, std::to_string(g.voxel_count()) + " voxels",
                std::to_string(image.voxels.size()) + " voxels");
  const double finest_mm = *std::min_element(g.spacing_mm.begin(), g.spacing_mm.end());
  ImageF smoothed = image;
  smooth(smoothed, kSmoothingSigmaVoxels * finest_mm);
  const auto [lo, hi] = percentiles(smoothed.voxels, kLowPercentile, kHighPercentile);
  Mask mask(g, 0);
  if (!(hi > lo)) return mask;
  const auto threshold =
      static_cast<float>(static_cast<double>(lo) + kThresholdFraction * static_cast<double>(hi - lo));
  for (std::size_t v = 0; v < mask.voxels.size(); ++v)
    mask.voxels[v] = smoothed.voxels[v] > threshold ? 1 : 0;

  detail::BinaryVolume binary(mask);
  binary.keep_largest_component();
  Size3 radius{};
  for (int a = 0; a < 3; ++a)
    radius[a] = static_cast<std::size_t>(std::lround(kClosingRadiusVoxels * finest_mm / g.spacing_mm[a]));
  binary.close(radius);
  for (int a = 0; a < 3; ++a) binary.fill_slice_holes(a);
  return binary.to_mask();
}

}  // namespace oncotrack::preprocess
