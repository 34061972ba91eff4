#pragma once
// 3-D convolution, the engine's hot path.
//
// Input [N,Cin,D,H,W] → output [N,Cout,D',H',W'], weight [Cout,Cin,k,k,k] (PyTorch layout, k = 1 or 3),
// optional bias [Cout], stride 1 or 2 (same on all axes), and an activation fused into the epilogue.
// Padding, per axis of input size n:
//   kSymmetric (PyTorch, padding = k/2 on both sides): n' = (n + 2*(k/2) - k) / s + 1
//   kTfSame   (TensorFlow/Keras "same"):               n' = ceil(n / s); total padding
//             max((n'-1)*s + k - n, 0), of which floor(total/2) before and the rest after.
// For stride 1 both modes agree. Outputs are allocated from exec.arena. Work is split over independent output
// tiles with a fixed reduction order, so results are bitwise identical for any thread count.
// Stride-1 3×3×3 convolutions with at least 16 input channels on inputs of at least 16 2×2×2 tiles run as
// Winograd F(2×2×2, 3×3×3) (3.4× fewer multiplications; src/nn/conv_winograd.h), the others directly. The two
// round differently (both well within 1e-5 of the output scale of a double-precision convolution), each is
// bitwise reproducible across thread counts and kernel ISAs.
#include <memory>

#include "oncotrack/nn/activation.h"
#include "oncotrack/nn/exec.h"
#include "oncotrack/nn/tensor.h"

namespace oncotrack::nn {

enum class Padding { kSymmetric, kTfSame };

class Conv3d {
 public:
  // Throws NnError naming the problem when the weight is not [Cout,Cin,k,k,k] with k in {1,3}, the bias is
  // not empty or [Cout], or the stride is not 1 or 2. Weights are copied (and packed) at construction.
  Conv3d(const Tensor& weight, const Tensor& bias, int stride, Padding padding);
  ~Conv3d();
  Conv3d(Conv3d&&) noexcept;
  Conv3d& operator=(Conv3d&&) noexcept;

  int in_channels() const;
  int out_channels() const;
  int kernel() const;
  int stride() const;
  Padding padding() const;

  // Throws NnError when the input is not 5-D with in_channels() channels.
  Shape output_shape(const Shape& input) const;
  // Multiply-adds ×2 for this input shape (for GFLOP/s figures).
  double flops(const Shape& input) const;
  Tensor forward(const Tensor& x, Exec& exec, Activation act = {}) const;
  // forward(concat_channels({a, b})) without building the concatenation: a's channels come first. Bitwise the
  // same result. Throws NnError unless a and b agree on N,D,H,W and their channels add up to in_channels().
  Tensor forward_concat(const Tensor& a, const Tensor& b, Exec& exec, Activation act = {}) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Folds an inference-time batch norm that follows a convolution into the convolution's weight [Cout,...] and
// bias [Cout] (created when empty): w' = w·γ/√(σ²+ε), b' = (b − μ)·γ/√(σ²+ε) + β.
void fold_batch_norm(Tensor& weight, Tensor& bias, const Tensor& gamma, const Tensor& beta,
                     const Tensor& mean, const Tensor& variance, float eps);

}  // namespace oncotrack::nn
