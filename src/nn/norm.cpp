#include "oncotrack/nn/norm.h"

#include <algorithm>
#include <cmath>

#include "oncotrack/nn/error.h"

namespace oncotrack::nn {
namespace {

// Σx and Σx² in double, four interleaved accumulators (a fixed order, so thread-independent).
void moments(const float* v, std::int64_t n, double& sum, double& sum2) {
  double s[4] = {0, 0, 0, 0}, q[4] = {0, 0, 0, 0};
  std::int64_t i = 0;
  for (; i + 4 <= n; i += 4)
    for (int k = 0; k < 4; ++k) {
      const auto x = static_cast<double>(v[i + k]);
      s[k] += x;
      q[k] += x * x;
    }
  for (; i < n; ++i) {
    const auto x = static_cast<double>(v[i]);
    s[0] += x;
    q[0] += x * x;
  }
  sum = (s[0] + s[1]) + (s[2] + s[3]);
  sum2 = (q[0] + q[1]) + (q[2] + q[3]);
}

}  // namespace

void instance_norm(Tensor& x, const Tensor& gamma, const Tensor& beta, float eps, Activation act,
                   ThreadPool& pool) {
  if (x.rank() < 3) throw NnError("instance norm needs spatial axes", {}, "[N,C,...]", to_string(x.shape()));
  const std::int64_t n = x.dim(0), c = x.dim(1), inner = x.size() / (n * c);
  const bool affine = !gamma.empty() || !beta.empty();
  if (affine) {
    require_shape(gamma, {c}, "instance norm weight");
    require_shape(beta, {c}, "instance norm bias");
  }
  float* p = x.data();
  pool.parallel_for(n * c, [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t t = b; t < e; ++t) {
      float* v = p + t * inner;
      double sum = 0, sum2 = 0;
      moments(v, inner, sum, sum2);
      const double mean = sum / static_cast<double>(inner);
      // E[x²] − mean² in double: cancellation matters only when mean²/var exceeds ~1e10.
      const double var = std::max(0.0, sum2 / static_cast<double>(inner) - mean * mean);
      const double inv = 1.0 / std::sqrt(var + static_cast<double>(eps));
      const std::int64_t ch = t % c;
      const double g = affine ? static_cast<double>(gamma.data()[ch]) : 1.0;
      const float scale = static_cast<float>(g * inv);
      const float shift =
          static_cast<float>((affine ? static_cast<double>(beta.data()[ch]) : 0.0) - mean * g * inv);
      // Normalise and activate in cache-sized chunks: one pass over memory.
      constexpr std::int64_t kChunk = 2048;
      for (std::int64_t i = 0; i < inner; i += kChunk) {
        const std::int64_t m = std::min(kChunk, inner - i);
        float* chunk = v + i;
        for (std::int64_t k = 0; k < m; ++k) chunk[k] = chunk[k] * scale + shift;
        activate(chunk, m, act);
      }
    }
  });
}

}  // namespace oncotrack::nn
