// The micro-kernel template shared by every ISA (see conv_kernel.h for what a row computes). Not a normal
// header: conv_kernel_<isa>.cpp includes it inside an anonymous namespace, under that ISA's target pragma,
// after defining the traits struct V:
//   V::Reg; V::kWidth floats per Reg; V::kVecs Regs per block (kWidth·kVecs == kConvBlock); V::kNr columns
//   per tile (kVecs·kNr accumulators must fit the register file); V::load / broadcast / fma(a,b,c)=a·b+c /
//   store.
// A tile keeps kConvBlock×NR accumulators in registers for the whole reduction: per step it loads kVecs
// weight vectors and broadcasts NR inputs.

template <int NR, int S, int O>
void conv_tile(const ConvRow& r, const float* x, float* out) {
  typename V::Reg acc[V::kVecs][NR];
#pragma GCC unroll 4
  for (int v = 0; v < V::kVecs; ++v) {
    const typename V::Reg b = V::load(r.bias + v * V::kWidth);
#pragma GCC unroll 16
    for (int j = 0; j < NR; ++j) acc[v][j] = b;
  }
  // One reduction step: input xt (column 0), weights wt.
  const auto step = [&](const float* xt, const float* wt) {
    typename V::Reg w[V::kVecs];
#pragma GCC unroll 4
    for (int v = 0; v < V::kVecs; ++v) w[v] = V::load(wt + v * V::kWidth);
#pragma GCC unroll 16
    for (int j = 0; j < NR; ++j) {
      const typename V::Reg xb = V::broadcast(xt + j * S);
#pragma GCC unroll 4
      for (int v = 0; v < V::kVecs; ++v) acc[v][j] = V::fma(xb, w[v], acc[v][j]);
    }
  };
  if constexpr (O == kConvBlock) {  // one tap at offset 0 (the Winograd GEMMs): no tap loop
    for (int ci = 0; ci < r.cin; ++ci) step(x + ci * r.x_ci_stride, r.w + ci * r.w_ci_stride);
  } else {
    for (int ci = 0; ci < r.cin; ++ci) {
      const float* xc = x + ci * r.x_ci_stride;
      const float* wc = r.w + ci * r.w_ci_stride;
      for (int t = 0; t < r.taps; ++t) step(xc + r.x_tap[t], wc + r.w_tap[t]);
    }
  }
  if constexpr (O == kConvBlock) {  // channel-minor output: all kConvBlock channels of a column together
#pragma GCC unroll 16
    for (int j = 0; j < NR; ++j) {
#pragma GCC unroll 4
      for (int v = 0; v < V::kVecs; ++v) V::store(out + j * kConvBlock + v * V::kWidth, acc[v][j]);
    }
    return;
  }
  // Outputs are channel-major: transpose through a small buffer.
  alignas(64) float tmp[NR][kConvBlock];
#pragma GCC unroll 16
  for (int j = 0; j < NR; ++j) {
#pragma GCC unroll 4
    for (int v = 0; v < V::kVecs; ++v) V::store(tmp[j] + v * V::kWidth, acc[v][j]);
  }
  for (int co = 0; co < r.co_count; ++co) {
    float* o = out + co * r.out_co_stride;
#pragma GCC unroll 16
    for (int j = 0; j < NR; ++j) o[j * O] = tmp[j][co];
  }
}

template <int S, int O>
void conv_row(const ConvRow& r) {
  // A remainder of 2 after tiles of 6 runs as 4 + 4: 4 accumulators cannot hide the FMA latency.
  const int full = V::kNr == 6 && r.columns % 6 == 2 && r.columns > 6 ? r.columns - 8 : r.columns;
  int c = 0;
  for (; c + V::kNr <= full; c += V::kNr) conv_tile<V::kNr, S, O>(r, r.x + c * S, r.out + c * O);
  if (full != r.columns) conv_tile<4, S, O>(r, r.x + c * S, r.out + c * O), c += 4;
  // The remainder (< kNr columns) as tiles of 8, 4, 2, 1.
  if constexpr (V::kNr > 8) {
    if (r.columns - c >= 8) conv_tile<8, S, O>(r, r.x + c * S, r.out + c * O), c += 8;
  }
  if constexpr (V::kNr > 4) {
    if (r.columns - c >= 4) conv_tile<4, S, O>(r, r.x + c * S, r.out + c * O), c += 4;
  }
  if (r.columns - c >= 2) conv_tile<2, S, O>(r, r.x + c * S, r.out + c * O), c += 2;
  if (r.columns - c >= 1) conv_tile<1, S, O>(r, r.x + c * S, r.out + c * O);
}

// Indexed by RowKind.
constexpr RowFn kRows[] = {&conv_row<1, 1>, &conv_row<2, 1>, &conv_row<1, 2>, &conv_row<1, kConvBlock>};
