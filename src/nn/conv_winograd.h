#pragma once
// Internal to nn/: Winograd F(2×2×2, 3×3×3) for stride-1 3×3×3 convolutions (zero padding 1 on every side,
// which both padding modes give at stride 1), and the switch between it and the direct convolution.
//
// Per axis, with d the 4 inputs of a tile, g the 3 taps and m the 4 transformed products:
//   Bᵀ = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1],  G = [1 0 0; ½ ½ ½; ½ -½ ½; 0 0 1],
//   Aᵀ = [1 1 1 0; 0 1 -1 -1]
// and y = Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A, each factor applied along D, H and W. The output is cut into 2×2×2 tiles
// read from 4×4×4 input patches (zeros outside the volume; partial tiles at the far edges, their outputs
// past the volume dropped). For each of the 64 transformed positions ξ the products are summed over the
// input channels by the direct convolution's micro-kernel (detail::ConvRow with one tap, zero bias): a
// small GEMM [16 output channels] × [cin] × [tiles]. Bias and activation follow the output transform.
// The transforms use only additions and subtractions, in a fixed order per tile, and each output depends
// only on its own tile: results are bitwise identical for any thread count and any kernel ISA.
#include <cstdint>

#include "conv_pack.h"
#include "oncotrack/nn/activation.h"
#include "oncotrack/nn/exec.h"
#include "oncotrack/nn/tensor.h"

namespace oncotrack::nn::detail {

enum class ConvAlgorithm { kAuto, kDirect, kWinograd };

// kAuto (the default) runs Winograd where winograd_pays(); kDirect and kWinograd force one algorithm for
// every stride-1 3×3×3 conv (other convs are always direct). For tests and the benchmark; not thread-safe
// with running convs.
ConvAlgorithm conv_algorithm();
void set_conv_algorithm(ConvAlgorithm algorithm);
const char* conv_algorithm_name(ConvAlgorithm algorithm);

// Whether kAuto takes Winograd for a stride-1 3×3×3 conv of these channel counts on a D×H×W input.
bool winograd_pays(int cin, int cout, std::int64_t d, std::int64_t h, std::int64_t w);
// Whether a stride-1 3×3×3 conv runs Winograd under the current algorithm setting.
bool use_winograd(int cin, int cout, std::int64_t d, std::int64_t h, std::int64_t w);

// U = G g Gᵀ along each axis for every (co, ci) of a [cout,cin,3,3,3] weight, computed in double and rounded
// once, packed [64 ξ][ceil(cout/16) blocks][cin][16], zero past cout.
AlignedFloats winograd_weights(const float* weight, int cout, int cin);

struct WinogradConv {
  const float* weight;  // winograd_weights()
  const float* bias;    // [ceil(cout/16)·16]
  int cin, cout;
};

// y = act(conv(x ⧺ rest) + bias) for a stride-1 3×3×3 conv: x holds channels [0, x.dim(1)), rest (may be
// null) the channels after them; y is [N, cout, D, H, W] of the input's N, D, H, W.
void winograd_forward(const WinogradConv& conv, const Tensor& x, const Tensor* rest, Tensor& y, Exec& exec,
                      Activation act);

}  // namespace oncotrack::nn::detail
