// AVX2 + FMA kernels: 2 vectors of 8 output channels × 6 columns = 12 accumulators of the 16 ymm registers.
#include <immintrin.h>

#include "conv_kernel.h"

namespace oncotrack::nn::detail {
namespace {

// GCC and clang (the fuzz build) spell "compile these functions for avx2,fma" differently.
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#endif

struct V {
  using Reg = __m256;
  static constexpr int kWidth = 8;
  static constexpr int kVecs = 2;
  static constexpr int kNr = 6;
  static Reg load(const float* p) { return _mm256_loadu_ps(p); }
  static Reg broadcast(const float* p) { return _mm256_broadcast_ss(p); }
  static Reg fma(Reg a, Reg b, Reg c) { return _mm256_fmadd_ps(a, b, c); }
  static void store(float* p, Reg r) { _mm256_store_ps(p, r); }
};

#include "conv_kernel_body.h"

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

}  // namespace

const RowFn* conv_rows_avx2() {
  return kRows;
}

}  // namespace oncotrack::nn::detail
