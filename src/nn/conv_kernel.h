#pragma once
// Internal to nn/: the register-blocked micro-kernels behind Conv3d and ConvTranspose3d.
//
// A kernel call computes one output row segment for one block of kConvBlock output channels:
//   out[co][j·O] = bias[co] + Σ_ci Σ_t  w[ci·w_ci_stride + w_tap[t] + co] · x[ci·x_ci_stride + x_tap[t] +
//   j·S]
// for j in [0, columns), with input stride S between columns and output stride O.
// Every output value is one fused-multiply-add chain in the fixed order (ci, t), starting from the bias,
// whatever the ISA, the tile shape or the thread running it: results are bitwise identical across thread
// counts and across the AVX2 / AVX-512 / portable kernels. Vectors run over the 16 output channels of a block
// and inputs are broadcast, so any input stride and any row length work without computing wasted columns.
#include <cstdint>

namespace oncotrack::nn::detail {

constexpr int kConvBlock = 16;  // output channels per packed weight block, all ISAs

struct ConvRow {
  const float* x;             // input at column 0 of the row (tap offsets are added to it)
  std::int64_t x_ci_stride;   // floats between input channels
  const std::int64_t* x_tap;  // per tap: offset of its input from x
  const int* w_tap;           // per tap: offset of its weights inside one channel's packed weights
  int taps;  // taps actually read (taps whose rows lie wholly in the zero padding are skipped)
  int cin;
  const float* w;     // packed weights of the block, [cin][all taps][kConvBlock], 64-byte aligned
  int w_ci_stride;    // floats between input channels in w
  const float* bias;  // kConvBlock values
  float* out;         // output channel 0 of the block at column 0
  std::int64_t out_co_stride;
  int co_count;  // output channels of the block that exist (≤ kConvBlock)
  int columns;
};

// S = input stride (1 or 2), O = output stride (1, or 2 for the transposed conv). kS1Minor is the Winograd
// GEMM: one tap at offset 0 (taps, x_tap and w_tap are not read), channel-minor outputs out[j·kConvBlock + co]
// for all kConvBlock channels (those past co_count are zero when their weights and bias are), out 64-byte
// aligned; out_co_stride and co_count are not read.
enum class RowKind { kS1, kS2, kS1O2, kS1Minor };
using RowFn = void (*)(const ConvRow&);

enum class ConvIsa { kPortable, kAvx2, kAvx512 };

bool conv_isa_supported(ConvIsa isa);
// The kernels in use: the best this CPU supports unless set_conv_isa() chose another.
ConvIsa conv_isa();
// For tests and the benchmark; throws NnError when the CPU lacks the ISA. Not thread-safe with running convs.
void set_conv_isa(ConvIsa isa);
const char* conv_isa_name(ConvIsa isa);
RowFn conv_row_fn(RowKind kind);

// Per-ISA tables, indexed by RowKind (defined in conv_kernel_<isa>.cpp).
const RowFn* conv_rows_portable();
const RowFn* conv_rows_avx2();
const RowFn* conv_rows_avx512();

}  // namespace oncotrack::nn::detail
