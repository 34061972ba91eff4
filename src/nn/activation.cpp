#include "oncotrack/nn/activation.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "oncotrack/nn/error.h"

namespace oncotrack::nn {

Activation Activation::parse(const std::string& name) {
  if (name == "none") return none();
  if (name == "relu") return relu();
  if (name == "sigmoid") return sigmoid();
  if (name == "tanh") return tanh();
  const std::string leaky = "leaky_relu:";
  if (name.rfind(leaky, 0) == 0) {
    try {
      std::size_t used = 0;
      const float a = std::stof(name.substr(leaky.size()), &used);
      if (used == name.size() - leaky.size() && std::isfinite(a)) return leaky_relu(a);
    } catch (const std::exception&) {
    }
  }
  throw NnError("unknown activation", {}, "none, relu, leaky_relu:<alpha>, sigmoid or tanh",
                "\"" + name + "\"");
}

void activate(float* p, std::int64_t n, Activation act) {
  switch (act.kind) {
    case Activation::Kind::kNone:
      return;
    case Activation::Kind::kRelu:
      for (std::int64_t i = 0; i < n; ++i) p[i] = std::max(p[i], 0.0f);
      return;
    case Activation::Kind::kLeakyRelu:
      // v < 0 ? alpha·v : v as a bit select, so it vectorises (GCC keeps the branch under -ftrapping-math).
      for (std::int64_t i = 0; i < n; ++i) {
        const float v = p[i], scaled = act.alpha * v;
        std::int32_t bits_v, bits_scaled;
        std::memcpy(&bits_v, &v, sizeof v);
        std::memcpy(&bits_scaled, &scaled, sizeof v);
        const std::int32_t negative = -static_cast<std::int32_t>(v < 0.0f);
        const std::int32_t bits = (bits_scaled & negative) | (bits_v & ~negative);
        std::memcpy(p + i, &bits, sizeof v);
      }
      return;
    case Activation::Kind::kSigmoid:
      for (std::int64_t i = 0; i < n; ++i) p[i] = 1.0f / (1.0f + std::exp(-p[i]));
      return;
    case Activation::Kind::kTanh:
      for (std::int64_t i = 0; i < n; ++i) p[i] = std::tanh(p[i]);
      return;
  }
}

void activate(Tensor& x, Activation act, ThreadPool& pool) {
  if (act.kind == Activation::Kind::kNone) return;
  constexpr std::int64_t kChunk = 1 << 14;
  const std::int64_t n = x.size();
  float* p = x.data();
  pool.parallel_for((n + kChunk - 1) / kChunk, [&](std::int64_t b, std::int64_t e) {
    const std::int64_t lo = b * kChunk, hi = std::min(n, e * kChunk);
    activate(p + lo, hi - lo, act);
  });
}

void softmax_channels(Tensor& x, ThreadPool& pool) {
  if (x.rank() < 2) throw NnError("softmax needs a channel axis", {}, "[N,C,...]", to_string(x.shape()));
  const std::int64_t n = x.dim(0), c = x.dim(1), inner = x.size() / (n * c);
  float* p = x.data();
  pool.parallel_for(n * inner, [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t t = b; t < e; ++t) {
      float* base = p + (t / inner) * c * inner + t % inner;
      float m = base[0];
      for (std::int64_t k = 1; k < c; ++k) m = std::max(m, base[k * inner]);
      float sum = 0;
      for (std::int64_t k = 0; k < c; ++k) sum += (base[k * inner] = std::exp(base[k * inner] - m));
      for (std::int64_t k = 0; k < c; ++k) base[k * inner] /= sum;
    }
  });
}

}  // namespace oncotrack::nn
