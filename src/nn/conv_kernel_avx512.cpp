// AVX-512 kernels: 1 vector of 16 output channels × 16 columns = 16 accumulators of the 32 zmm registers.
#include <immintrin.h>

#include "conv_kernel.h"

namespace oncotrack::nn::detail {
namespace {

// GCC and clang (the fuzz build) spell "compile these functions for avx512f" differently.
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx512f")
#endif

struct V {
  using Reg = __m512;
  static constexpr int kWidth = 16;
  static constexpr int kVecs = 1;
  static constexpr int kNr = 16;
  static Reg load(const float* p) { return _mm512_loadu_ps(p); }
  static Reg broadcast(const float* p) { return _mm512_set1_ps(*p); }
  static Reg fma(Reg a, Reg b, Reg c) { return _mm512_fmadd_ps(a, b, c); }
  static void store(float* p, Reg r) { _mm512_store_ps(p, r); }
};

#include "conv_kernel_body.h"

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

}  // namespace

const RowFn* conv_rows_avx512() {
  return kRows;
}

}  // namespace oncotrack::nn::detail
