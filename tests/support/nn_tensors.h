#pragma once
// Small helpers for the engine's operator tests: random tensors, bitwise comparison, and running an operator
// with a given thread count into an owning tensor.
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "oncotrack/nn/activation.h"
#include "oncotrack/nn/arena.h"
#include "oncotrack/nn/elementwise.h"
#include "oncotrack/nn/error.h"
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

// The NnError message f throws, or "no error".
inline std::string nn_error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const nn::NnError& e) {
    return e.what();
  }
  return "no error";
}

// Capacity of the arena after a first op.forward(x), and after two more passes (each after reset()): equal
// when passes after the first allocate nothing new.
template <class Op>
std::pair<std::size_t, std::size_t> arena_capacity_over_passes(const Op& op, const nn::Tensor& x) {
  nn::ThreadPool pool(2);
  nn::Arena arena;
  nn::Exec exec{pool, arena};
  op.forward(x, exec);
  arena.reset();
  const std::size_t first = arena.capacity_floats();
  op.forward(x, exec);
  arena.reset();
  op.forward(x, exec);
  return {first, arena.capacity_floats()};
}

// Whether conv.forward_concat(a, b) equals conv.forward(concat(a, b)) bit for bit (leaky ReLU epilogue), with
// 1 and with 3 threads; `arena` holds the activations. The thread count that differed, or -1.
template <class Conv>
int concat_mismatch(const Conv& conv, const nn::Tensor& a, const nn::Tensor& b, nn::Arena& arena) {
  nn::ThreadPool pool(2);
  nn::Exec exec{pool, arena};
  const nn::Tensor expected =
      conv.forward(nn::concat_channels({&a, &b}, exec), exec, nn::Activation::leaky_relu(0.3f));
  for (int threads : {1, 3}) {
    nn::ThreadPool other(threads);
    nn::Exec e{other, arena};
    if (!same_bits(conv.forward_concat(a, b, e, nn::Activation::leaky_relu(0.3f)), expected)) return threads;
  }
  return -1;
}

}  // namespace oncotrack::testing
