#pragma once
// Transposed 3-D convolution with kernel 2 and stride 2 (learned ×2 upsampling): input [N,Cin,D,H,W] → output
// [N,Cout,2D,2H,2W]; weight [Cin,Cout,2,2,2] (PyTorch layout), optional bias [Cout]. Every output voxel
// receives exactly one tap per input channel, so the result is a GEMM followed by a scatter. Bitwise
// identical for any thread count.
#include <memory>

#include "oncotrack/nn/activation.h"
#include "oncotrack/nn/exec.h"
#include "oncotrack/nn/tensor.h"

namespace oncotrack::nn {

class ConvTranspose3d {
 public:
  ConvTranspose3d(const Tensor& weight, const Tensor& bias);  // throws NnError on bad shapes
  ~ConvTranspose3d();
  ConvTranspose3d(ConvTranspose3d&&) noexcept;
  ConvTranspose3d& operator=(ConvTranspose3d&&) noexcept;

  int in_channels() const;
  int out_channels() const;
  Shape output_shape(const Shape& input) const;
  Tensor forward(const Tensor& x, Exec& exec, Activation act = {}) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace oncotrack::nn
