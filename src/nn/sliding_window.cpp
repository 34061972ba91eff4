#include "oncotrack/nn/sliding_window.h"

#include <algorithm>
#include <cmath>

#include "oncotrack/nn/arena.h"
#include "oncotrack/nn/error.h"
#include "oncotrack/nn/exec.h"

namespace oncotrack::nn {

std::vector<std::int64_t> tile_starts(std::int64_t size, std::int64_t tile, double step) {
  if (size <= tile) return {0};
  const double stride = step * static_cast<double>(tile);
  const auto steps = static_cast<std::int64_t>(std::ceil(static_cast<double>(size - tile) / stride)) + 1;
  std::vector<std::int64_t> starts;
  for (std::int64_t i = 0; i < steps; ++i)
    starts.push_back(static_cast<std::int64_t>(std::llround(
        static_cast<double>(i) * static_cast<double>(size - tile) / static_cast<double>(steps - 1))));
  return starts;
}

std::vector<float> gaussian_importance(const Shape& tile) {
  std::vector<double> axis[3];
  for (int a = 0; a < 3; ++a) {
    const double sigma = static_cast<double>(tile[static_cast<std::size_t>(a)]) / 8.0;
    const double centre = (static_cast<double>(tile[static_cast<std::size_t>(a)]) - 1.0) / 2.0;
    for (std::int64_t i = 0; i < tile[static_cast<std::size_t>(a)]; ++i) {
      const double d = static_cast<double>(i) - centre;
      axis[a].push_back(std::exp(-d * d / (2 * sigma * sigma)));
    }
  }
  std::vector<float> map;
  map.reserve(static_cast<std::size_t>(tile[0] * tile[1] * tile[2]));
  double peak = 0;
  for (double z : axis[0])
    for (double y : axis[1])
      for (double x : axis[2]) peak = std::max(peak, z * y * x);
  for (double z : axis[0])
    for (double y : axis[1])
      for (double x : axis[2]) map.push_back(static_cast<float>(z * y * x / peak));
  float floor_value = 1.0f;
  for (float v : map)
    if (v > 0) floor_value = std::min(floor_value, v);
  for (float& v : map) v = std::max(v, floor_value);
  return map;
}

namespace {

// Flips a [1,K,d,h,w] tensor in place along the axes set in `mask` (bit 0: W, 1: H, 2: D).
void flip(Tensor& t, int mask) {
  if (mask == 0) return;
  const std::int64_t k = t.dim(1), d = t.dim(2), h = t.dim(3), w = t.dim(4);
  std::vector<float> copy(t.begin(), t.end());
  for (std::int64_t c = 0; c < k; ++c)
    for (std::int64_t z = 0; z < d; ++z)
      for (std::int64_t y = 0; y < h; ++y)
        for (std::int64_t x = 0; x < w; ++x) {
          const std::int64_t sz = mask & 4 ? d - 1 - z : z, sy = mask & 2 ? h - 1 - y : y,
                             sx = mask & 1 ? w - 1 - x : x;
          t.at(0, c, z, y, x) = copy[static_cast<std::size_t>(((c * d + sz) * h + sy) * w + sx)];
        }
}

}  // namespace

Tensor sliding_window(const Tensor& volume, const TilePredictor& predict, const SlidingWindowOptions& options,
                      ThreadPool& pool) {
  if (volume.rank() != 5 || volume.dim(0) != 1)
    throw NnError("sliding window needs one volume", {}, "[1,C,D,H,W]", to_string(volume.shape()));
  if (options.tile.size() != 3 || *std::min_element(options.tile.begin(), options.tile.end()) < 1)
    throw NnError("bad tile size", {}, "[td,th,tw] >= 1", to_string(options.tile));
  if (!(options.step > 0 && options.step <= 1))
    throw NnError("bad sliding-window step", {}, "0 < step <= 1", std::to_string(options.step));
  const Shape& tile = options.tile;
  const std::int64_t channels = volume.dim(1);
  const Shape size{volume.dim(2), volume.dim(3), volume.dim(4)};
  Shape padded(3);
  for (std::size_t a = 0; a < 3; ++a) padded[a] = std::max(size[a], tile[a]);
  std::vector<std::int64_t> starts[3];
  for (std::size_t a = 0; a < 3; ++a) starts[a] = tile_starts(padded[a], tile[a], options.step);
  const std::int64_t total =
      static_cast<std::int64_t>(starts[0].size() * starts[1].size() * starts[2].size());
  const std::vector<float> importance = gaussian_importance(tile);

  Arena arena;
  Exec exec{pool, arena};
  std::vector<float> sum, weight(static_cast<std::size_t>(padded[0] * padded[1] * padded[2]), 0.0f);
  std::int64_t labels = -1, done = 0;
  Tensor input({1, channels, tile[0], tile[1], tile[2]});
  for (std::int64_t z0 : starts[0])
    for (std::int64_t y0 : starts[1])
      for (std::int64_t x0 : starts[2]) {
        Tensor averaged;
        for (int mask = 0; mask < (options.mirror ? 8 : 1); ++mask) {
          for (std::int64_t c = 0; c < channels; ++c)
            for (std::int64_t z = 0; z < tile[0]; ++z)
              for (std::int64_t y = 0; y < tile[1]; ++y)
                for (std::int64_t x = 0; x < tile[2]; ++x) {
                  const std::int64_t vz = z0 + z, vy = y0 + y, vx = x0 + x;
                  input.at(0, c, z, y, x) = vz < size[0] && vy < size[1] && vx < size[2]
                                                ? volume.at(0, c, vz, vy, vx)
                                                : options.pad_value;
                }
          flip(input, mask);
          Tensor out = predict(input, exec);
          if (out.rank() != 5 || out.dim(0) != 1 || out.dim(2) != tile[0] || out.dim(3) != tile[1] ||
              out.dim(4) != tile[2])
            throw NnError("tile prediction has the wrong shape", {},
                          "[1,K," + std::to_string(tile[0]) + "," + std::to_string(tile[1]) + "," +
                              std::to_string(tile[2]) + "]",
                          to_string(out.shape()));
          Tensor own(out.shape(), std::vector<float>(out.begin(), out.end()));
          flip(own, mask);
          if (mask == 0) {
            averaged = std::move(own);
          } else {
            for (std::int64_t i = 0; i < own.size(); ++i) averaged.data()[i] += own.data()[i];
          }
          arena.reset();
        }
        if (options.mirror)
          for (float& v : averaged) v /= 8.0f;
        if (labels < 0) {
          labels = averaged.dim(1);
          sum.assign(static_cast<std::size_t>(labels) * weight.size(), 0.0f);
        }
        const std::int64_t plane = padded[0] * padded[1] * padded[2];
        for (std::int64_t z = 0; z < tile[0]; ++z)
          for (std::int64_t y = 0; y < tile[1]; ++y)
            for (std::int64_t x = 0; x < tile[2]; ++x) {
              const std::int64_t v = ((z0 + z) * padded[1] + y0 + y) * padded[2] + x0 + x;
              const float g = importance[static_cast<std::size_t>((z * tile[1] + y) * tile[2] + x)];
              weight[static_cast<std::size_t>(v)] += g;
              for (std::int64_t k = 0; k < labels; ++k)
                sum[static_cast<std::size_t>(k * plane + v)] += g * averaged.at(0, k, z, y, x);
            }
        if (options.progress) options.progress(++done, total);
      }
  Tensor result({1, labels, size[0], size[1], size[2]});
  for (std::int64_t k = 0; k < labels; ++k)
    for (std::int64_t z = 0; z < size[0]; ++z)
      for (std::int64_t y = 0; y < size[1]; ++y)
        for (std::int64_t x = 0; x < size[2]; ++x) {
          const auto v = static_cast<std::size_t>((z * padded[1] + y) * padded[2] + x);
          result.at(0, k, z, y, x) = sum[static_cast<std::size_t>(k) * weight.size() + v] / weight[v];
        }
  return result;
}

}  // namespace oncotrack::nn
