#pragma once
// A 3×3×3 stride-1 convolution of a nearest-neighbour ×2 upsampled input, without forming the upsampled
// tensor: forward(x) equals Conv3d(weight, bias, 1, padding).forward(upsample_nearest2(x)) up to float
// rounding (the sums below are reassociated), with 8/27 of the multiply-adds.
//
// Input [N,Cin,D,H,W] → output [N,Cout,2D,2H,2W], weight [Cout,Cin,3,3,3] (PyTorch layout), optional bias
// [Cout], an activation fused into the epilogue. Both padding modes pad a 3-tap stride-1 axis by 1 on each
// side, so they give the same result. Sub-pixel identity, per axis (u = upsampled input, zero outside):
//   out[2i]   = w0·u[2i−1] + w1·u[2i]   + w2·u[2i+1] = w0·x[i−1]      + (w1+w2)·x[i]
//   out[2i+1] = w0·u[2i]   + w1·u[2i+1] + w2·u[2i+2] = (w0+w1)·x[i]   + w2·x[i+1]
// with x zero outside [0, n) exactly where u is zero outside [0, 2n). Each of the 8 output parity classes is
// thus a 2×2×2 convolution of x with its own summed weights. Outputs are allocated from exec.arena; results
// are bitwise identical for any thread count.
#include <memory>

#include "oncotrack/nn/activation.h"
#include "oncotrack/nn/conv3d.h"
#include "oncotrack/nn/exec.h"
#include "oncotrack/nn/tensor.h"

namespace oncotrack::nn {

class UpsampleConv3d {
 public:
  // Throws NnError naming the problem when the weight is not [Cout,Cin,3,3,3], the bias is not empty or
  // [Cout], or the stride is not 1. Weights are summed per parity class and packed at construction.
  UpsampleConv3d(const Tensor& weight, const Tensor& bias, int stride, Padding padding);
  ~UpsampleConv3d();
  UpsampleConv3d(UpsampleConv3d&&) noexcept;
  UpsampleConv3d& operator=(UpsampleConv3d&&) noexcept;

  int in_channels() const;
  int out_channels() const;

  // Throws NnError when the input is not 5-D with in_channels() channels.
  Shape output_shape(const Shape& input) const;
  Tensor forward(const Tensor& x, Exec& exec, Activation act = {}) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace oncotrack::nn
