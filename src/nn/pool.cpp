#include "oncotrack/nn/pool.h"

#include <algorithm>

#include "oncotrack/nn/error.h"

namespace oncotrack::nn {
namespace {

void require_5d(const Tensor& x, const char* op) {
  if (x.rank() != 5)
    throw NnError(std::string(op) + " needs a 5-D tensor", {}, "[N,C,D,H,W]", to_string(x.shape()));
}

template <bool kMax>
Tensor pool2(const Tensor& x, Exec& exec) {
  require_5d(x, kMax ? "max pooling" : "average pooling");
  const std::int64_t d = x.dim(2), h = x.dim(3), w = x.dim(4);
  if (d < 2 || h < 2 || w < 2)
    throw NnError("pooling by 2 needs at least 2 voxels per axis", {}, "D,H,W >= 2", to_string(x.shape()));
  const std::int64_t od = d / 2, oh = h / 2, ow = w / 2;
  Tensor y = exec.arena.tensor({x.dim(0), x.dim(1), od, oh, ow});
  const float* px = x.data();
  float* py = y.data();
  exec.pool.parallel_for(x.dim(0) * x.dim(1) * od, [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t t = b; t < e; ++t) {
      const std::int64_t nc = t / od, z = t % od;
      const float* in = px + nc * d * h * w;
      for (std::int64_t j = 0; j < oh; ++j)
        for (std::int64_t i = 0; i < ow; ++i) {
          float acc = kMax ? in[((2 * z) * h + 2 * j) * w + 2 * i] : 0.0f;
          for (int k = 0; k < 8; ++k) {
            const float v = in[((2 * z + (k >> 2)) * h + 2 * j + ((k >> 1) & 1)) * w + 2 * i + (k & 1)];
            acc = kMax ? std::max(acc, v) : acc + v;
          }
          py[(t * oh + j) * ow + i] = kMax ? acc : acc * 0.125f;
        }
    }
  });
  return y;
}

}  // namespace

Tensor max_pool2(const Tensor& x, Exec& exec) {
  return pool2<true>(x, exec);
}
Tensor avg_pool2(const Tensor& x, Exec& exec) {
  return pool2<false>(x, exec);
}

Tensor global_avg_pool(const Tensor& x, Exec& exec) {
  require_5d(x, "global average pooling");
  const std::int64_t inner = x.dim(2) * x.dim(3) * x.dim(4);
  Tensor y = exec.arena.tensor({x.dim(0), x.dim(1)});
  const float* px = x.data();
  float* py = y.data();
  exec.pool.parallel_for(x.dim(0) * x.dim(1), [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t t = b; t < e; ++t) {
      double sum = 0;
      for (std::int64_t i = 0; i < inner; ++i) sum += static_cast<double>(px[t * inner + i]);
      py[t] = static_cast<float>(sum / static_cast<double>(inner));
    }
  });
  return y;
}

}  // namespace oncotrack::nn
