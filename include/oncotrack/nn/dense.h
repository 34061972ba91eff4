#pragma once
// Fully connected layer: [N,in] → [N,out], y = x·Wᵀ + b with an optional fused activation; weight [out,in]
// (PyTorch nn.Linear layout), bias [out] or empty. Result from exec.arena; rows are independent, so the
// result does not depend on the thread count.
#include "oncotrack/nn/activation.h"
#include "oncotrack/nn/exec.h"
#include "oncotrack/nn/tensor.h"

namespace oncotrack::nn {

class Dense {
 public:
  Dense(const Tensor& weight, const Tensor& bias);  // throws NnError on bad shapes; copies the weights
  int in_features() const { return static_cast<int>(weight_.dim(1)); }
  int out_features() const { return static_cast<int>(weight_.dim(0)); }
  Tensor forward(const Tensor& x, Exec& exec,
                 Activation act = {}) const;  // throws NnError on bad input shape

 private:
  Tensor weight_, bias_;
};

}  // namespace oncotrack::nn
