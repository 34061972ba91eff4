#include "oncotrack/nn/resize.h"

#include <algorithm>

#include "oncotrack/nn/error.h"

namespace oncotrack::nn {
namespace {

Shape doubled(const Tensor& x) {
  if (x.rank() != 5) throw NnError("upsampling needs a 5-D tensor", {}, "[N,C,D,H,W]", to_string(x.shape()));
  return {x.dim(0), x.dim(1), 2 * x.dim(2), 2 * x.dim(3), 2 * x.dim(4)};
}

struct Tap {
  std::int64_t lo, hi;
  float w_hi;
};

// PyTorch's source index for align_corners=False at scale 1/2.
Tap tap(std::int64_t t, std::int64_t n) {
  const float s = std::max(0.0f, (static_cast<float>(t) + 0.5f) * 0.5f - 0.5f);
  const auto lo = static_cast<std::int64_t>(s);
  return {lo, lo < n - 1 ? lo + 1 : lo, s - static_cast<float>(lo)};
}

}  // namespace

Tensor upsample_nearest2(const Tensor& x, Exec& exec) {
  Tensor y = exec.arena.tensor(doubled(x));
  const std::int64_t d = x.dim(2), h = x.dim(3), w = x.dim(4);
  const float* px = x.data();
  float* py = y.data();
  exec.pool.parallel_for(x.dim(0) * x.dim(1) * d, [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t t = b; t < e; ++t) {
      const float* in = px + t * h * w;
      float* out = py + t * 8 * h * w;  // output slices 2·(t mod d) and +1 of the same (n, c)
      for (std::int64_t j = 0; j < h; ++j) {
        float* row = out + 2 * j * 2 * w;
        for (std::int64_t i = 0; i < w; ++i) row[2 * i] = row[2 * i + 1] = in[j * w + i];
        std::copy(row, row + 2 * w, row + 2 * w);
      }
      std::copy(out, out + 4 * h * w, out + 4 * h * w);
    }
  });
  return y;
}

Tensor upsample_trilinear2(const Tensor& x, Exec& exec) {
  Tensor y = exec.arena.tensor(doubled(x));
  const std::int64_t d = x.dim(2), h = x.dim(3), w = x.dim(4);
  const float* px = x.data();
  float* py = y.data();
  exec.pool.parallel_for(x.dim(0) * x.dim(1) * 2 * d, [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t t = b; t < e; ++t) {
      const std::int64_t nc = t / (2 * d), z = t % (2 * d);
      const float* in = px + nc * d * h * w;
      float* out = py + t * 4 * h * w;
      const Tap tz = tap(z, d);
      for (std::int64_t yy = 0; yy < 2 * h; ++yy) {
        const Tap ty = tap(yy, h);
        for (std::int64_t xx = 0; xx < 2 * w; ++xx) {
          const Tap tx = tap(xx, w);
          auto v = [&](std::int64_t k, std::int64_t j, std::int64_t i) { return in[(k * h + j) * w + i]; };
          auto plane = [&](std::int64_t k) {
            const float a = (1 - tx.w_hi) * v(k, ty.lo, tx.lo) + tx.w_hi * v(k, ty.lo, tx.hi);
            const float c = (1 - tx.w_hi) * v(k, ty.hi, tx.lo) + tx.w_hi * v(k, ty.hi, tx.hi);
            return (1 - ty.w_hi) * a + ty.w_hi * c;
          };
          out[yy * 2 * w + xx] = (1 - tz.w_hi) * plane(tz.lo) + tz.w_hi * plane(tz.hi);
        }
      }
    }
  });
  return y;
}

}  // namespace oncotrack::nn
