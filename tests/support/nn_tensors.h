#pragma once
// Small helpers for the engine's operator tests: random tensors, bitwise comparison, and running an operator
// with a given thread count into an owning tensor.
#include <cstring>
#include <random>
#include <vector>

#include "oncotrack/nn/activation.h"
#include "oncotrack/nn/arena.h"
#include "oncotrack/nn/exec.h"
#include "oncotrack/nn/tensor.h"

namespace oncotrack::testing {

// Uniform in [-1, 1), reproducible from the seed.
inline nn::Tensor random_tensor(const nn::Shape& shape, unsigned seed) {
  nn::Tensor t(shape);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  for (float& v : t) v = uniform(rng);
  return t;
}

inline bool same_bits(const nn::Tensor& a, const nn::Tensor& b) {
  return a.shape() == b.shape() &&
         std::memcmp(a.data(), b.data(), sizeof(float) * static_cast<std::size_t>(a.size())) == 0;
}

// op.forward(x, exec, act) on `threads` threads, copied out of the arena.
template <class Op>
nn::Tensor run_with_threads(const Op& op, const nn::Tensor& x, int threads, nn::Activation act = {}) {
  nn::ThreadPool pool(threads);
  nn::Arena arena;
  nn::Exec exec{pool, arena};
  const nn::Tensor y = op.forward(x, exec, act);
  return nn::Tensor(y.shape(), std::vector<float>(y.begin(), y.end()));
}

}  // namespace oncotrack::testing
